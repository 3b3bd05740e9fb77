"""The one allow-list for author-controlled HTML (see docs/guide/security.md).

Author text (free sections, step details and notes, titles, Monev findings)
is rendered to HTML by Markdown and then cleaned here, on the *output*:
whatever the Markdown source did (entity-encoded schemes, reference
definitions, ``attr_list``, raw HTML), only the tags and attributes below
survive.  The cleaner is `nh3` (the Ammonia HTML sanitiser), which parses
the fragment like a browser does, so the checks see the URL a browser would
follow, not the text the author typed.

Policy:

* tags: text structure, lists, tables, links, code, images, details; no
  ``script``, ``style``, ``iframe``, ``form``, ``svg``, ``object`` or ``base``;
* attributes: ``href``/``title`` on links, ``src``/``alt`` on images, table
  spans, ``id`` and ``class`` (with the exceptions below); no ``style``, no
  event attributes (``on*``), no ``target``, ``srcset`` or ``ping``;
* URLs: ``http``, ``https``, ``mailto`` and relative ones; nothing else
  (``javascript:``, ``data:``, ``vbscript:``, ``file:`` are removed);
* images load only from the site itself (relative URLs): a remote image
  (``http://``, ``//host``) would break the offline promise and tell a
  third party who reads what; a site opts in with the plugin option
  ``remote_images: true``;
* ``id`` values the page needs for itself (step anchors ``step-N``, the
  title ``sop-title``, tabs ``sop-flow-*``, the theme's ``md-*`` and ``__*``) and ``class`` names of the
  portal and the theme (``sop-*``, ``md-*``) are dropped, so author content
  cannot restyle or take over the page's own elements.

Whole SOP pages are cleaned outside the fragments the portal renders itself
(:func:`trusted` marks those): see :func:`clean_page`.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import secrets
from typing import Iterator

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var", "wbr",
})
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# anchors of the page's own elements (step rows, SOP-AP rows, title, tabs) and of the theme
_RESERVED_ID = re.compile(r"^(?:(?:sopap-)?step-\d+$|sop-(?:title|audit-trail|home-q)$|sop-(?:flow|tab)-|md-|_)",
                          re.IGNORECASE)
_RESERVED_CLASS = re.compile(r"^(?:sop-|md-)", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)
# characters a browser ignores inside a URL (whitespace and C0 controls)
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")

_remote_images: contextvars.ContextVar[bool] = contextvars.ContextVar("sop_remote_images", default=False)


def reserved_id(value: str) -> bool:
    """True for anchors the page uses itself (``step-3``, ``sop-title``, the theme's ``md-…`` / ``__…``)."""
    return bool(_RESERVED_ID.match(value.strip()))


def is_remote(url: str) -> bool:
    """True for a URL that leaves the site: any scheme or a protocol-relative ``//host`` (``\\\\host``)."""
    return bool(_REMOTE.match(_IGNORED.sub("", url)))


@contextlib.contextmanager
def remote_images(allowed: bool) -> Iterator[None]:
    """Within the block, :func:`clean` keeps remote image URLs when ``allowed`` (the site opted in)."""
    token = _remote_images.set(bool(allowed))
    try:
        yield
    finally:
        _remote_images.reset(token)


def remote_images_allowed() -> bool:
    """Whether :func:`clean` keeps remote image URLs here (see :func:`remote_images`)."""
    return _remote_images.get()


def _filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "id":
        return None if reserved_id(value) else value
    if attr == "class":
        kept = [c for c in value.split() if not _RESERVED_CLASS.match(c)]
        return " ".join(kept) or None
    if tag == "img" and attr == "src" and is_remote(value) and not _remote_images.get():
        return None
    return value


def clean(fragment: str) -> str:
    """``fragment`` with only the allowed tags, attributes and URLs (see the module docstring)."""
    if not fragment:
        return ""
    return nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# -- whole pages: author output between fragments the portal renders itself ------------------

# Random per process: author text cannot forge a marker it cannot know.
_NONCE = secrets.token_hex(16)
PAGE_MARK = f"<!--sop-clean-page-{_NONCE}-->"
_OPEN = f"<!--sop-trusted-{_NONCE}-->"
_CLOSE = f"<!--/sop-trusted-{_NONCE}-->"
_TRUSTED = re.compile(re.escape(_OPEN) + r"(.*?)" + re.escape(_CLOSE), re.DOTALL)


def trusted(fragment: str) -> str:
    """Mark an HTML fragment the portal rendered (escaped templates) to pass :func:`clean_page` as is."""
    return f"{_OPEN}{fragment}{_CLOSE}"


def clean_page(page_html: str) -> str:
    """A page that holds :data:`PAGE_MARK`: everything outside :func:`trusted` fragments is cleaned.

    Markdown may move author text (footnotes, reference definitions, raw HTML
    blocks that run on), so the rule is the other way round: only what the
    portal marked as its own stays unfiltered, all the rest is author output.
    Pages without the mark are returned as they are, without the markers.
    """
    if PAGE_MARK not in page_html:
        return page_html.replace(_OPEN, "").replace(_CLOSE, "")
    page_html = page_html.replace(PAGE_MARK, "")
    out: list[str] = []
    pos = 0
    for m in _TRUSTED.finditer(page_html):
        out.append(clean(page_html[pos:m.start()]))
        out.append(m.group(1))
        pos = m.end()
    out.append(clean(page_html[pos:]))
    return "".join(out)


__all__ = ["clean", "clean_page", "trusted", "remote_images", "reserved_id", "is_remote", "PAGE_MARK",
           "TAGS", "ATTRIBUTES", "URL_SCHEMES"]
