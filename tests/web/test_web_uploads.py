"""Uploads taken apart safely: zip bombs, entries that leave their folder, links, macros and
external links in workbooks are refused within bounded memory and time; a good zip unpacks."""

from __future__ import annotations

import io
import stat
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from cunjing.optimizer import sample_path
from cunjing.optimizer.reports.template import write_template
from cunjing.optimizer.web.models import BundleVersion
from cunjing.optimizer.web.uploads import Limits, UploadRefused, unpack

from web_support import (
    add_accounts,
    client_for,
    make_settings,
    new_app,
    new_workspace,
    sign_in,
    upload,
)

LIMITS = Limits(unpacked_bytes=50 * 1024 * 1024, entries=100)


def write_zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


def refused_within_bounds(upload: Path, name: str, dest: Path, match: str) -> None:
    """Refused with ``match``, in under 5 s and under 16 MB of Python memory at the peak."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(UploadRefused, match=match):
            unpack(upload, name, dest, LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 5
    assert peak < 16 * 1024 * 1024
    assert sum(f.stat().st_size for f in dest.rglob("*") if f.is_file()) <= LIMITS.unpacked_bytes


def test_a_good_zip_unpacks_into_its_bundle_folder(tmp_path):
    entries = [(f"样例/{f.name}", f.read_bytes()) for f in sample_path().iterdir()]
    entries.append(("样例/notes/readme.csv", b"x"))  # deeper than the bundle: left out
    upload = write_zip(tmp_path / "b.zip", entries)
    out = unpack(upload, "b.zip", tmp_path / "out", LIMITS)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in sample_path().iterdir())
    assert (out / "villages.csv").read_bytes() == (sample_path() / "villages.csv").read_bytes()


def test_a_zip_bomb_is_refused_by_its_headers(tmp_path):
    # 256 MiB of zeros deflate to a quarter of a MB: refused before a byte is inflated
    upload = tmp_path / "bomb.zip"
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as z, z.open("villages.csv", "w") as f:
        block = b"0" * (1024 * 1024)
        for _ in range(256):
            f.write(block)
    assert upload.stat().st_size < 5 * 1024 * 1024
    refused_within_bounds(upload, "bomb.zip", tmp_path / "out", "zip bomb")


def test_an_entry_that_lies_about_its_size_stops_at_the_bound(tmp_path):
    upload = write_zip(tmp_path / "lie.zip", [("villages.csv", b"0" * (8 * 1024 * 1024))])
    # rewrite the declared sizes (local header and central directory) to 100 bytes
    data = bytearray(upload.read_bytes())
    real = (8 * 1024 * 1024).to_bytes(4, "little")
    fake = (100).to_bytes(4, "little")
    data = bytearray(bytes(data).replace(real, fake))
    upload.write_bytes(data)
    refused_within_bounds(upload, "lie.zip", tmp_path / "out", "stated size|damaged")


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "bundle/../../evil.csv", "/etc/cron.d/evil.csv", "C:/evil.csv", "..\\evil.csv"],
)
def test_entries_leaving_the_folder_are_refused(tmp_path, name):
    upload = write_zip(tmp_path / "escape.zip", [("villages.csv", b"a,b\n"), (name, b"x")])
    refused_within_bounds(upload, "escape.zip", tmp_path / "out", "outside its folder")
    assert not (tmp_path / "evil.csv").exists()


def test_a_link_entry_is_refused(tmp_path):
    info = zipfile.ZipInfo("villages.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    upload = write_zip(tmp_path / "link.zip", [(info, b"/etc/passwd")])
    refused_within_bounds(upload, "link.zip", tmp_path / "out", "is a link")


def _workbook(extra: dict[str, bytes]) -> bytes:
    """A real workbook (openpyxl) with parts added to its package."""
    import openpyxl

    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.title = "villages"
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "part",
    ["xl/vbaProject.bin", "xl/externalLinks/externalLink1.xml", "xl/activeX/activeX1.xml"],
)
def test_workbooks_with_macros_or_external_links_are_refused(tmp_path, part):
    upload = tmp_path / "w.xlsx"
    upload.write_bytes(_workbook({part: b"<x/>"}))
    refused_within_bounds(upload, "w.xlsx", tmp_path / "out", "macros or external links")


def test_a_plain_workbook_is_kept_as_is(tmp_path):
    upload = tmp_path / "w.xlsx"
    upload.write_bytes(_workbook({}))
    out = unpack(upload, "w.xlsx", tmp_path / "out", LIMITS)
    assert out.read_bytes() == upload.read_bytes()


@pytest.mark.parametrize(
    ("name", "data"),
    [("plan.pdf", b"%PDF-1.4"), ("b.zip", b"not a zip at all"), ("b.pkl", b"PK\x03\x04junk")],
)
def test_other_files_are_refused(tmp_path, name, data):
    upload = tmp_path / name
    upload.write_bytes(data)
    with pytest.raises(UploadRefused):
        unpack(upload, name, tmp_path / "out", LIMITS)


def test_the_planners_template_workbook_uploads_as_valid_data(tmp_path):
    """The workbook `cunjing template` writes (Chinese sheets and headers, example rows), as a
    planner fills it in, is taken by the 导入 page and checked valid by the engine's reader."""
    book = write_template(tmp_path / "村警模板.xlsx")
    settings = make_settings(tmp_path / "data", workers=1)
    add_accounts(settings)
    app = new_app(settings)
    try:
        with client_for(app) as c:
            token = sign_in(c, "planner")
            ws = new_workspace(c, token, "341302", "埇桥区")
            done = upload(c, token, ws, book.name, book.read_bytes())
            assert "数据有效" in done["html"], done["html"][:3000]
        with app.state.store.db() as db:
            assert db.query(BundleVersion).filter_by(workspace_id=ws).count() == 1
    finally:
        app.state.jobs.close()
        app.state.store.close()
