"""Keeping the catalogue (``make messages``): the messages of the code into ``cunjing.po``, new
ones with an empty translation to fill in, gone ones dropped; then the compiled ``cunjing.mo``.

The .po is written sorted, without source locations and with a fixed header, so that two
branches that add messages touch different lines. Needs Babel (a development dependency).

    python -m cunjing.optimizer.i18n.catalogue
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("optimizer", "constraints", "data")
FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the header's dates: no change, no conflict
# the messages: ``_()``, ``ngettext()``, ``N_()`` (marked here, translated where shown), and a
# policy parameter's documentation, ``Param(default, "doc")`` (``cunjing policy`` prints it)
KEYWORDS = {**DEFAULT_KEYWORDS, "Param": (2,)}


def code_messages(with_context: bool = False):
    """(message, file) of every message of the code; a plural message is a tuple. With
    ``with_context``: (message, file, context), the context of a ``pgettext`` (else None)."""
    for top in SOURCES:
        for file, _line, message, _comments, context in extract_from_dir(
            ROOT / top, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            yield (
                (message, f"{top}/{file}", context) if with_context else (message, f"{top}/{file}")
            )


def template() -> Catalog:
    cat = Catalog(project="cunjing", version="1", fuzzy=False)
    for message, _file, context in code_messages(with_context=True):
        flags = ("python-brace-format",) if "{" in str(message) else ()
        cat.add(message, flags=flags, context=context)
    return cat


def update(language: str = "zh_CN") -> tuple[Path, list[str]]:
    """Merge the code's messages into the language's .po and compile it; the messages still
    without a translation are returned."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        cat = read_po(f, locale=language)
    cat.update(template(), no_fuzzy_matching=True)
    cat.obsolete.clear()
    cat.creation_date = cat.revision_date = FIXED
    cat.project, cat.version = "cunjing", "1"
    cat.fuzzy = False
    buf = io.BytesIO()
    write_po(buf, cat, sort_output=True, no_location=True, omit_header=False, width=100)
    po.write_bytes(buf.getvalue())
    out = io.BytesIO()
    write_mo(out, cat)
    po.with_suffix(".mo").write_bytes(out.getvalue())
    return po, sorted(str(m.id) for m in cat if m.id and not m.string)


if __name__ == "__main__":
    path, missing = update()
    print(f"{path}: {len(missing)} message(s) without a translation")
    for m in missing:
        print("  ", m)
