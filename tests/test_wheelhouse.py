"""The install for an offline intranet: ``make wheelhouse`` gathers every wheel, a fresh virtual
environment installs from that folder alone, and ``cunjing plan`` plans the sample there.

Both tests reach the package index (PyPI) to gather the wheels, as ``make wheelhouse`` does on
the machine that prepares the USB stick; the install itself has no index and no network. What
is needed is read from pyproject.toml and constraints.txt, never listed here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the development environment's pip and uv


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}."""
    out = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            out[canonical(name)] = version.strip()
    return out


def requirements(path: Path) -> dict[str, str]:
    """A compiled requirements file (name==version lines) as {canonical name: version}."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            name, version = line.split(";")[0].split("==")
            out[canonical(name)] = version.strip()
    return out


def make_wheelhouse(folder: Path, platforms: str) -> None:
    # -o: the development environment is taken as it is (never re-made under a running test)
    venv = Path(sys.prefix)
    run = subprocess.run(
        [
            "make",
            "-C",
            str(ROOT),
            "-o",
            str(venv / ".installed"),
            f"VENV={venv}",
            f"BIN={BIN}",
            f"WHEELHOUSE={folder}",
            f"WHEEL_PLATFORMS={platforms}",
            "wheelhouse",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def offline_env(tmp: Path) -> dict[str, str]:
    """No pip configuration of this machine (its extra indexes and find-links), no package
    index, and any attempt at the network refused."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    dead = "http://127.0.0.1:9"  # the discard port: nothing listens
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        HTTP_PROXY=dead,
        HTTPS_PROXY=dead,
        http_proxy=dead,
        https_proxy=dead,
        NO_PROXY="",
        HOME=str(tmp),  # no per-user pip configuration either
    )
    return env


def test_linux_wheelhouse_installs_offline_and_plans_the_sample(tmp_path: Path) -> None:
    house = tmp_path / "wheelhouse"
    make_wheelhouse(house, "linux")

    # every package the project needs, at the version constraints.txt pins, and the project
    wanted = requirements(house / "requirements-linux.txt")
    pinned = pins()
    assert sorted(set(wanted) - set(pinned)) == []  # every one pinned in constraints.txt
    assert {n: v for n, v in wanted.items() if pinned[n] != v} == {}
    wheels = {}
    for whl in house.glob("*.whl"):
        name, version = whl.name.split("-")[:2]
        wheels.setdefault(canonical(name), []).append(version)
    project = wheels.pop("cunjing")
    assert len(project) == 1
    assert {n: v[0] for n, v in wheels.items()} == wanted
    assert all(len(v) == 1 for v in wheels.values())

    # the two commands of the README, with no network
    venv = tmp_path / "venv"
    env = offline_env(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    install = subprocess.run(
        [
            venv / "bin" / "python",
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            house,
            "cunjing[postgresql]",  # the workbench's PostgreSQL driver too
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    check = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "check"], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stdout

    # the installed copy, not this tree: the sample is the package data of the wheel
    where = subprocess.run(
        [
            venv / "bin" / "python",
            "-c",
            "from cunjing.data.generator import sample_bundle_path; print(sample_bundle_path())",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    sample = Path(where.stdout.strip())
    assert sample.is_relative_to(venv) and (sample / "villages.csv").is_file()

    out = tmp_path / "plan"
    plan = subprocess.run(
        [venv / "bin" / "cunjing", "plan", "--out", out],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL"
    villages = pd.read_csv(sample / "villages.csv", dtype=str)
    for name, person in (
        ("officer_plan.csv", "officer_id"),
        ("auxiliary_plan.csv", "auxiliary_id"),
    ):
        rows = pd.read_csv(out / name, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert sorted(rows["village_id"]) == sorted(villages["village_id"])
        assert (rows[person] != "").all()
    # the plan passes every hard rule, judged by the installed checker
    judged = subprocess.run(
        [venv / "bin" / "cunjing", "check", sample, out],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert judged.returncode == 0, judged.stdout[-3000:] + judged.stderr[-3000:]


def test_every_dependency_has_a_windows_wheel(tmp_path: Path) -> None:
    """Resolved for Windows (x86-64, CPython 3.11), each package the project needs has a wheel
    for it: a win_amd64 build for CPython 3.11 (or the stable ABI), or pure Python."""
    req = tmp_path / "requirements-windows.txt"
    subprocess.run(
        [
            BIN / "uv",
            "pip",
            "compile",
            "--quiet",
            ROOT / "pyproject.toml",
            "--extra",
            "postgresql",
            "--constraint",
            ROOT / "constraints.txt",
            "--python-version",
            "3.11",
            "--python-platform",
            "x86_64-pc-windows-msvc",
            "--only-binary",
            ":all:",
            "--no-header",
            "--no-annotate",
            "-o",
            req,
        ],
        check=True,
        cwd=ROOT,
    )
    wanted = requirements(req)
    assert "colorama" in wanted  # what only Windows needs is there (click, tqdm)
    pinned = pins()
    assert {n: v for n, v in wanted.items() if pinned.get(n) != v} == {}
    report = tmp_path / "report.json"
    run = subprocess.run(
        [
            BIN / "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
            "--platform",
            "win_amd64",
            "-r",
            req,
            "--report",
            report,
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    files = {
        canonical(x["metadata"]["name"]): x["download_info"]["url"].rsplit("/", 1)[-1]
        for x in json.loads(report.read_text(encoding="utf-8"))["install"]
    }
    assert set(files) == set(wanted)
    tag = re.compile(r"-(cp311-cp311|cp3\d+-abi3)-win_amd64\.whl$|-none-any\.whl$")
    assert [f for f in files.values() if not tag.search(f)] == []
