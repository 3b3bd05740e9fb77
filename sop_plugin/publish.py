"""Which SOPs a build publishes, and how any view names an SOP: one rule for every page, list and export.

Two questions, answered here only:

* :func:`published` — which SOPs get a page (and a row, a node, a record).
* :func:`reference` — what a view shows for an SOP *mentioned* by another one
  (related, handover, successor, a finding, a diagnostic).  In a public build
  a confidential SOP is never named: the view shows the neutral placeholder
  "SOP terbatas" with no id, no title and no link.

Confidential fails closed: any ``confidential`` value other than a real
boolean ``false`` (or no key at all) makes the SOP confidential (the parser
reports every such value), and an SOP whose id is outside the id grammar or
shares its page with another SOP is not published at all.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Callable

from . import ids
from .model import Corpus, Sop
from .settings import Settings


def is_confidential(sop: Sop) -> bool:
    """Anything but a real ``False`` counts as confidential (the parser sets ``True`` for doubtful values)."""
    return sop.confidential is not False


def is_published(sop: Sop, settings: Settings) -> bool:
    """Drafts and SOPs in review only in a preview build; confidential ones never in a public build.

    An SOP without an id, or with an id outside the id grammar, cannot be
    addressed and gets no page; its problems are still reported.  An SOP
    whose status is missing or invalid is treated like a draft.
    """
    if not ids.is_valid(sop.id):
        return False
    if settings.public and is_confidential(sop):
        return False
    if sop.status is None or sop.status.may_be_incomplete:
        return settings.include_drafts
    return True


def clashes(corpus: Corpus) -> dict[str, tuple[list[Sop], bool]]:
    """Path of each SOP involved in a page clash -> (the other SOPs involved, whether it is left out).

    Two files with the same id, two ids with the same slug (``SOP/UMUM/002`` and
    ``SOP-UMUM-002``), an id whose page is another SOP's Monev forms page
    (``SOP-UMUM-001-MONEV``) or a page or anchor the portal generates itself
    (``index``, ``step-1``): none of them is published, so no file can take
    over another's page; only the SOP whose Monev page was aimed at keeps its
    pages.  ``checks/references.py`` reports each clash on every file involved.
    """
    by_slug: dict[str, list[Sop]] = {}
    for sop in corpus.sops:
        if ids.is_valid(sop.id):
            by_slug.setdefault(ids.slug(sop.id or ""), []).append(sop)
    out: dict[str, tuple[list[Sop], bool]] = {}
    for slug, group in by_slug.items():
        others: list[Sop] = list(group) if len(group) > 1 else []
        victims = by_slug.get(slug[: -len(ids.MONEV_SUFFIX)], []) if slug.endswith(ids.MONEV_SUFFIX) else []
        if others or victims or ids.reserved(slug):
            for sop in group:
                out[sop.path] = ([o for o in others + victims if o is not sop], True)
        for victim in victims:
            before = out.get(victim.path, ([], False))
            out[victim.path] = (before[0] + group, before[1])
    return out


def published(corpus: Corpus, settings: Settings) -> list[Sop]:
    """Published SOPs in corpus order; SOPs whose pages clash (see :func:`clashes`) are left out."""
    blocked = {path for path, (_, left_out) in clashes(corpus).items() if left_out}
    return [s for s in corpus.sops if s.path not in blocked and is_published(s, settings)]


# -- naming an SOP from another one ------------------------------------------------------

RESTRICTED_KEY = "ref.restricted"  # i18n key of the placeholder ("SOP terbatas")


def restricted_keys(corpus: Corpus, settings: Settings) -> frozenset[str]:
    """Case-folded ids and slugs no view of this build may show (confidential SOPs of a public build)."""
    if not settings.public:
        return frozenset()
    out: set[str] = set()
    for sop in corpus.sops:
        if sop.id and is_confidential(sop):
            out.add(sop.id.strip().casefold())
            out.add(ids.slug(sop.id.strip()))
    return frozenset(out)


def is_restricted(sop_id: str | None, keys: frozenset[str]) -> bool:
    if not sop_id or not keys:
        return False
    text = str(sop_id).strip()
    return text.casefold() in keys or ids.slug(text) in keys


@dataclass(frozen=True)
class SopRef:
    """What a view shows for a mentioned SOP: its id, title and link, or the placeholder."""

    id: str | None
    title: str | None
    href: str | None
    restricted: bool = False
    label: str = ""  # the text to show: the id, or the placeholder


def reference(sop_id: str, *, corpus: Corpus, keys: frozenset[str], placeholder: str,
              href: Callable[[str], str | None]) -> SopRef:
    """The one rule every view calls to name another SOP (see the module docstring)."""
    if is_restricted(sop_id, keys):
        return SopRef(None, None, None, True, placeholder)
    other = corpus.get(sop_id)
    title = other.title if other is not None else None
    return SopRef(sop_id, title, href(sop_id), False, sop_id)


def redact(text: str, corpus: Corpus, keys: frozenset[str], placeholder: str) -> str:
    """``text`` with every confidential id and title of this build replaced by the placeholder.

    The last line of defence for text no structured reference covers (a finding
    or a diagnostic that names the SOP, a free section that mentions it).
    """
    return redactor(corpus, keys, placeholder)(text) if keys and text else text


def redactor(corpus: Corpus, keys: frozenset[str], placeholder: str) -> Callable[[str], str]:
    """:func:`redact` as a function of the text alone, holding the pattern, not the corpus: a host
    keeps it to redact pages it writes after letting go of the SOPs."""
    pattern = _redaction_pattern(corpus, keys) if keys else None
    if pattern is None:
        return _unchanged
    return functools.partial(pattern.sub, placeholder)


def _unchanged(text: str) -> str:
    return text


def _redaction_pattern(corpus: Corpus, keys: frozenset[str]) -> re.Pattern[str] | None:
    cache: dict[frozenset[str], re.Pattern[str] | None] = corpus.__dict__.setdefault("_redaction_patterns", {})
    if keys not in cache:
        words: set[str] = set()
        for sop in corpus.sops:
            if sop.id and is_restricted(sop.id, keys):
                words.add(sop.id.strip())
                title = " ".join((sop.title or "").split())
                if len(title) >= 8:  # a title that is a common word would blank out ordinary text
                    words.update({title, html.escape(title), html.escape(title, quote=False)})
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        # letters and digits bound a match, a dash does not: a heading anchor 'lihat-sop-rhs-003' is caught too
        cache[keys] = (re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)
                       if alternatives else None)
    return cache[keys]
