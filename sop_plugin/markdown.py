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
import re
from typing import Any, Callable

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

from . import i18n
from .render import blocks as registry
from .render.context import Links, RenderContext
from .render.page import Part, render_sop_page

_DIRECTIVE = re.compile(r"^:::[ \t]+(sop(?:-[a-z0-9-]+)?)(?:[ \t]+(.*?))?[ \t]*$")

class SopExtension(Extension):
    def __init__(self, context: RenderContext | Callable[[], RenderContext] | None = None, **kwargs: Any):
        # the context is an object, not a config value (Python-Markdown would coerce it to a bool)
        self._given = context
        self.config = {
            "sops_dir": ["sops", "Folder of the SOP files and units.yml (standalone use)"],
            "lang": [i18n.DEFAULT_LANG, "UI language: 'id' (default) or 'en'"],
            "include_drafts": [False, "Render draft and review SOPs"],
        }
        super().__init__(**kwargs)
        self._ctx: RenderContext | None = None

    def context(self) -> RenderContext:
        given = self._given
        if given is not None:
            return given() if callable(given) else given
        if self._ctx is None:
            self._ctx = standalone_context(self.getConfig("sops_dir"), self.getConfig("lang"),
                                           bool(self.getConfig("include_drafts")))
        return self._ctx

    def extendMarkdown(self, md: Markdown) -> None:
        md.registerExtension(self)
        # after normalize_whitespace (30), which would strip the stash placeholders,
        # before fenced code (25) and raw HTML (20), which must see the inserted Markdown
        md.preprocessors.register(SopPreprocessor(md, self.context), "sop", 29)


def standalone_context(sops_dir: str, lang: str, include_drafts: bool) -> RenderContext:
    """Load and validate a corpus for hosts without the MkDocs plugin."""
    from .checks import validate
    from .corpus import load_corpus
    from .settings import Settings

    settings = Settings(include_drafts=include_drafts)
    corpus = load_corpus(sops_dir, settings)
    return RenderContext(corpus=corpus, settings=settings, diagnostics=validate(corpus, settings),
                         lang=i18n.normalize(lang), links=Links())


class SopPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, context: Callable[[], RenderContext]):
        super().__init__(md)
        self.context = context

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
        ctx = self.context()
        if name == "sop":
            sop = ctx.published.get(arg)
            if sop is None:
                return self.html_lines(f'<div class="sop-banner sop-banner-problems">'
                                       f'{html.escape(ctx.t("directive.unknown_sop", id=arg))}</div>')
            return self.parts(render_sop_page(sop, ctx, frozenset(ctx.options.get("disabled_blocks", ()))))
        fn = registry.DIRECTIVES.get(name)
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
        return out

    def html_lines(self, fragment: str) -> list[str]:
        placeholder = self.md.htmlStash.store(fragment.strip())
        return ["", placeholder, ""]


def makeExtension(**kwargs: Any) -> SopExtension:  # noqa: N802 - Python-Markdown's hook name
    return SopExtension(**kwargs)
