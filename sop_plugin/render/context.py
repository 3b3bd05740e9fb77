"""What every renderer receives: the corpus, the settings, links and the language."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from .. import i18n
from ..model import Corpus, Diagnostic, Sop
from ..settings import Settings


def sop_slug(sop_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in sop_id.lower())


@dataclass
class Links:
    """Site-relative page paths and URLs relative to the page being rendered.

    ``current`` is the site path of the page being rendered (``sop/sop-umum-004/``),
    set by the host before each page; ``use_directory_urls`` follows MkDocs.
    """

    sop_prefix: str = "sop"
    current: str = ""
    use_directory_urls: bool = True

    def sop_page(self, sop_id: str) -> str:
        """The Markdown source path of an SOP's generated page."""
        return f"{self.sop_prefix}/{sop_slug(sop_id)}.md"

    def page_url(self, src_path: str) -> str:
        """Site URL (from the root) of a Markdown page path."""
        stem = src_path[:-3] if src_path.endswith(".md") else src_path
        if not self.use_directory_urls:
            return stem + ".html"
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"

    def href(self, src_path: str, anchor: str = "") -> str:
        """A link from the current page to ``src_path`` (a Markdown page or an asset path)."""
        target = self.page_url(src_path) if src_path.endswith(".md") else src_path
        base = self.current if self.current.endswith("/") or not self.current else posixpath.dirname(self.current) + "/"
        rel = posixpath.relpath("/" + target, "/" + base)
        if (target == "" or target.endswith("/")) and not rel.endswith("/"):
            rel += "/"
        if rel == "./" or rel == ".":
            rel = "./"
        return rel + (f"#{anchor}" if anchor else "")

    def sop_href(self, sop_id: str, anchor: str = "") -> str:
        return self.href(self.sop_page(sop_id), anchor)


@dataclass
class RenderContext:
    corpus: Corpus
    settings: Settings
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lang: str = i18n.DEFAULT_LANG
    links: Links = field(default_factory=Links)
    options: dict[str, Any] = field(default_factory=dict)  # site options (institution, logo, ...)

    def t(self, key: str, **fields: object) -> str:
        return i18n.t(self.lang, key, **fields)

    _published: dict[str, Sop] | None = field(default=None, repr=False)

    def diagnostics_for(self, sop: Sop) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.file == sop.path]

    @property
    def published(self) -> dict[str, Sop]:
        """Published SOPs by id (computed once per context)."""
        if self._published is None:
            from ..publish import published

            self._published = {s.id: s for s in published(self.corpus, self.settings) if s.id}
        return self._published

    def sop_href(self, sop_id: str, anchor: str = "") -> str | None:
        """Link to a published SOP's page, ``None`` when it has none in this build."""
        if sop_id not in self.published:
            return None
        return self.links.sop_href(sop_id, anchor)
