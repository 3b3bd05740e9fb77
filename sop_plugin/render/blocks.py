"""The registry of page blocks.

An SOP page is assembled from blocks contributed by independent modules
(identity, approvals, the step table, the Mermaid and SOP-AP flowcharts,
analysis, audit trail, ...).  A block is a function ``(sop, ctx) -> html``
(or ``None`` to contribute nothing), registered with :func:`block`:

    @block("analysis", slot="footer", order=10)
    def analysis(sop, ctx): ...

Slots, in page order:

``header``      above the free sections (title badge, banners, identity, approvals)
``flowchart``   one tab each in the flowchart switcher under the procedure;
                ``tab`` is the i18n key of the tab label
``procedure``   after the flowchart tabs, still inside the procedure section
``footer``      after the last free section (analysis, audit trail, forms)

Blocks return HTML; every text that comes from an SOP must be escaped
(use the Jinja2 environment in :mod:`sop_plugin.render.templating`, which
autoescapes).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

import yaml

from ..model import Sop
from .context import RenderContext

SLOTS = ("header", "flowchart", "procedure", "footer")

Render = Callable[[Sop, RenderContext], "str | None"]


@dataclass(frozen=True)
class Block:
    name: str
    slot: str
    order: int
    render: Render
    tab: str | None = None  # i18n key of the tab label (flowchart slot)


BLOCKS: dict[str, Block] = {}


def block(name: str, *, slot: str, order: int, tab: str | None = None) -> Callable[[Render], Render]:
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}")

    def deco(fn: Render) -> Render:
        BLOCKS[name] = Block(name, slot, order, fn, tab)
        return fn

    return deco


def blocks_in(slot: str, disabled: frozenset[str] = frozenset()) -> list[Block]:
    return sorted((b for b in BLOCKS.values() if b.slot == slot and b.name not in disabled),
                  key=lambda b: (b.order, b.name))


# -- directives and generated pages ---------------------------------------
#
# Site-level views (catalogue, unit pages, dashboard, printable forms, ...)
# are Markdown pages whose content is a directive line such as
#
#     ::: sop-catalogue
#     ::: sop-unit biro-umum
#
# The Markdown extension replaces the line with the directive's HTML, so the
# same pages work in any Python-Markdown host.  The MkDocs plugin creates the
# pages from the page generators below.

Directive = Callable[[str, RenderContext], str]

DIRECTIVES: dict[str, Directive] = {}


def directive(name: str) -> Callable[[Directive], Directive]:
    """Register ``::: <name> [argument]``; the function gets the argument text and the context."""

    def deco(fn: Directive) -> Directive:
        DIRECTIVES[name] = fn
        return fn

    return deco


@dataclass(frozen=True)
class GeneratedPage:
    """A page the site should contain: ``src_path`` is a docs-relative Markdown path."""

    src_path: str
    content: str  # Markdown, usually a title line and a directive
    title: str
    nav: str | None = None  # nav group key ("units", "views", ...), None: not in the nav
    order: int = 0


PageGenerator = Callable[[RenderContext], "list[GeneratedPage]"]

PAGE_GENERATORS: dict[str, PageGenerator] = {}


def pages(name: str) -> Callable[[PageGenerator], PageGenerator]:
    def deco(fn: PageGenerator) -> PageGenerator:
        PAGE_GENERATORS[name] = fn
        return fn

    return deco


def page_source(title: str, body: str, *, searchable: bool = True) -> str:
    """Markdown of a generated page: ``title`` in front matter, then ``body``.

    Themes print ``page.title`` without escaping (header, nav, ``<title>``,
    search results), so the title is HTML-escaped here, once for every
    generated page.  ``searchable=False`` keeps the page out of
    mkdocs-material's search index (printable forms, ...).
    """
    meta: dict[str, object] = {"title": html.escape(title, quote=False)}
    if not searchable:
        meta["search"] = {"exclude": True}
    front = yaml.safe_dump(meta, allow_unicode=True,
                           sort_keys=False, width=10_000).strip()
    return f"---\n{front}\n---\n\n{body}\n"
