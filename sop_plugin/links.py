"""Where an SOP's pages live in the site, and links between pages.

Plain string work (no HTML, no MkDocs): pages, exports and views share it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from . import ids


def sop_slug(sop_id: str) -> str:
    """The safe key of an SOP: its page path, URL segment and directive argument (see :mod:`sop_plugin.ids`)."""
    return ids.slug(sop_id)


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

    def at_sop(self, sop_id: str) -> Links:
        """The same links as seen from ``sop_id``'s page."""
        return Links(self.sop_prefix, self.page_url(self.sop_page(sop_id)), self.use_directory_urls)
