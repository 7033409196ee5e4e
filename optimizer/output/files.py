"""CSV and JSON files as the contract writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV as the contract wants it: UTF-8 with BOM (Excel on Chinese Windows opens it right)."""
    df.to_csv(path, index=False, lineterminator="\n", encoding="utf-8-sig")


def write_json(data: Any, path: Path) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
        encoding="utf-8",
    )


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()  # numpy scalars
    if isinstance(o, set | tuple):
        return list(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"cannot write {type(o).__name__} as JSON")
