"""Shared fixtures: small hand-made bundles written as CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

# Two townships (A next to B), six villages, three officers, eight auxiliaries: small enough to
# reason about by hand, big enough for every rule to matter.
TINY = {
    "townships": [
        {"township_id": "T1", "name": "甲镇", "county_id": "C1", "lon": "117.00", "lat": "33.60"},
        {"township_id": "T2", "name": "乙镇", "county_id": "C1", "lon": "117.10", "lat": "33.60"},
    ],
    "villages": [
        {
            "village_id": "V1",
            "name": "一村",
            "township_id": "T1",
            "kind": "key",
            "cases": "12",
            "lon": "116.99",
            "lat": "33.61",
        },
        {
            "village_id": "V2",
            "name": "二村",
            "township_id": "T1",
            "kind": "ordinary",
            "cases": "1",
            "lon": "117.01",
            "lat": "33.59",
        },
        {
            "village_id": "V3",
            "name": "三村",
            "township_id": "T1",
            "kind": "ordinary",
            "cases": "0",
            "complex": "true",
            "lon": "117.02",
            "lat": "33.62",
        },
        {
            "village_id": "V4",
            "name": "四村",
            "township_id": "T2",
            "kind": "key",
            "cases": "30",
            "on_traffic_route": "true",
            "lon": "117.09",
            "lat": "33.61",
        },
        {
            "village_id": "V5",
            "name": "五村",
            "township_id": "T2",
            "kind": "ordinary",
            "cases": "2",
            "lon": "117.11",
            "lat": "33.59",
        },
        {
            "village_id": "V6",
            "name": "六村",
            "township_id": "T2",
            "kind": "community",
            "cases": "4",
            "lon": "117.12",
            "lat": "33.62",
        },
    ],
    "officers": [
        {
            "officer_id": "100001",
            "name": "张伟",
            "category": "station",
            "county_id": "C1",
            "base_township_id": "T1",
            "available_days": "8",
            "max_villages": "3",
            "preferences": "V1;T1",
        },
        {
            "officer_id": "100002",
            "name": "李强",
            "category": "traffic",
            "county_id": "C1",
            "base_township_id": "T2",
            "available_days": "8",
            "max_villages": "3",
        },
        {
            "officer_id": "100003",
            "name": "王芳",
            "category": "organ",
            "county_id": "C1",
            "base_lon": "117.05",
            "base_lat": "33.60",
            "available_days": "7",
            "native_township_id": "T2",
            "native_village_id": "V5",
        },
    ],
    "auxiliaries": [
        {"auxiliary_id": f"FJ{i}", "name": f"辅警{i}", "county_id": "C1", "home_village_id": home}
        for i, home in enumerate(["V1", "V2", "V3", "V4", "V5", "V6", "V1", "V4"], start=1)
    ],
    "township_neighbours": [{"township_id": "T1", "neighbour_id": "T2"}],
}


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", columns=None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding=encoding) as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in columns})
    return path


def write_bundle(folder: Path, tables: dict[str, list[dict]] | None = None, **overrides) -> Path:
    """Write TINY (with tables replaced by ``overrides``) as a bundle folder."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {**(tables if tables is not None else TINY), **overrides}
    for name, rows in data.items():
        if not rows:
            continue  # an empty table has no columns to write: leave the file out
        write_csv(folder / f"{name}.csv", rows)
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_bundle(tmp_path / "tiny")


@pytest.fixture(autouse=True)
def _language_restored():
    """Every test starts in Chinese, the default, whatever a fixture or the test before it
    asked for (``--lang en`` also sets CUNJING_LANG for the processes it starts)."""
    from cunjing.optimizer.i18n import DEFAULT, set_language

    set_language(DEFAULT)
    yield
    set_language(DEFAULT)


@pytest.fixture
def english():
    """The messages in English, for tests of a rule's logic that read its messages' words (the
    Chinese of every message is held by tests/test_messages.py)."""
    from cunjing.optimizer.i18n import language, set_language

    before = language()
    set_language("en")
    yield
    set_language(before)
