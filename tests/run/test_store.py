"""The resume store beside ``--out`` (``OUT.parts/``): plain files, verified before use. Nothing
planted there can run code; a damaged or foreign file is solved again, with a warning."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pandas as pd
import pytest

from cunjing.data.generator import generate_bundle
from cunjing.optimizer.cli.main import main
from cunjing.optimizer.input.bundle import load_bundle
from cunjing.optimizer.output.provenance import versions
from cunjing.optimizer.run.executor import county_fingerprints
from cunjing.optimizer.run.plan import plan
from cunjing.optimizer.run.store import MANIFEST, CountyStore, entry_name
from cunjing.optimizer.solve.options import SolveOptions


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("two") / "bundle"
    generate_bundle(folder, villages=80, counties=2, seed=3)
    return folder


def version() -> str:
    return str(versions().get("cunjing"))


class Planted:
    """Unpickling this makes a folder: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def kept_store(bundle: Path, out: Path) -> CountyStore:
    """A store with every county of ``bundle`` finished, as an interrupted run leaves it."""
    inst = load_bundle(bundle)
    options = SolveOptions.from_settings(inst.policy.sections["solver"])
    store = CountyStore(out, version=version())
    plan(inst, options, store=store)
    return store


def reused(out: Path) -> dict[str, bool]:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {c["county_id"]: c["reused"] for c in summary["counties"]}


def test_a_planted_pickle_is_never_loaded(two, tmp_path, capsys):
    out = tmp_path / "plan"
    inst = load_bundle(two)
    options = SolveOptions.from_settings(inst.policy.sections["solver"])
    parts = Path(f"{out}.parts")
    parts.mkdir(mode=0o700)
    marker = tmp_path / "code-ran"
    keys = county_fingerprints(inst, options.as_dict())
    for county in inst.counties:
        key = keys[county]
        # where the store of earlier versions looked, and inside an entry of this one
        (parts / f"{county}-{key}.pkl").write_bytes(pickle.dumps(Planted(marker)))
        entry = parts / entry_name(county)
        entry.mkdir(mode=0o700)
        (entry / "result.pkl").write_bytes(pickle.dumps(Planted(marker)))
        (entry / MANIFEST).write_bytes(pickle.dumps(Planted(marker)))
    assert main(["plan", str(two), "--out", str(out)]) == 0
    assert not marker.exists(), "a pickle from the store was loaded"
    err = capsys.readouterr().err
    assert all(county in err for county in inst.counties), err
    assert ".pkl" in err
    assert reused(out) == dict.fromkeys(inst.counties, False)
    assert not parts.exists()


def test_a_damaged_entry_is_solved_again_with_a_warning(two, tmp_path, capsys):
    out = tmp_path / "plan"
    store = kept_store(two, out)
    counties = load_bundle(two).counties
    damaged, intact = counties
    plan_csv = store.folder / entry_name(damaged) / "officer_plan.csv"
    good = plan_csv.read_bytes()
    # a village handed to another officer: the file still parses, its digest does not match
    rows = pd.read_csv(plan_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    rows.loc[0, "officer_id"] = rows.loc[1, "officer_id"]
    rows.to_csv(plan_csv, index=False, encoding="utf-8-sig")
    # a manifest cut short by a crash in the other
    manifest = store.folder / entry_name(intact) / MANIFEST
    text = manifest.read_bytes()
    capsys.readouterr()
    assert main(["plan", str(two), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert damaged in err and "officer_plan.csv" in err, err
    assert reused(out) == {damaged: False, intact: True}
    assert (out / "counties" / entry_name(damaged) / "officer_plan.csv").read_bytes() == good
    # the same with the manifest cut short
    store = kept_store(two, out)
    manifest.write_bytes(text[: len(text) // 2])
    capsys.readouterr()
    assert main(["plan", str(two), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert intact in err and str(store.folder) in err, err
    assert reused(out) == {damaged: True, intact: False}


@pytest.mark.skipif(os.name != "posix", reason="owners and modes are POSIX's")
def test_a_store_others_may_write_in_is_not_read(two, tmp_path, capsys):
    out = tmp_path / "plan"
    store = kept_store(two, out)
    os.chmod(store.folder, 0o777)  # e.g. made on a shared disk
    capsys.readouterr()
    assert main(["plan", str(two), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert str(store.folder) in err, err
    assert not any(reused(out).values()), "nothing was taken from a store others may write in"
    # a link in its place (to a folder someone else prepared) is not followed either
    store.folder.chmod(0o700)
    elsewhere = tmp_path / "elsewhere.parts"
    store.folder.rename(elsewhere)
    store.folder.symlink_to(elsewhere)
    capsys.readouterr()
    assert main(["plan", str(two), "--out", str(out)]) == 0
    assert str(store.folder) in capsys.readouterr().err
    assert not any(reused(out).values())
    assert store.folder.is_symlink(), "another's link is left alone, not removed or followed"
