"""The pictures of docs/用户手册.md, rendered for real from the sample county: the workbooks by
LibreOffice (headless, to PDF) and poppler's pdftoppm, the map by headless Chromium.

    python docs/screenshots.py          # needs soffice, pdftoppm and chromium (Debian:
                                        # libreoffice-calc-nogui, poppler-utils, chromium)

Each picture is saved in 64 colours so that the repository stays small.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from PIL import Image

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import open_offline, print_offline  # noqa: E402  (the tests' offline browser)


def cunjing(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "cunjing.optimizer.cli", *args], check=True)


def one_sheet(book: Path, sheet: str, out: Path, rows: int | None = None) -> Path:
    """A copy of ``book`` holding only ``sheet`` (its first ``rows`` rows), for LibreOffice to
    print on its own."""
    wb = openpyxl.load_workbook(book)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    ws = wb[sheet]
    if rows is not None and ws.max_row > rows + 1:
        ws.delete_rows(rows + 2, ws.max_row - rows - 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(out)
    return out


def pdf_page_png(pdf: Path, png: Path, dpi: int = 220, crop: float | None = None) -> Path:
    """Page 1 of a PDF as a PNG (``crop``: keep that share of the page's height from the top)."""
    stem = png.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    image = Image.open(png).convert("RGB")
    if crop:
        image = image.crop((0, 0, image.width, int(image.height * crop)))
    return save(trimmed(image), png)


def trimmed(image: Image.Image, margin: int = 12, width: int = 1400) -> Image.Image:
    """The page cut to what is printed on it, at most ``width`` pixels wide."""
    gray = image.convert("L").point(lambda v: 255 if v < 250 else 0)
    box = gray.getbbox()
    if box:
        image = image.crop(
            (
                max(0, box[0] - margin),
                max(0, box[1] - margin),
                min(image.width, box[2] + margin),
                min(image.height, box[3] + margin),
            )
        )
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    return image


def save(image: Image.Image, png: Path) -> Path:
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(
        png, optimize=True
    )
    print(f"wrote {png.relative_to(ROOT)} ({png.stat().st_size / 1024:.0f} KB)")
    return png


def workbook_png(book: Path, sheet: str, png: Path, tmp: Path, rows: int | None = None, crop=None):
    single = one_sheet(book, sheet, tmp / f"{png.stem}.xlsx", rows)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(single)],
        check=True,
        capture_output=True,
    )
    return pdf_page_png(single.with_suffix(".pdf"), png, crop=crop)


def with_script(html: Path, script: str, out: Path) -> Path:
    out.write_text(
        html.read_text(encoding="utf-8").replace("</body>", f"<script>{script}</script></body>"),
        encoding="utf-8",
    )
    return out


def main() -> int:
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed (Debian: libreoffice-calc-nogui, poppler-utils)")
            return 1
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cunjing-shots-") as t:
        tmp = Path(t)
        template = tmp / "数据.xlsx"
        cunjing("template", str(template))
        workbook_png(template, "民警", OUT / "template-officers.png", tmp)
        workbook_png(template, "行政村", OUT / "template-villages.png", tmp)
        plan = tmp / "方案"
        cunjing("plan", "--out", str(plan))
        workbook_png(plan / "plan.xlsx", "包村民警安排", OUT / "plan-workbook.png", tmp, rows=24)
        report = plan / "report.html"
        run = open_offline(report, tmp / "map.png", width=1280, height=960)
        save(Image.open(run.screenshot).crop((0, 120, 1280, 960)), OUT / "map.png")
        pick = (
            'var m = window.cunjingMap, t = "341302100"; m.setTown(t);'
            "var o = Object.keys(m.data.officers).filter(function (k) {"
            "  return m.data.officers[k].villages.some(function (i) {"
            "    return m.data.villages[i].t === t; }); })[2];"
            "m.selectOfficer(o);"
        )
        run = open_offline(
            with_script(report, pick, tmp / "pick.html"), tmp / "pick.png", 1280, 960
        )
        save(Image.open(run.screenshot).crop((0, 120, 1280, 960)), OUT / "map-officer.png")
        printing = 'var m = window.cunjingMap; m.setTown("341302100"); m.setPaper("A4"); m.printTown(true);'
        pdf = print_offline(with_script(report, printing, tmp / "print.html"), tmp / "print.pdf")
        pdf_page_png(pdf, OUT / "map-print-a4.png", dpi=110)
        cal = tmp / "日历"
        cunjing("calendar", str(plan), "--month", "2027-03", "--out", str(cal))
        workbook_png(cal / "calendar.xlsx", "个人月历", OUT / "calendar-month.png", tmp, rows=16)
    return 0


if __name__ == "__main__":
    sys.exit(main())
