"""``sop export ID --pdf OUT.pdf``: the official SOP-AP document as a PDF.

The document is the same as printing the SOP page from a browser: identity
page, lembar pengesahan and the SOP-AP flowchart table (A4 landscape, cut
into pages by the same print script as the browser's Print, with repeated
header and off-page connectors).  It is first written as one self-contained
HTML file (CSS and ``sop-print.js`` inline), then printed by Chromium in
headless mode: through Playwright when it is installed (the script paginates
before ``page.pdf``), else by running the browser binary with
``--print-to-pdf`` (the script paginates on load).  An SOP with errors is
refused (exit 1, the errors listed) unless ``--force``, which watermarks
every page as not official.
The browser is ``$SOP_CHROMIUM`` or the first of ``/usr/bin/chromium``,
``chromium``, ``chromium-browser``, ``google-chrome`` found.

Other export formats can be added as further options of this sub-command
(``--html`` writes the standalone HTML itself).
"""

from __future__ import annotations

import argparse
import base64
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

from dataclasses import replace

from ..corpus import inside
from ..i18n import Said, Translator, msg
from ..model import Severity, Sop
from ..pipeline import load
from ..render.context import RenderContext
from ..settings import Settings
from . import UsageError
from .common import add_common, add_sops_dir, count, default_root, load_options, load_settings, project_dir
from .output import STDOUT, check_output, write_output

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export one SOP as an official document (PDF, HTML)",
                       description="Export one SOP. --pdf writes the SOP-AP document (A4 landscape) "
                                   "printed by headless Chromium; --html writes the same document as one "
                                   "self-contained HTML file.")
    p.add_argument("id", metavar="ID", help="the SOP id (nomor), e.g. SOP-UMUM-004")
    p.add_argument("--pdf", metavar="OUT.pdf", help="write the SOP-AP document as PDF ('-': standard output)")
    p.add_argument("--html", metavar="OUT.html",
                   help="write the self-contained HTML document ('-': standard output)")
    p.add_argument("--docx", metavar="OUT.docx", help="write the document as an editable Word file")
    add_sops_dir(p)
    p.add_argument("--rows-per-page", type=int, default=None, metavar="N",
                   help="at most N SOP-AP table rows per printed page (default: as many as fit on A4 landscape)")
    p.add_argument("--force", action="store_true",
                   help="export even if the SOP has errors; every page is watermarked as not official")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.pdf is None and args.html is None and args.docx is None:
        raise UsageError("choose an output: --pdf OUT.pdf, --html OUT.html and/or --docx OUT.docx")
    if args.pdf == STDOUT and args.html == STDOUT:
        raise UsageError("--pdf and --html cannot both write to standard output")
    pdf_out = check_output(args.pdf, "--pdf") if args.pdf is not None else False
    html_out = check_output(args.html, "--html") if args.html is not None else False
    docx_out = check_output(args.docx, "--docx", stdout=False) if args.docx is not None else None
    settings = load_settings(args, sopap_rows_per_page=args.rows_per_page)
    root = default_root(args)
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}'; use --sops DIR")
    base = project_dir(args)
    docs_dir = base / str(load_options(args).get("docs_dir") or "docs")
    settings = _inline_logo(settings, [docs_dir, base])
    portal = load(settings, base, root=root)
    sop = portal.corpus.get(args.id)
    if sop is None:
        known = ", ".join(sorted(portal.corpus.by_id())[:10])
        raise UsageError(f"no SOP with id '{args.id}' in '{root}'" + (f" (known: {known})" if known else ""))
    t = Translator(settings.lang)
    errors = [d for d in portal.diagnostics_for(sop) if d.severity is Severity.ERROR]
    if errors and not args.force:
        print(t("cli.export.has_errors", path=sop.path, errors=count(t, "error", len(errors))), file=sys.stderr)
        for d in errors:
            print(f"  {d.format(settings.lang)}", file=sys.stderr)
        return 1
    ctx = RenderContext.of(portal)
    ctx.links = ctx.links.at_sop(args.id)
    document = standalone_html(sop, ctx, watermark="print.watermark.errors" if errors else None)
    if html_out is not False:
        write_output(html_out, document)
        print(t("cli.export.wrote", path=html_out) if html_out else t("cli.export.wrote_html_stdout"), file=sys.stderr)
    if pdf_out is not False:
        try:
            if pdf_out is None:
                with tempfile.TemporaryDirectory(prefix="sop-export-") as tmp:
                    html_to_pdf(document, Path(tmp) / "sop.pdf")
                    write_output(None, (Path(tmp) / "sop.pdf").read_bytes())
            else:
                html_to_pdf(document, pdf_out)
        except PdfError as exc:
            print(t("cli.export.error", error=exc.said.text(t.lang)), file=sys.stderr)
            return 1
        print(t("cli.export.wrote", path=pdf_out) if pdf_out else t("cli.export.wrote_pdf_stdout"), file=sys.stderr)
    if docx_out is not None:
        from .export_docx import export as export_docx
        try:
            export_docx(sop, ctx, docx_out, document)
        except PdfError as exc:
            print(t("cli.export.error", error=exc.said.text(t.lang)), file=sys.stderr)
            return 1
        print(t("cli.export.wrote", path=docx_out), file=sys.stderr)
    return 0


def _asset(name: str) -> str:
    return resources.files("sop_plugin").joinpath("assets", name).read_text(encoding="utf-8")


def _script(name: str) -> str:
    """A packaged script, safe to inline in ``<script>`` (no closing tag can occur)."""
    return _asset(name).replace("</", "<\\/")


def _inline_logo(settings: Settings, asset_dirs: list[Path]) -> Settings:
    """A relative logo path becomes a data: URI so that the HTML is self-contained."""
    inst = settings.institution
    logo = inst.logo
    if not logo or ":" in logo.split("/", 1)[0] or logo.startswith("/"):
        return settings
    for d in asset_dirs:
        f = d / logo
        if f.is_file() and inside(f, d):  # never a file outside the asset folder (../../etc/passwd)
            mime = mimetypes.guess_type(f.name)[0] or ""
            if not mime.startswith("image/") or mime == "image/svg+xml":
                break  # only raster images; never SVG (it can carry scripts), never other files
            data = base64.b64encode(f.read_bytes()).decode("ascii")
            return settings.replace(institution=replace(inst, logo=f"data:{mime};base64,{data}"))
    return settings.replace(institution=replace(inst, logo=None))


BASE_CSS = """
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt; color: #000; margin: 0; }
.sop-doc-title { font-size: 14pt; margin: 0 0 6px; }
.sop-doc-title .sop-doc-id { font-weight: 400; color: #444; margin-right: .4em; }
.sop-doc-status { font-size: 8pt; color: #444; margin: 0 0 8px; }
@media screen { body { margin: 16px; } }
"""


def standalone_html(sop: Sop, ctx: RenderContext, watermark: str | None = None) -> str:
    """The official document as one HTML file (identity, approvals, SOP-AP table; CSS and the print script inline).

    ``watermark`` (a catalogue key) overrides the SOP's own (not yet in force, retired).
    """
    import html as _html

    from ..render import identity, sopap

    parts = [
        identity.print_frame(sop, ctx, watermark) + identity.identity_table(sop, ctx),
        identity.approvals_block(sop, ctx) or "",
        '<div class="sop-tab-panel-sopap">' + (sopap.sopap_html(sop, ctx) or "") + "</div>",
    ]
    status = ctx.t(f"status.{sop.status.value}") if sop.status else ""
    css = BASE_CSS + _asset("sop-sopap.css") + _asset("sop-print.css")
    title = f"{sop.id or ''} {sop.title or ''}".strip()
    return (
        f'<!DOCTYPE html>\n<html lang="{ctx.lang}"><head><meta charset="utf-8">'
        f"<title>{_html.escape(title)}</title><style>{css}</style>"
        f"<script>{_script('sop-print.js')}</script></head><body>"
        f'<h1 class="sop-doc-title"><span class="sop-doc-id">{_html.escape(sop.id or "")}</span>'
        f"{_html.escape(sop.title or '')}</h1>"
        f'<p class="sop-doc-status">{_html.escape(status)}'
        f'{" — v" + str(sop.version) if sop.version is not None else ""}</p>'
        + "\n".join(parts) + "</body></html>\n"
    )


class PdfError(Said, RuntimeError):
    """The browser cannot print (or photograph) the document; ``said`` says why."""


def find_chromium() -> str | None:
    env = os.environ.get("SOP_CHROMIUM")
    if env and Path(env).is_file():
        return env
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(document: str, out: Path) -> None:
    """Print the HTML to ``out`` with headless Chromium (A4 landscape from the CSS ``@page``)."""
    browser = find_chromium()
    if browser is None:
        raise PdfError(msg("cli.export.no_chromium"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sop-export-") as tmp:
        page = Path(tmp) / "document.html"
        page.write_text(document, encoding="utf-8")
        try:
            from playwright.sync_api import Error as PlaywrightError, sync_playwright
        except ImportError:
            sync_playwright = None
        if sync_playwright is not None:
            try:
                with sync_playwright() as p:
                    b = p.chromium.launch(executable_path=browser, args=CHROMIUM_ARGS)
                    try:
                        pg = b.new_page()
                        pg.goto(page.as_uri(), wait_until="load")
                        pg.evaluate("() => document.fonts.ready.then(() => window.sopPrint && window.sopPrint.paginate())")
                        pg.pdf(path=str(out), format="A4", landscape=True, print_background=True,
                               prefer_css_page_size=True)
                    finally:
                        b.close()
                return
            except (PlaywrightError, OSError) as exc:  # fall back to the command line
                last = exc
        cmd = [browser, "--headless", *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={out}", "--no-pdf-header-footer", page.as_uri()]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(msg("cli.export.cannot_run", browser=browser, error=exc)) from None
        if res.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            detail = (res.stderr or "").strip().splitlines()[-1:] or [str(locals().get("last", ""))]
            raise PdfError(msg("cli.export.pdf_failed", browser=browser, detail=detail[0]))
