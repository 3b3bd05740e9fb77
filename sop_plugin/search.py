"""Offline full-text search: a Pagefind index of the built site with Indonesian stemming.

The theme override (``overrides/main.html``) marks the pages staff search with
``data-pagefind-body``: everything except pages that ask to stay out
(``search: exclude`` in their front matter: printable forms) and the path
prefixes listed in ``extra.sop_search.exclude`` of ``mkdocs.yml`` (the English
author guide).  After the build, :func:`build_index` copies those pages to a
scratch folder, adds to every SOP page what readers filter by (unit, status,
actor, document), and runs the
Pagefind binary (``pagefind_bin``) with ``--force-language id`` so that every
page is analysed with Snowball's Indonesian stemmer, at index and at query
time.  The site's HTML is not changed; the index goes to ``<site>/pagefind/``,
with the UI texts (``sop-search.json``) and a small lookup of SOP numbers
(``sop-numbers/``) beside it.

Nothing here imports MkDocs.  Only *published* SOPs get filters: a page that
is not built cannot be indexed, so a public build indexes no confidential SOP.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import i18n
from .model import Sop
from .render.context import RenderContext

OUTPUT = "pagefind"
LANGUAGE = "id"
BODY = "data-pagefind-body"
# the UI texts the browser needs (the theme cannot call the catalogue)
UI_KEYS = (
    "search.placeholder", "search.none", "search.one", "search.other", "search.more", "search.unavailable",
    "search.filters", "search.all",
    "search.facet.unit", "search.facet.status", "search.facet.actor", "search.facet.document",
)
FACETS = ("unit", "status", "actor", "document")
NUMBERS = "sop-numbers"  # folder below the index: {compact number: [[url, title, unit]]}, one file per last 2 chars
HOME_MARK = 'class="sop-portal sop-home"'  # a page with the ::: sop-home view is a listing too


class SearchUnavailable(RuntimeError):
    """Pagefind is not installed or failed; the site is built without a search index."""


@dataclass(frozen=True)
class IndexReport:
    pages: int
    seconds: float
    output: Path


def compact_forms(sop_id: str) -> list[str]:
    """Spellings of an SOP number without separators: ``SOP-UMUM-001`` -> ``sopumum001``, ``umum001``.

    They are the keys of :func:`number_shards`.  The browser turns a query that
    looks like a number into the same compact form and looks it up exactly, so
    ``sop umum 001``, ``SOP/UMUM/001`` and ``sopumum001`` put the SOP's own page
    first (not its Monev form, nor a page that merely mentions the number).
    """
    parts = [p for p in re.split(r"[^0-9a-z]+", sop_id.casefold()) if p]
    out = []
    for start in range(len(parts) - 1):
        joined = "".join(parts[start:])
        if joined not in out:
            out.append(joined)
    if len(parts) == 1:
        out.append(parts[0])
    return out


def number_shards(ctx: RenderContext) -> dict[str, dict[str, list[list[str]]]]:
    """Every published SOP under each compact spelling of its number, in shards by the spelling's last 2 characters.

    A typed number costs one small file (a few hundred bytes at 1,000 SOPs)
    instead of a search through the index.
    """
    shards: dict[str, dict[str, list[list[str]]]] = {}
    for sid, sop in sorted(ctx.published.items()):
        url = ctx.links.page_url(ctx.links.sop_page(sid))
        unit = _unit_name(ctx, sop)
        entry = [url, f"{sid} {sop.title or ''}".strip(), unit or ""]
        for form in compact_forms(sid):
            shards.setdefault(form[-2:], {}).setdefault(form, []).append(entry)
    return shards


def _unit_name(ctx: RenderContext, sop: Sop) -> str | None:
    if not sop.unit:
        return None
    u = ctx.corpus.units.get(sop.unit)
    return u.name if u and u.name else sop.unit


def facets(ctx: RenderContext, sop: Sop) -> dict[str, list[str]]:
    """What one SOP page is filtered by, as readers see it (names, not keys)."""
    from .render.portal import data

    unit = _unit_name(ctx, sop)
    actors, documents = data.actors_and_documents(sop)
    return {
        "unit": [unit] if unit else [],
        "status": [ctx.t(f"status.{data.status_of(sop)}")],
        "actor": actors,
        "document": list(documents.values()),
    }


def annotation(ctx: RenderContext, sop: Sop) -> str:
    """The hidden block added to an SOP page in the scratch copy: what it is filtered by."""
    parts = ['<div data-pagefind-ignore hidden>']
    for key, values in facets(ctx, sop).items():
        for value in values:
            parts.append(f'<span data-pagefind-filter="{key}">{html.escape(value)}</span>')
    parts.append("</div>")
    return "".join(parts)


def page_file(ctx: RenderContext, src_path: str) -> str:
    """The HTML file (relative to the site) of a Markdown page path."""
    url = ctx.links.page_url(src_path)
    return url + "index.html" if url == "" or url.endswith("/") else url


def listing_files(ctx: RenderContext) -> set[str]:
    """The HTML files of the generated views (catalogue, units, roles, documents...), not the SOP pages."""
    from .render import blocks as registry

    out: set[str] = set()
    for generate in registry.page_generators().values():
        for page in generate(ctx):
            out.add(page_file(ctx, page.src_path))
    return out


_BODY_OPEN = re.compile(r"<div\b[^>]*\bdata-pagefind-body\b[^>]*>")
_REPEATS = re.compile(r'class="(?:sop-tab-panel sop-tab-panel-(?:mermaid|sopap)|sop-analysis|sop-walkthrough|sop-audit)'
                      r'(?:\s[^"]*)?"')
_CELL_END = re.compile(r"</(t[hd]|caption)>")
_SOP_HEADING = re.compile(r"<(h[2-6])(?=\b[^>]*>(?:(?!</h[2-6]>).){0,400}?class=\"sop-id\")", re.S)
_SOP_LIST = re.compile(r"<(ul|ol)(?=\b[^>]*>\s*<li[^>]*>(?:(?!</li>).){0,300}?class=\"sop-id\")", re.S)
# Pagefind weighs an h1 7 by default: an SOP's title counts more, a role or unit name less
SOP_TITLE_WEIGHT = 10
LISTING_TITLE_WEIGHT = 3


def prepare(text: str, *, annotate: str = "", listing: bool = False) -> str:
    """A page as Pagefind should read it (the scratch copy; the site's page is not changed).

    Table cells are separated by a space (no "NoKegiatanWaktu" in excerpts),
    column headings and the views that repeat an SOP's steps (flowchart,
    SOP-AP table, analysis, walkthrough, history) are left out: every
    occurrence of a word costs index bytes that a query downloads, an SOP page gets its :func:`annotation`, and
    a generated listing (role, unit, document pages) keeps only its prose: its
    tables, graphs and SOP headings repeat the SOPs, so a word from an SOP
    ranks the SOP, not every list that mentions it.  An SOP's title weighs
    more than a listing's.
    """
    text = _CELL_END.sub(r" </\1>", text)
    text = text.replace("<thead>", "<thead data-pagefind-ignore>")
    # an SOP's related SOPs (identity table) are their words, not this SOP's; the flowchart, the
    # SOP-AP table, the analysis, the walkthrough and the history repeat the step table
    text = text.replace('class="sop-id-related"', 'class="sop-id-related" data-pagefind-ignore')
    text = _REPEATS.sub(r"\g<0> data-pagefind-ignore", text)
    if listing:
        text = re.sub(r"<table\b", "<table data-pagefind-ignore", text)
        text = text.replace("data-sop-mermaid>", "data-sop-mermaid data-pagefind-ignore>")
        text = _SOP_HEADING.sub(r"<\1 data-pagefind-ignore", text)  # "SOP-X-001 Title" headings of a role page
        text = _SOP_LIST.sub(r"<\1 data-pagefind-ignore", text)  # lists of SOPs (unit, home pages)
        text = re.sub(r"<h1\b", f'<h1 data-pagefind-weight="{LISTING_TITLE_WEIGHT}"', text, count=1)
    if annotate:
        text = re.sub(r"<h1\b", f'<h1 data-pagefind-weight="{SOP_TITLE_WEIGHT}"', text, count=1)
        m = _BODY_OPEN.search(text)
        if m:
            text = text[: m.end()] + annotate + text[m.end():]
    return text


def build_index(ctx: RenderContext, site_dir: Path, *, quiet: bool = True) -> IndexReport | None:
    """Index the built site below ``site_dir`` into ``site_dir/pagefind``.

    ``None`` when no page is marked for search (a theme without the portal's
    override); raises :class:`SearchUnavailable` when Pagefind is missing or fails.
    """
    started = time.perf_counter()
    site_dir = Path(site_dir)
    sop_files = {page_file(ctx, ctx.links.sop_page(sid)): sop for sid, sop in ctx.published.items()}
    listings = listing_files(ctx) - set(sop_files)
    output = site_dir / OUTPUT
    with tempfile.TemporaryDirectory(prefix="sop-search-") as tmp:
        scratch = Path(tmp) / "site"
        pages = 0
        for path in site_dir.rglob("*.html"):
            rel = path.relative_to(site_dir).as_posix()
            if rel.startswith(OUTPUT + "/"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if BODY not in text:
                continue
            sop = sop_files.get(rel)
            listing = rel in listings or HOME_MARK in text
            text = prepare(text, annotate=annotation(ctx, sop) if sop is not None else "", listing=listing)
            dest = scratch / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            pages += 1
        if output.exists():
            shutil.rmtree(output)
        if pages == 0:
            return None
        try:
            from pagefind_bin import get_executable

            exe = str(get_executable())
        except (ImportError, FileNotFoundError) as exc:
            raise SearchUnavailable(f"Pagefind is not installed ({exc}); install 'pagefind[bin]'") from None
        cmd = [exe, "--site", str(scratch), "--output-path", str(output), "--force-language", LANGUAGE]
        if quiet:
            cmd.append("--quiet")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchUnavailable(f"Pagefind did not run: {exc}") from None
        if proc.returncode != 0:
            raise SearchUnavailable(f"Pagefind failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-2000:]}")
    (output / "sop-search.json").write_text(json.dumps(ui_strings(ctx.lang), ensure_ascii=False), encoding="utf-8")
    (output / NUMBERS).mkdir()
    for key, forms in number_shards(ctx).items():
        (output / NUMBERS / f"{key}.json").write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    return IndexReport(pages=pages, seconds=time.perf_counter() - started, output=output)


def ui_strings(lang: str) -> dict[str, object]:
    """The search UI's texts in the portal language, and the facet order."""
    return {"lang": lang, "facets": list(FACETS), "numbers": NUMBERS, "t": {k: i18n.t(lang, k) for k in UI_KEYS}}
