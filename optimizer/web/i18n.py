"""The workbench's messages: English ids in the code and the pages, Chinese by default from the
Babel catalogue ``locale/zh_CN/LC_MESSAGES/web.po`` (``?lang=en`` or the ``lang`` cookie shows
English). The catalogue is compiled in memory when first used, so no compiled file can go stale.
"""

from __future__ import annotations

import gettext as _gettext
import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "web"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"

_current: ContextVar[str] = ContextVar("cunjing_web_language", default=DEFAULT_LANGUAGE)


def catalogue_path(language: str = "zh_CN") -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    if language == "en":
        return NullTranslations()
    with catalogue_path(language).open("rb") as f:
        catalog = read_po(f, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def language() -> str:
    return _current.get()


def _(message: str, **params: object) -> str:
    """The message in the request's language, ``str.format``-ed with ``params``."""
    text = translations(_current.get()).gettext(message)
    return text.format(**params) if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is translated later (tables of words)."""
    return message
