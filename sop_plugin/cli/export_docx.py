"""``sop export ID --docx OUT.docx``: the SOP-AP document as an editable Word file.

The tables (identity, lembar pengesahan, procedure) are native Word tables
(:mod:`sop_plugin.docx_export`); the flowchart is the SOP-AP table of the
standalone HTML document that ``--pdf`` prints, photographed by the same
headless Chromium (print media, one PNG per printed chunk, 3 device pixels
per CSS pixel).  Without Playwright the browser binary's ``--screenshot``
takes the whole table as one image.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from ..docx_export import write_docx
from ..i18n import msg
from ..model import Sop
from ..render.context import RenderContext
from .export_pdf import CHROMIUM_ARGS, PdfError, find_chromium, standalone_html

SCALE = 3  # device pixels per CSS pixel: about 300 dpi at the printed size


def export(sop: Sop, ctx: RenderContext, out: Path, document: str | None = None) -> Path:
    """Write the Word document; ``document``: the standalone HTML if already built."""
    document = document or standalone_html(sop, ctx)
    images = flowchart_pngs(document) if 'class="sopap"' in document else []
    return write_docx(sop, ctx, out, images)


def flowchart_pngs(document: str) -> list[bytes]:
    """PNG images of the SOP-AP table chunks of ``document`` (the standalone HTML)."""
    browser = find_chromium()
    if browser is None:
        raise PdfError(msg("cli.export.no_chromium"))
    with tempfile.TemporaryDirectory(prefix="sop-docx-") as tmp:
        page = Path(tmp) / "document.html"
        page.write_text(document, encoding="utf-8")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return [_cli_screenshot(browser, document, Path(tmp))]
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=browser, args=CHROMIUM_ARGS)
            try:
                pg = b.new_page(viewport={"width": 1200, "height": 900}, device_scale_factor=SCALE)
                pg.emulate_media(media="print")  # chunks with their headers and off-page connectors
                pg.goto(page.as_uri(), wait_until="load")
                # the same paginator as the PDF: cut on row boundaries, lettered off-page connectors
                pg.evaluate("() => document.fonts.ready.then(() => window.sopPrint && window.sopPrint.paginate())")
                return [t.screenshot(type="png") for t in pg.locator("table.sopap-chunk").all()]
            finally:
                b.close()


def _cli_screenshot(browser: str, document: str, tmp: Path) -> bytes:
    """One screenshot of the continuous table (screen media), the window sized to it."""
    rows = [float(y) + float(h) for y, h in re.findall(r'data-y="([\d.]+)" data-h="([\d.]+)"', document)]
    height = int(max(rows, default=400) + 260)
    only = re.search(r'<div class="sopap".*</div>\s*</div>', document, re.S)
    head = document.split("<body>", 1)[0]
    page = tmp / "flowchart.html"
    page.write_text(head + '<body style="margin:0">' + (only.group(0) if only else "") + "</body></html>",
                    encoding="utf-8")
    out = tmp / "flowchart.png"
    cmd = [browser, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile", "--hide-scrollbars",
           f"--force-device-scale-factor={SCALE}", f"--window-size=1060,{height}", f"--screenshot={out}",
           page.as_uri()]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PdfError(msg("cli.export.cannot_run", browser=browser, error=exc)) from None
    if res.returncode != 0 or not out.is_file():
        raise PdfError(msg("cli.export.screenshot_failed", browser=browser, detail=(res.stderr or "").strip()[-200:]))
    return out.read_bytes()
