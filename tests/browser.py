"""Opening an HTML file in headless Chromium with every network path closed, for the report's
browser test (and for the README's screenshot).

What the page did is read from two records Chromium keeps on request, with no DevTools client:
its console (``--enable-logging=stderr``: every ``console.*`` call and uncaught error is a
``CONSOLE`` line) and its network log (``--log-net-log``: every request the page started, even
the ones the dead proxy then refused).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CONSOLE = re.compile(r":CONSOLE(?:\(\d+\))?(?::\d+)?\] (.*)$")


@dataclass
class PageRun:
    screenshot: Path
    console: list[str]  # every console message and uncaught error of the page
    requests: list[str]  # every non-file URL the page asked for
    stderr: str


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError(
        "no Chromium found: install Debian's chromium package (.ci/run does: apt-get install chromium)"
    )


def open_offline(html: Path, screenshot: Path, width: int = 1400, height: int = 1000) -> PageRun:
    """Load ``html`` offline, let it run (virtual time, so no sleeping), and screenshot it."""
    with tempfile.TemporaryDirectory(prefix="cunjing-chromium-") as profile:
        netlog = Path(profile) / "netlog.json"
        cmd = [
            chromium(),
            "--headless",
            "--no-sandbox",  # CI runs as root in a container
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}/user",
            # every connection goes to a dead proxy, every name resolves to nothing
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--log-net-log={netlog}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            "--virtual-time-budget=20000",
            f"--screenshot={screenshot}",
            html.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        console = [m.group(1) for line in proc.stderr.splitlines() if (m := CONSOLE.search(line))]
        requests = page_requests(netlog) if netlog.exists() else []
    if proc.returncode != 0 or not screenshot.exists():
        raise RuntimeError(f"chromium failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return PageRun(screenshot, console, requests, proc.stderr)


def print_offline(html: Path, pdf: Path) -> Path:
    """Print ``html`` to a PDF as the browser's print command would (print styles, @page)."""
    with tempfile.TemporaryDirectory(prefix="cunjing-chromium-") as profile:
        cmd = [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}/user",
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=20000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    if proc.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"chromium failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return pdf


def page_requests(netlog: Path) -> list[str]:
    """URLs the page (a file:// document) requested; Chromium's own background requests carry
    another network isolation key and are left out."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    if not text.endswith("}"):  # the log of a killed browser lacks its closing brackets
        text = text.rstrip(",\n") + "]}"
    data = json.loads(text)
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in data["events"]:
        params = event.get("params") or {}
        if event.get("type") != start or "url" not in params:
            continue
        from_page = "file://" in str(params.get("network_isolation_key", "")) or params.get(
            "initiator"
        ) in ("null", "file://")
        if from_page and not params["url"].startswith(("file:", "data:", "blob:")):
            urls.append(params["url"])
    return urls


def main(argv: list[str]) -> int:
    """``python tests/browser.py REPORT.html OUT.png``: the README's screenshot, offline, in a
    64-colour palette so that it stays small."""
    from PIL import Image

    html, out = Path(argv[0]), Path(argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        run = open_offline(html, Path(tmp) / "shot.png", width=1280, height=900)
        if run.console or run.requests:
            print("console:", run.console, "requests:", run.requests)
            return 1
        image = Image.open(run.screenshot).convert("RGB")
        image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
