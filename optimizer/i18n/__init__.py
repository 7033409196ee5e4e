"""Every text a person reads, in Chinese first (English on request): gettext catalogues.

Code writes its messages in English inside ``_()`` (or ``ngettext``), with ``str.format`` names
for what varies; the Chinese is in ``locale/zh_CN/LC_MESSAGES/cunjing.po``, compiled to ``.mo``
(``make messages`` extracts new messages with Babel, merges them into the catalogue and compiles
it; ``tests/test_messages.py`` fails when a message has no Chinese or the ``.mo`` is stale).

The language is Chinese unless ``--lang en`` (``set_language``) or ``CUNJING_LANG=en`` says
otherwise. This package sits below every other: the rules' messages are translated too.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "cunjing"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = {"zh": "zh_CN", "en": "en"}  # what --lang takes -> the catalogue's language
DEFAULT = "zh"

_state = {"language": os.environ.get("CUNJING_LANG", DEFAULT)}


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of a language (English is the messages themselves)."""
    code = LANGUAGES.get(language, language)
    if code == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def set_language(language: str) -> None:
    """``zh`` or ``en``, for every message from now on, here and in the worker and helper
    processes this one starts (they read ``CUNJING_LANG``)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (one of {', '.join(LANGUAGES)})")
    _state["language"] = language
    os.environ["CUNJING_LANG"] = language


def language() -> str:
    lang = _state["language"]
    return lang if lang in LANGUAGES else DEFAULT


def _(message: str) -> str:
    """``message`` in the current language."""
    if not message:  # argparse asks for None and "" too
        return message
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is written (a rule's summary, command help
    kept in tables, column headings, words of a status) and leaves it as it is: ``_()``
    translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the current language."""
    return translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where the same English word means another thing
    elsewhere (``context`` tells them apart in the catalogue)."""
    return translations(language()).pgettext(context, message)
