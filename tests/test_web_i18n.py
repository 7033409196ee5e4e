"""Every message of the workbench (code and pages) has its Chinese in the catalogue, and the
catalogue holds nothing the workbench no longer says."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import cunjing.optimizer.web as web
from cunjing.optimizer.web.i18n import catalogue_path

WEB = Path(web.__file__).parent
# _() and N_() mark messages; UploadRefused and progress() carry message ids too
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "UploadRefused": None, "progress": None}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB, METHODS, OPTIONS, KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_chinese():
    with catalogue_path("zh_CN").open("rb") as f:
        catalogue = read_po(f, locale="zh_CN")
    translated = {m.id: m.string for m in catalogue if m.id and "fuzzy" not in m.flags}
    used = messages_in_code()
    assert len(used) > 200
    missing = sorted(m for m in used if not translated.get(m))
    assert missing == [], "messages without Chinese (pybabel extract/update, then translate)"
    unused = sorted(set(translated) - used)
    assert unused == [], "catalogue entries the workbench no longer uses"
