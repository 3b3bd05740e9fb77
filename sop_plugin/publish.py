"""Which SOPs a build publishes: one rule, used by every page, list and export."""

from __future__ import annotations

from .model import Corpus, Sop
from .settings import Settings


def is_published(sop: Sop, settings: Settings) -> bool:
    """Drafts and SOPs in review only in a preview build; confidential ones never in a public build.

    An SOP without an id cannot be addressed and gets no page; its problems
    are still reported.  An SOP whose status is missing or invalid is treated
    like a draft.
    """
    if not sop.id:
        return False
    if sop.confidential and settings.public:
        return False
    if sop.status is None or sop.status.may_be_incomplete:
        return settings.include_drafts
    return True


def published(corpus: Corpus, settings: Settings) -> list[Sop]:
    """Published SOPs, first file wins for a duplicated id."""
    seen: set[str] = set()
    out = []
    for sop in corpus.sops:
        if is_published(sop, settings) and sop.id not in seen:
            seen.add(sop.id)
            out.append(sop)
    return out
