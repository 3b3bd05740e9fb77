"""Where an SOP's pages live in the site, and links between pages.

Plain string work (no HTML, no MkDocs): pages, exports and views share it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from . import ids
from .memo import memo


_ANCHOR_HREF = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')


@memo(4096)  # views link thousands of times between the same few hundred pages, a page to many (as many
# hits at 1,000 SOPs as 65,536 entries, which held 2.9 MB)
def _relative(target: str, current: str) -> str:
    """The URL of site path ``target`` relative to the page at site URL ``current``."""
    base = current if current.endswith("/") or not current else posixpath.dirname(current) + "/"
    rel = posixpath.relpath("/" + target, "/" + base)
    if (target == "" or target.endswith("/")) and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        rel = "./"
    return rel


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
    # hosts that rewrite every relative <a href> of a page as if written in its Markdown source (Zensical)
    source_relative: bool = False
    source: str = ""  # the Markdown source path of the current page, when the page said so (::: sop-page)

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
        return _relative(target, self.current) + (f"#{anchor}" if anchor else "")

    def locate(self, src_path: str) -> None:
        """Links from now on are from the page whose Markdown source is ``src_path``."""
        self.current = self.page_url(src_path)
        self.source = src_path

    def for_host(self, fragment: str) -> str:
        """``fragment`` with its ``<a href>`` links made relative to the page's source, if the host rewrites them.

        Zensical treats every relative ``<a href>`` in a page as written in the
        Markdown source and rebases it to the page's URL; links inside SVG
        (``xlink:href``) and Mermaid text are left alone, so only anchors change.
        """
        if not (self.source_relative and self.source):
            return fragment
        base = self.current if self.current.endswith("/") or not self.current else posixpath.dirname(self.current) + "/"
        src_dir = posixpath.dirname("/" + self.source)

        def rebase(m: re.Match[str]) -> str:
            href = m.group(2)
            if not href or href.startswith(("#", "/")) or ":" in href.split("/", 1)[0].split("#", 1)[0]:
                return m.group(0)
            path, sep, anchor = href.partition("#")
            target = posixpath.normpath(posixpath.join("/" + base, path))
            rel = posixpath.relpath(target, src_dir)
            if path.endswith("/") and not rel.endswith("/"):
                rel += "/"
            return m.group(1) + rel + sep + anchor + m.group(3)

        return _ANCHOR_HREF.sub(rebase, fragment)

    def sop_href(self, sop_id: str, anchor: str = "") -> str:
        return self.href(self.sop_page(sop_id), anchor)

    def at_sop(self, sop_id: str) -> Links:
        """The same links as seen from ``sop_id``'s page."""
        return Links(self.sop_prefix, self.page_url(self.sop_page(sop_id)), self.use_directory_urls)  # a page URL
