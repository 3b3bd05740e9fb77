"""The search copies: a built page as Pagefind should read it, written to a scratch folder.

:func:`write_copy` runs in the helper process (:class:`~sop_plugin.parallel.Helper`), a fresh
interpreter beside the build: this module imports nothing but the standard library, so that
process holds only what preparing the copies needs.  :mod:`sop_plugin.search` runs Pagefind over
the copies.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

VOCABULARY = "sop-search-vocabulary"  # a page in every part: every word of the site; the search box hides it
LANGUAGE = "id"
BODY = "data-pagefind-body"


_BODY_OPEN = re.compile(r"<div\b[^>]*\bdata-pagefind-body\b[^>]*>")
BODY_END = "<!-- /data-pagefind-body -->"  # overrides/main.html closes the searched element with it
# elements Pagefind must not read, found by their opening tag or by an attribute in it.  An SOP's
# flowchart, SOP-AP table, analysis, walkthrough and history repeat its step table; its related
# SOPs (identity table) are their words, not its own; the technical details for its authors
# (findings with codes and file paths, in English) are not what staff search for.  Nor are the
# portal's own words on every SOP page (identity table and approval labels, signature states and
# dates, step numbers, "Lanjut ke langkah 5", tab names, form links): a query for them would rank
# every SOP alike, and they were a quarter of the words Pagefind held for each SOP page
_NOT_SEARCHED = re.compile(r'class="(?:sop-tab-panel sop-tab-panel-(?:mermaid|sopap)'
                           r'|sop-analysis|sop-walkthrough|sop-audit|sop-id-related|sop-problems-detail'
                           r'|sop-id-key|sop-id-head|sop-approvals-title|sop-approval-(?:meaning|date|status|verdict|key)'
                           r'|sop-col-no|sop-next|sop-report-step|sop-tab-label|sop-monev-link)(?:\s[^"]*)?"')
_SVG = re.compile(r"<svg\b")  # icons and drawings: no words, most of a page's bytes
_THEAD = re.compile(r"<thead\b")  # column headings ("No", "Kegiatan") on every page
# a generated listing (role, unit, document pages) keeps only its prose
_TABLE = re.compile(r"<table\b")
_MERMAID = re.compile(r"data-sop-mermaid\b")
_SOP_HEADING = re.compile(r"<h[2-6]\b(?=[^>]*>(?:(?!</h[2-6]>).){0,400}?class=\"sop-id\")", re.S)
_SOP_LIST = re.compile(r"<(?:ul|ol)\b(?=[^>]*>\s*<li[^>]*>(?:(?!</li>).){0,300}?class=\"sop-id\")", re.S)
_NAME = re.compile(r"<([a-z][a-z0-9]*)")
_TAGS: dict[str, re.Pattern[str]] = {}
# Pagefind weighs an h1 7 by default: an SOP's title counts more, a role or unit name less
SOP_TITLE_WEIGHT = 10
LISTING_TITLE_WEIGHT = 3


def _drop(text: str, marker: re.Pattern[str]) -> str:
    """``text`` without the elements whose opening tag ``marker`` matches (the tag or something in it).

    The end of an element is found by counting its tag's openings and closings: the
    pages are the portal's own sanitised output, where a ``<`` or ``>`` outside a tag
    is always escaped (nh3 escapes attribute values too), so a match outside a tag
    (words in a paragraph) is told apart and kept.  An element that never closes is kept.
    """
    out: list[str] = []
    pos = 0
    while (m := marker.search(text, pos)) is not None:
        start = text.rfind("<", pos, m.start() + 1)
        name = _NAME.match(text, start) if start >= 0 else None
        opened = text.find(">", m.start())
        if name is None or opened < 0 or text.rfind(">", start, m.start()) >= 0:
            out.append(text[pos:m.end()])  # not in an opening tag
            pos = m.end()
            continue
        out.append(text[pos:start])
        pos = opened + 1
        if text[opened - 1] == "/":  # <svg ... />
            continue
        tag = name.group(1)
        scan = _TAGS.get(tag) or _TAGS.setdefault(tag, re.compile(rf"<(/?){tag}\b[^>]*>"))
        depth = 1
        for t in scan.finditer(text, pos):
            if t.group(0).endswith("/>"):
                continue
            depth += -1 if t.group(1) else 1
            if depth == 0:
                pos = t.end()
                break
        else:
            out.append(text[start:])  # unbalanced: keep the rest as it is
            return "".join(out)
    out.append(text[pos:])
    return "".join(out)


def prepare(text: str, *, annotate: str = "", listing: bool = False) -> str:
    """A page as Pagefind should read it (the scratch copy; the site's page is not changed).

    Only the ``data-pagefind-body`` element is kept, without what must not be
    indexed: the views that repeat an SOP's steps (flowchart, SOP-AP table,
    analysis, walkthrough, history), its related SOPs, the technical details
    for its authors, the portal's own labels and step links, column headings
    and drawings.  Every occurrence of a word
    costs index bytes that a query downloads, and every byte left out is one
    Pagefind does not parse (nor hold in memory: its memory grows with the
    text it indexes).  Table
    cells are separated by a space (no "NoKegiatanWaktu" in excerpts).  An SOP
    page gets its :func:`annotation`; a generated listing (role, unit, document
    pages) keeps only its prose: its tables, graphs and SOP headings repeat the
    SOPs, so a word from an SOP ranks the SOP, not every list that mentions it.
    An SOP's title weighs more than a listing's.
    """
    m = _BODY_OPEN.search(text)
    if m is not None:
        end = text.rfind(BODY_END, m.end())
        closing = "</div>" if end >= 0 else ""
        body = text[m.start(): end if end >= 0 else len(text)]
        lead = text.find("<body")
        text = (text[:lead] if lead >= 0 else "") + "<body>" + body + closing + "</body></html>"
    for element in (_SVG, _NOT_SEARCHED, _THEAD) + ((_TABLE, _MERMAID, _SOP_HEADING, _SOP_LIST) if listing else ()):
        text = _drop(text, element)
    for tag in ("</td>", "</th>", "</caption>"):
        text = text.replace(tag, " " + tag)
    if listing:
        text = text.replace("<h1", f'<h1 data-pagefind-weight="{LISTING_TITLE_WEIGHT}"', 1)
    if annotate:
        text = text.replace("<h1", f'<h1 data-pagefind-weight="{SOP_TITLE_WEIGHT}"', 1)
        m = _BODY_OPEN.search(text)
        if m:
            text = text[: m.end()] + annotate + text[m.end():]
    return text

_words: set[str] = set()  # the words of the copies written by this process since write_vocabulary
_NOT_TEXT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S)
# Pagefind's reading of a page: these elements separate words, the others (a, span, b...) do not
_SPACED = re.compile(r"</?(?:h[1-6]|p|td|div|ul|li|article|section|br)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")


def write_copy(path: str, page: str, annotate: str, listing: bool, collect: bool) -> None:
    """Prepare one page (:func:`prepare`) and write it to ``path`` (runs in the search copies' helper process);
    with ``collect``, remember its words for :func:`write_vocabulary`."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    text = prepare(page, annotate=annotate, listing=listing)
    dest.write_text(text, encoding="utf-8")
    if collect:
        body = _SPACED.sub(" ", _NOT_TEXT.sub(" ", text[max(text.find("<body"), 0):]))
        _words.update(html.unescape(_TAG.sub("", body)).split())


def write_vocabulary(path: str) -> None:
    """Write the words :func:`write_copy` collected as one page, and forget them (runs after the copies)."""
    words = html.escape(" ".join(sorted(_words)))
    _words.clear()
    Path(path).write_text(f'<!doctype html><html lang="{LANGUAGE}"><head><title>{VOCABULARY}</title></head>'
                          f'<body><div {BODY}><p>{words}</p></div></body></html>', encoding="utf-8")


def body_opening(page: str) -> bool:
    """Does ``page`` have the element Pagefind reads (``data-pagefind-body``, as an attribute)?"""
    return _BODY_OPEN.search(page) is not None


def forget_words() -> None:
    """Forget the words collected so far (a build that failed in this process may have left some)."""
    _words.clear()
