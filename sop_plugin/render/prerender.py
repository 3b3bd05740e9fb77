"""Portal views rendered before the host renders its pages: on all cores, cached by what each shows.

A site of 1,000 SOPs has hundreds of view pages (one per unit, per role, per
page of documents).  Rendered one by one while the host converts pages, they
cost as much as the SOP pages themselves.  :func:`prerender` renders the
directive of every generated view page up front, in the worker pool
(:mod:`sop_plugin.parallel`), and keeps each result under a stamp of what the
view can read: the cache keys of the SOPs its directive's ``depends`` names
(:func:`sop_plugin.render.blocks.directive`), or of every SOP, as far as a view
can show them: front matter, procedure and findings, not the free text around
the procedure (:meth:`sop_plugin.pipeline.Portal.view_stamp`).  After one SOP
is edited, only the views that show what changed are rendered again.

The Markdown extension takes a prerendered result when it meets the same
directive on the same page (:meth:`Prerendered.take`), and renders it itself
otherwise (a host without the plugin, a view that failed here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import parallel
from ..cache import MISSING, NO_CACHE, Cache
from ..cache import key as cache_key
from ..guard import directive_stage, guarded
from ..i18n import msg
from .blocks import DIRECTIVE_LINE, GeneratedPage, depends, directives
from .context import RenderContext

VERSION = 1  # bump when what a cached view holds changes shape


@dataclass
class Prerendered:
    """Directive results by (page source path, directive name, argument), and each view page's stamp."""

    results: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    stamps: dict[str, str] = field(default_factory=dict)  # page source path -> stamp ("" without the cache)
    rendered: int = 0  # how many views this build rendered (the rest came from the cache; tests count it)

    cache: Cache = field(default=NO_CACHE, repr=False)
    stored: dict[tuple[str, str, str], str] = field(default_factory=dict)  # results left in the cache, by key

    def take(self, page: str, name: str, arg: str) -> Any:
        """The result for this directive on this page, once (``None``: render it now)."""
        found = self.results.pop((page, name, arg), None)
        key = self.stored.pop((page, name, arg), None)
        if found is None and key is not None:
            hit = self.cache.get("views", key)
            found = None if hit is MISSING else hit
        return found


def views_of(page: GeneratedPage) -> list[tuple[str, str]]:
    """The view directives of a generated page (``::: sop-page`` and SOP pages excluded)."""
    out = []
    known = directives()
    for line in page.content.splitlines():
        m = DIRECTIVE_LINE.match(line)
        if m and m.group(1) in known and m.group(1) not in ("sop", "sop-page"):
            out.append((m.group(1), (m.group(2) or "").strip()))
    return out


def stamp(ctx: RenderContext, page: str, views: list[tuple[str, str]]) -> str:
    """What the views on ``page`` can show: their directives and what they can show of the SOPs
    they read (:meth:`~sop_plugin.pipeline.Portal.view_stamp`; "" when the build cache is off)."""
    portal = ctx.portal
    everything = portal.view_stamp()
    if not everything:
        return ""
    found = depends()
    parts: list[Any] = [VERSION, page]
    for name, arg in views:
        fn = found.get(name)
        sops = fn(arg, ctx) if fn is not None else None
        token = None
        if isinstance(sops, tuple):  # (the SOPs, a token of what else the view shows)
            sops, token = sops
        keys = everything if sops is None else sorted({(s.path, portal.view_stamp(s)) for s in sops})
        parts.append((name, arg, keys, token))
    return cache_key(*parts)


_JOB: RenderContext | None = None  # what the workers of prerender read (fork)


def prerender(ctx: RenderContext, pages: list[GeneratedPage], workers: int = 0) -> Prerendered:
    """Render the view directives of ``pages``: from the cache, else on all cores."""
    global _JOB
    store = ctx.portal.cache
    out = Prerendered(cache=store)
    todo: list[tuple[str, str, str, str]] = []  # page, name, arg, cache key ("": none)
    for page in pages:
        views = views_of(page)
        if not views:
            continue
        stamp_ = out.stamps[page.src_path] = _guarded_stamp(ctx, page.src_path, views)
        for name, arg in views:
            key = cache_key(stamp_, name, arg) if stamp_ else ""
            if key and store.has("views", key):  # read when the page is rendered
                out.stored[(page.src_path, name, arg)] = key
            else:
                todo.append((page.src_path, name, arg, key))
    links = ctx.links
    saved = (links.current, links.source)
    _JOB = ctx
    try:
        results = parallel.run(_render_job, todo, workers)
    finally:
        _JOB = None
        links.current, links.source = saved
    for (page, name, arg, key), (value, state) in zip(todo, results):
        out.rendered += 1
        if state == "stored":
            out.stored[(page, name, arg)] = key
        elif state == "rendered":
            out.results[(page, name, arg)] = value
        # "failed": rendered again (and reported) where the host meets the directive
    return out


def _guarded_stamp(ctx: RenderContext, page: str, views: list[tuple[str, str]]) -> str:
    found, failed = guarded(page, 1, msg("diag.guard.stage_finding_page_content"), stamp, ctx, page, views)
    return "" if failed is not None else found


def _render_job(job: tuple[str, str, str, str]) -> tuple[Any, str]:
    """Render one view: ``(None, "stored")`` once it is in the cache, else ``(value, "rendered")``,
    or ``(None, "failed")``."""
    assert _JOB is not None
    page, name, arg, key = job
    ctx = _JOB
    ctx.links.locate(page)
    fn = directives()[name]
    value, failed = guarded(page, 1, directive_stage(name, arg), fn, arg, ctx)
    if failed is not None:
        return None, "failed"
    if key and ctx.portal.cache.put("views", key, value):
        return None, "stored"
    return value, "rendered"
