"""Lifecycle dates: effective after approval, periodic review (Monev)."""

from __future__ import annotations

from .. import codes
from ..model import Corpus, Diagnostic, Role, Status
from ..settings import Settings
from ..lifecycle import is_socialised, next_review, unanswered_revisions


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    today = settings.now()
    for sop in corpus.sops:
        if sop.status is None:
            continue
        leader = sop.approval(Role.LEADER)
        if sop.status is Status.EFFECTIVE and sop.effective is None:
            out.append(codes.NO_EFFECTIVE_DATE.at(sop.path, sop.line_of("status"),
                                                  "the SOP is effective but has no effective date"))
        if (sop.status.is_signed_off and sop.effective and leader is not None and leader.date
                and sop.effective < leader.date):
            out.append(codes.EFFECTIVE_BEFORE_LEADER.at(sop.path, sop.line_of("effective"),
                                                        f"effective on {sop.effective}, before the leader's approval "
                                                        f"on {leader.date}"))
        if sop.status is Status.EFFECTIVE:
            due = next_review(sop, settings)
            if not is_socialised(sop):
                out.append(codes.NOT_SOCIALISED.at(sop.path, sop.line_of("socialization", sop.line_of("status")),
                                                   "the SOP is in force but no socialisation meeting is recorded "
                                                   "on or after its effective date"))
            for i, m in unanswered_revisions(sop):
                when = f"of {m.date}" if m.date else "(undated)"
                out.append(codes.REVISION_ANSWER.at(sop.path, sop.line_of(f"monitoring.{i}", m.line),
                                                    f"the Monev review {when} recommends a revision that "
                                                    "no newer version answers",
                                                    "revise the SOP (new version with a revisions entry) or "
                                                    "record a later review that keeps it"))
            if due is not None and due < today:
                out.append(codes.REVIEW_DUE.at(sop.path, sop.line_of("review", sop.line_of("status")),
                                               f"the periodic review was due on {due} "
                                               f"({(today - due).days} days ago)"))
    return out
