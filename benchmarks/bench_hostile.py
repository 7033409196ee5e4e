"""What hostile files cost: ``cunjing validate`` on each, in a fresh process, time and peak memory.

    python benchmarks/bench_hostile.py [--before PYTHON] [--json benchmarks/results/hostile.json]

The files are made here (a temporary folder; the workbook bomb takes about half a minute to
compress): a 619 MB-of-XML workbook, a header of a million columns, a table past the cell bound,
a GeoPackage whose layer is a recursive view, a pipe named villages.csv, a sparse 101 MB CSV,
XML entities. ``--before`` runs the same files with another interpreter (the code before the
bounds, e.g. main's ``.venv/bin/python``) side by side, each run capped at 4 GB of address space
and 120 s so that the machine survives it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "tests" / "malformed"))

from make_corpus import CASES, _sheet_part, _workbook  # noqa: E402

from conftest import TINY, write_bundle  # noqa: E402

CAP_BYTES = 4 * 1024**3
CAP_SECONDS = 120
# the command in a fresh process, timed inside it from after the imports (what the refusal
# itself costs; the imports are the same for every file) to its exit code
CHILD = (
    "import json, resource, sys, time\n"
    "from cunjing.optimizer.cli.main import main\n"
    "import cunjing.optimizer.input.bundle\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "t0 = time.perf_counter()\n"
    "code = main(['validate', sys.argv[1]])\n"
    "with open(sys.argv[2], 'w') as f:\n"
    "    json.dump({'seconds': time.perf_counter() - t0, 'imports_kb': rss}, f)\n"
    "sys.exit(code)\n"
)


def bomb_workbook(path: Path, xml_mb: int = 619) -> None:
    """TINY as a workbook whose villages sheet is ``xml_mb`` MB of XML (rows of the same cells,
    which compress about 230 to 1, as the issue's)."""
    buf = io.BytesIO()
    _workbook(TINY).save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    part = _sheet_part("villages")
    # rows without numbers, all alike: the reader counts them, zlib packs them 230 to 1
    row = (
        '<row><c t="inlineStr"><is><t>V9</t></is></c><c t="inlineStr"><is><t>村</t></is></c>'
        '<c t="inlineStr"><is><t>T1</t></is></c></row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
                continue
            with dst.open(part, "w", force_zip64=True) as f:
                head = src.read(info).split(b"<sheetData>")[0]
                f.write(head + b"<sheetData>")
                chunk = (row * 10_000).encode()
                for _ in range(xml_mb * 1024**2 // len(chunk) + 1):
                    f.write(chunk)
                f.write(b"</sheetData></worksheet>")


def make_cases(tmp: Path) -> dict[str, Path]:
    cases: dict[str, Path] = {"a valid bundle (TINY), for reference": write_bundle(tmp / "tiny")}
    d = tmp / "bomb"
    d.mkdir()
    bomb_workbook(d / "bundle.xlsx")
    cases["workbook, 619 MB of sheet XML"] = d / "bundle.xlsx"

    d = write_bundle(tmp / "wide")
    text = (d / "villages.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    extra = ",".join(f"c{i}" for i in range(1_000_000))
    (d / "villages.csv").write_text(header + "," + extra + "\n" + rest, encoding="utf-8")
    cases["header of 1,000,000 columns"] = d

    d = write_bundle(tmp / "long")
    with open(d / "villages.csv", "a", encoding="utf-8") as f:
        for i in range(1_200_000):
            f.write(f"W{i},村{i},T1,ordinary,0,117.0,33.6,,\n")
    cases["1.2 million rows (past the 10 million cells)"] = d

    for name in ("geo-layer-is-a-recursive-view", "xlsx-entity-expansion"):
        CASES[name](tmp / name)
        cases[name] = tmp / name if "geo" in name else tmp / name / "bundle.xlsx"

    d = write_bundle(tmp / "pipe")
    (d / "villages.csv").unlink()
    os.mkfifo(d / "villages.csv")
    cases["a pipe named villages.csv"] = d

    d = write_bundle(tmp / "sparse")
    with open(d / "villages.csv", "r+b") as f:
        f.truncate(101 * 1024**2)
    cases["a sparse 101 MB villages.csv"] = d
    return cases


def peak_mb(python: str, path: Path, capped: bool) -> dict:
    """Run once; the child's own peak resident memory comes from wait4's rusage."""

    def limits() -> None:
        if capped:
            resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))

    env = {**os.environ, "CUNJING_LANG": "en"}
    with tempfile.TemporaryFile() as out_file:
        t0 = time.perf_counter()
        fd, name = tempfile.mkstemp(suffix=".json")  # the child's own timing, when it ends
        os.close(fd)
        inside = Path(name)
        proc = subprocess.Popen(
            [python, "-c", CHILD, str(path), str(inside)],
            stdout=out_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=limits,
            env=env,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > CAP_SECONDS:
                proc.kill()
                killed = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out_file.seek(0)
        lines = out_file.read().decode(errors="replace").splitlines()
    timed = json.loads(inside.read_text()) if inside.exists() and inside.stat().st_size else {}
    inside.unlink(missing_ok=True)
    return {
        "exit": f"killed at {CAP_SECONDS} s" if killed else proc.returncode,
        "seconds": round(seconds, 2),
        "after_imports_s": round(timed["seconds"], 2) if timed else None,
        "peak_mb": round(usage.ru_maxrss / 1024),
        "imports_mb": round(timed["imports_kb"] / 1024) if timed else None,
        "says": (lines[0][:160] if lines else ""),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="another interpreter to run the same files with")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    try:
        t0 = time.perf_counter()
        cases = make_cases(tmp)
        print(f"files made in {time.perf_counter() - t0:.0f} s under {tmp}")
        size = (tmp / "bomb" / "bundle.xlsx").stat().st_size
        print(f"the workbook bomb: {size / 1024**2:.1f} MB on disk")
        results = {}
        for label, path in cases.items():
            row = {"now": peak_mb(sys.executable, path, capped=False)}
            if args.before:
                row["before"] = peak_mb(args.before, path, capped=True)
            results[label] = row
            print(f"\n{label}")
            for who, r in row.items():
                print(
                    f"  {who:6} exit {r['exit']!s:>15}  {r['seconds']:7.2f} s "
                    f"({r['after_imports_s']} s after imports)  {r['peak_mb']:6d} MB "
                    f"(imports {r['imports_mb']} MB)  {r['says']}"
                )
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
