"""The message catalogue: every message of the code has its Chinese, the compiled catalogue is
the one the .po says, and the language switches."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cunjing.optimizer.cli.main import main
from cunjing.optimizer.i18n import DOMAIN, LOCALE_DIR, language, set_language
from cunjing.optimizer.i18n.catalogue import code_messages as catalogue_messages

ROOT = Path(__file__).resolve().parents[1]
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po"
MO = PO.with_suffix(".mo")
FIELD = re.compile(r"\{[^{}]*\}")


def code_messages() -> set[tuple[str | None, str]]:
    """(context, message) of every message of the code (every form of a plural one)."""
    out: set[tuple[str | None, str]] = set()
    for message, _file, context in catalogue_messages(with_context=True):
        forms = [message] if isinstance(message, str) else [m for m in message if m]
        out |= {(context, m) for m in forms}
    return out


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_message_has_its_chinese(catalogue):
    translated = {}
    for m in catalogue:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for form in m.id if isinstance(m.id, tuple) else (m.id,):  # ngettext: both forms
            translated[m.context, form] = all(strings)
    missing = sorted(m for c, m in code_messages() if not translated.get((c, m)))
    assert not missing, (
        "messages without Chinese (run make messages, then translate):\n" + "\n".join(missing)
    )


def test_translations_keep_the_fields(catalogue):
    """A translation names the same {fields} as its message, or format() would fail."""
    wrong = []
    for m in catalogue:
        if not m.id or not m.string:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if {f for s in strings for f in FIELD.findall(s)} != {
            f for s in ids for f in FIELD.findall(s)
        }:
            wrong.append(str(m.id))
    assert not wrong, "\n".join(wrong)


def test_the_compiled_catalogue_is_the_po(catalogue):
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for m in catalogue:
        if m.id and isinstance(m.id, str) and m.string:
            got = compiled.pgettext(m.context, m.id) if m.context else compiled.gettext(m.id)
            assert got == m.string, f"stale {MO.name}: run make messages"


def test_chinese_by_default_english_on_request(tmp_path, capsys):
    before = language()
    try:
        bad = tmp_path / "nothing-here"
        assert main(["validate", str(bad)]) == 2
        assert "处问题" in capsys.readouterr().err
        assert main(["--lang", "en", "validate", str(bad)]) == 2
        assert "problem(s)" in capsys.readouterr().err
    finally:
        set_language(before)
