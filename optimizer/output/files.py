"""CSV and JSON files as the contract writes them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n import _
from ..input.tables import without_formulas


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV as the contract wants it: UTF-8 with BOM (Excel on Chinese Windows opens it right).

    Every CSV the program writes is written here. A text cell that Excel would run as a
    formula (a name beginning with =, +, -, @, a tab or a carriage return: "=HYPERLINK(…)")
    gets an apostrophe in front, so Excel and WPS show it as text; numbers are left as they
    are, and the program's own readers take the apostrophe off again."""
    without_formulas(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8-sig")


def write_json(data: Any, path: Path) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=json_default) + "\n",
        encoding="utf-8",
    )


def json_default(o: Any) -> Any:
    """What ``json.dumps`` cannot write by itself: numpy scalars, sets, tuples, paths."""
    if hasattr(o, "item"):
        return o.item()  # numpy scalars
    if isinstance(o, set | tuple):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(_("cannot write {kind} as JSON").format(kind=type(o).__name__))


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
