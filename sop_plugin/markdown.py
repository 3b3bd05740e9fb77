"""The Python-Markdown extension: ``::: sop SOP-ID`` becomes the SOP's page.

Any Python-Markdown host can use it (MkDocs, ProperDocs, Zensical): the
MkDocs plugin only wraps it, handing over the corpus it loaded once.  On
its own the extension loads the SOP folder itself::

    markdown_extensions:
      - sop_plugin.markdown:
          sops_dir: sops
          lang: id

Directive lines (alone in their paragraph):

``::: sop SOP-UMUM-004``      the SOP page (header, free sections, steps, flowcharts)
``::: <name> [argument]``     any view registered with :func:`sop_plugin.render.blocks.directive`
                              (catalogue, unit page, dashboard, forms, ...)
"""

from __future__ import annotations

import html
import logging
import sys
from typing import Any, Callable

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from pathlib import Path

from . import sanitize
from .guard import directive_stage, guarded
from .model import Diagnostic
from .pipeline import build
from .render import blocks as registry
from .render.context import RenderContext
from .render.page import Part, page_parts, render_sop_page
from .settings import DEFAULTS, Settings

log = logging.getLogger(__name__)

_DIRECTIVE = registry.DIRECTIVE_LINE

# options of the extension for hosts without the MkDocs plugin (the same names as the plugin's)
OPTIONS: dict[str, list[Any]] = {
    "base_dir": ["", "Project folder that sops_dir and the assets are relative to (default: the current folder)"],
    "sops_dir": [DEFAULTS.sops_dir, "Folder of the SOP files and units.yml"],
    "lang": [DEFAULTS.lang, "UI language: 'id' (default) or 'en'"],
    "include_drafts": [DEFAULTS.include_drafts, "Render draft and review SOPs (a preview build)"],
    "public": [DEFAULTS.public, "A public build: confidential SOPs are never rendered"],
    "require_signed": [DEFAULTS.require_signed, "An approval without a content digest is an error"],
    "id_pattern": [DEFAULTS.id_pattern, "Regular expression every SOP id must match"],
    "procedure_headings": [list(DEFAULTS.procedure_headings), "Headings that mark the procedure section"],
    "hours_per_day": [DEFAULTS.calendar.hours_per_day, "Working hours in a day"],
    "days_per_week": [DEFAULTS.calendar.days_per_week, "Working days in a week"],
    "review_due_days": [DEFAULTS.review_due_days, "Reviews due within this many days are upcoming"],
    "today": [None, "Pin today's date (YYYY-MM-DD)"],
    "url_prefix": [DEFAULTS.url_prefix, "Folder of the SOP pages in the site"],
    "use_directory_urls": [DEFAULTS.use_directory_urls, "Pages are folders (page/) rather than files (page.html)"],
    "site_name": [DEFAULTS.site_name, "The site's name (sops.json)"],
    "institution": [{}, "name and logo of the institution (identity block)"],
    "simulate": [{}, "Build-time simulation: enabled, cases, seed"],
    "disabled_blocks": [[], "SOP page blocks to leave out"],
    "audit_git": [DEFAULTS.audit_git, "Read the audit trail's commits from git"],
    "report_issue_url": [DEFAULTS.report_issue_url, "Report-a-problem link template ({id}, {version}, {title}, "
                                                    "{step}); empty: no link"],
    "links": ["auto", "Relative links are from the page's 'url' (MkDocs) or its 'source' file (hosts that "
                      "rewrite links, Zensical); 'auto': 'source' under Zensical"],
}


class SopExtension(Extension):
    """``::: sop ID`` and the portal directives.

    Given a ``context`` (the MkDocs plugin passes a callable returning the
    build's :class:`RenderContext`) it renders from it; otherwise it builds
    the portal itself from its config on first use (standalone hosts).
    """

    def __init__(self, context: RenderContext | Callable[[], RenderContext] | None = None,
                 report: Callable[[Diagnostic], None] | None = None,
                 defer: Callable[[str], str] | None = None, **kwargs: Any):
        # the context is an object, not a config value (Python-Markdown would coerce it to a bool)
        self._given = context
        # where large fragments wait until the page is written (the MkDocs plugin: render.deferred.Spool.put)
        self.defer = defer
        # where a page that failed to render is reported (the MkDocs plugin passes its logger)
        self.report = report or (lambda d: log.error(d.format()))
        self.config = {k: list(v) for k, v in OPTIONS.items()}
        super().__init__(**kwargs)
        self._ctx: RenderContext | None = None

    def context(self) -> RenderContext:
        given = self._given
        if given is not None:
            return given() if callable(given) else given
        if self._ctx is None:
            options = {k: v for k, v in self.getConfigs().items() if k not in ("base_dir", "links")}
            base = Path(self.getConfig("base_dir") or ".").resolve()
            self._ctx = RenderContext.of(build(Settings.from_options(options), base, extra=page_parts))
            mode = self.getConfig("links")
            self._ctx.links.source_relative = mode == "source" or (mode == "auto" and "zensical" in sys.modules)
        return self._ctx

    def reset(self) -> None:
        """Between documents: a standalone host's links start from the site root (``::: sop-page`` moves them)."""
        if self._given is None and self._ctx is not None:
            self._ctx.links.current = self._ctx.links.source = ""

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # after normalize_whitespace (30), which would strip the stash placeholders,
        # before fenced code (25) and raw HTML (20), which must see the inserted Markdown
        md.preprocessors.register(SopPreprocessor(md, self.context, self.report, self.defer), "sop", 29)
        # last, after raw HTML is restored: author output on SOP pages passes the allow-list
        md.postprocessors.register(CleanPostprocessor(md, self.context), "sop-clean", 1)


class SopPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, context: Callable[[], RenderContext],
                 report: Callable[[Diagnostic], None] | None = None, defer: Callable[[str], str] | None = None):
        super().__init__(md)
        self.context = context
        self.report = report or (lambda d: log.error(d.format()))
        self.defer = defer

    def run(self, lines: list[str]) -> list[str]:
        if not any(line.startswith(":::") for line in lines):
            return lines
        out: list[str] = []
        fence: str | None = None
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith(("```", "~~~")):
                marker = stripped[:3]
                fence = None if fence == marker else (fence or marker)
            m = _DIRECTIVE.match(line) if fence is None else None
            if not m:
                out.append(line)
                continue
            out.extend(self.expand(m.group(1), (m.group(2) or "").strip()))
        return out

    def expand(self, name: str, arg: str) -> list[str]:
        """The lines a directive becomes; one that fails to render becomes an error box, the page stays.

        The render-time catch point (see :mod:`sop_plugin.guard`): an SOP page or
        a view that raises is reported as SOP900 (on the SOP's file, or on the page
        for a view) and replaced by a message; the rest of the page and the site build.
        """
        ctx = self.context()
        sop = ctx.sop_by_key(arg) if name == "sop" else None
        where = sop.path if sop is not None else (ctx.links.current or "?")
        if sop is not None and sop.path in ctx.portal.broken:  # an earlier stage failed for it
            return self.error_box(ctx, sop.path)
        lines, failed = guarded(where, 1, directive_stage(name, arg),
                                self.render, ctx, name, arg)
        if failed is not None:
            ctx.portal.diagnostics.append(failed)
            self.report(failed)
            return self.error_box(ctx, where)
        return lines

    def error_box(self, ctx: RenderContext, where: str) -> list[str]:
        return self.html_lines(f'<div class="sop-banner sop-banner-problems" role="alert">'
                               f'{html.escape(ctx.t("directive.internal_error", file=where))}</div>')

    def render(self, ctx: RenderContext, name: str, arg: str) -> list[str]:
        if name == "sop":
            sop = ctx.sop_by_key(arg)
            if sop is None:
                return self.html_lines(f'<div class="sop-banner sop-banner-problems">'
                                       f'{html.escape(ctx.t("directive.unknown_sop", id=arg))}</div>')
            parts = ctx.portal.extra(sop)  # rendered by the build, beside the analysis
            if parts is None:
                parts = render_sop_page(sop, ctx, frozenset(ctx.settings.disabled_blocks))
            return self.parts(parts)
        # rendered ahead by the MkDocs plugin, on all cores (see sop_plugin.render.prerender)
        ready = ctx.prerendered.take(ctx.links.source, name, arg) if ctx.prerendered is not None else None
        if ready is not None:
            return self.parts(ready) if isinstance(ready, list) else self.html_lines(ready)
        fn = registry.directives().get(name)
        if fn is None:
            return self.html_lines(f'<div class="sop-banner sop-banner-problems">'
                                   f'{html.escape(ctx.t("directive.unknown", name=name))}</div>')
        result = fn(arg, ctx)
        if isinstance(result, list):
            return self.parts(result)
        return self.html_lines(result)

    def parts(self, parts: list[Part]) -> list[str]:
        out: list[str] = []
        for p in parts:
            if p.kind == "html":
                out.extend(self.html_lines(p.text))
            else:
                out.extend(["", *p.text.split("\n"), ""])
        if any(p.kind != "html" for p in parts):  # author Markdown on this page: clean the page's output
            out[:0] = ["", self.md.htmlStash.store(sanitize.PAGE_MARK), ""]
        return out

    def html_lines(self, fragment: str) -> list[str]:
        # the portal's own fragment (escaped templates): kept as is when the page is cleaned
        fragment = self.context().links.for_host(fragment.strip())
        # a large one waits on disk until the page is written; not the page's title, which the theme
        # looks for in the converted page (mkdocs-material adds its own <h1> to a page without one)
        if self.defer is not None and "<h1" not in fragment:
            fragment = self.defer(fragment)
        placeholder = self.md.htmlStash.store(sanitize.trusted(fragment))
        return ["", placeholder, ""]


class CleanPostprocessor(Postprocessor):
    """SOP pages: author output through the allow-list; every page: no confidential id or title (public builds)."""

    def __init__(self, md: Markdown, context: Callable[[], RenderContext] | None = None):
        super().__init__(md)
        self.context = context

    def run(self, text: str) -> str:
        if self.context is None:
            return sanitize.clean_page(text)
        ctx = self.context()
        with sanitize.remote_images(ctx.settings.remote_images):
            text = sanitize.clean_page(text)
        if ctx.restricted:  # the table of contents is built from the headings before this step
            _redact_toc(getattr(self.md, "toc_tokens", []), ctx.redact)
        return ctx.redact(text)


def _redact_toc(tokens: list[dict[str, Any]], redact: Callable[[str], str]) -> None:
    for token in tokens:
        for key in ("name", "html", "id"):
            if isinstance(token.get(key), str):
                token[key] = redact(token[key])
        _redact_toc(token.get("children", []), redact)


def makeExtension(**kwargs: Any) -> SopExtension:  # noqa: N802 - Python-Markdown's hook name
    return SopExtension(**kwargs)
