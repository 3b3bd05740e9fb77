"""The registry of page blocks, directives and generated pages.

An SOP page is assembled from blocks contributed by independent modules
(identity, approvals, the step table, the Mermaid and SOP-AP flowcharts,
analysis, audit trail, ...).  A block is a function ``(sop, ctx) -> html``
(or ``None`` to contribute nothing), marked with :func:`block`:

    @block("analysis", slot="footer", order=10)
    def analysis(sop, ctx): ...

Marking changes nothing global: the registry is the explicit list of
modules in :data:`MODULES`, read once on first use (:func:`blocks`,
:func:`directives`, :func:`page_generators`).  A new block's module is
added to that list.

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
import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
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


def block(name: str, *, slot: str, order: int, tab: str | None = None) -> Callable[[Render], Render]:
    """Mark ``fn`` as the page block ``name``."""
    if slot not in SLOTS:
        raise ValueError(f"unknown slot {slot!r}")

    def deco(fn: Render) -> Render:
        fn.__sop_block__ = Block(name, slot, order, fn, tab)  # type: ignore[attr-defined]
        return fn

    return deco


def blocks_in(slot: str, disabled: frozenset[str] = frozenset()) -> list[Block]:
    return sorted((b for b in blocks().values() if b.slot == slot and b.name not in disabled),
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
#: The SOPs a directive's output can depend on, for an argument (see :func:`directive`), or
#: ``(sops, token)``: ``token`` (a value with a stable ``repr``) stands for what else it shows.
Depends = Callable[[str, RenderContext], "list[Sop] | tuple[list[Sop], object]"]

#: A directive line: ``::: <name> [argument]`` alone on its line.
DIRECTIVE_LINE = re.compile(r"^:::[ \t]+(sop(?:-[a-z0-9-]+)?)(?:[ \t]+(.*?))?[ \t]*$")


def directive(name: str, *, depends: Depends | None = None) -> Callable[[Directive], Directive]:
    """Mark ``fn`` as ``::: <name> [argument]``; the function gets the argument text and the context.

    A view shows of an SOP at most its front matter, its procedure and its findings (the
    build cache stamps views with those: :meth:`sop_plugin.pipeline.Portal.view_stamp`);
    the free text around the procedure is the SOP page's own.

    ``depends(argument, ctx)``: every published SOP the output can read (a superset
    is fine, a missing one makes the build cache serve a stale view), or ``(sops, token)``
    where ``token`` covers what else the output shows that those SOPs do not decide (the
    cut of a long listing into pages, say).  Without it the view is taken to depend on
    every SOP: it is rendered again whenever any changes.
    """

    def deco(fn: Directive) -> Directive:
        fn.__sop_directive__ = name  # type: ignore[attr-defined]
        fn.__sop_depends__ = depends  # type: ignore[attr-defined]
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
    depends: str | None = None  # the path of the one SOP the page shows; None: it may show any
    searchable: bool = True  # False: its content is marked ``search: exclude`` (page_source)


PageGenerator = Callable[[RenderContext], "list[GeneratedPage]"]

def pages(name: str) -> Callable[[PageGenerator], PageGenerator]:
    """Mark ``fn`` as the generator of a family of pages (unit pages, forms, ...)."""

    def deco(fn: PageGenerator) -> PageGenerator:
        fn.__sop_pages__ = name  # type: ignore[attr-defined]
        return fn

    return deco


# -- the registry --------------------------------------------------------------

#: Every module that contributes blocks, directives or page generators (relative to sop_plugin.render).
MODULES = (
    "page",          # header title, Mermaid flowchart tab
    "identity",      # SOP-AP identity page and lembar pengesahan
    "changes",       # changes since the previous version (drafts under review)
    "sopap.block",   # SOP-AP flowchart tab
    "analysis",      # process time analysis and simulated histogram
    "walkthrough",   # interactive walkthrough
    "forms",         # Monev forms pages and the footer link to them
    "audit",         # audit trail
    "portal.views",  # site-level views: home, catalogue, units, roles, documents, relations, Monev
    "report",        # "Laporkan masalah" link (footer; each step's link is in page.step_table)
    "site",          # ::: sop-page (where a generated page is, for hosts without the plugin)
)


@dataclass(frozen=True)
class Registry:
    blocks: dict[str, Block]
    directives: dict[str, Directive]
    page_generators: dict[str, PageGenerator]
    depends: dict[str, Depends]


@lru_cache(maxsize=1)
def registry() -> Registry:
    out = Registry({}, {}, {}, {})
    for name in MODULES:
        module = importlib.import_module(f"{__package__}.{name}")
        for obj in vars(module).values():
            if (b := getattr(obj, "__sop_block__", None)) is not None:
                out.blocks[b.name] = b
            if (d := getattr(obj, "__sop_directive__", None)) is not None:
                out.directives[d] = obj
                if obj.__sop_depends__ is not None:
                    out.depends[d] = obj.__sop_depends__
            if (g := getattr(obj, "__sop_pages__", None)) is not None:
                out.page_generators[g] = obj
    return out


def blocks() -> dict[str, Block]:
    return registry().blocks


def directives() -> dict[str, Directive]:
    return registry().directives


def page_generators() -> dict[str, PageGenerator]:
    return registry().page_generators


def depends() -> dict[str, Depends]:
    return registry().depends


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when PyYAML has it: thousands of pages


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
    front = yaml.dump(meta, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=10_000).strip()
    return f"---\n{front}\n---\n\n{body}\n"
