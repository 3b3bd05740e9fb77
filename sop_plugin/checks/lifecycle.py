"""Lifecycle dates: effective after approval, periodic review (Monev)."""

from __future__ import annotations

from .. import codes
from ..i18n import msg
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
                                                  msg("diag.lifecycle.no_effective_date")))
        if (sop.status.is_signed_off and sop.effective and leader is not None and leader.date
                and sop.effective < leader.date):
            out.append(codes.EFFECTIVE_BEFORE_LEADER.at(sop.path, sop.line_of("effective"),
                                                        msg("diag.lifecycle.effective_before_leader",
                                                            effective=sop.effective, leader=leader.date)))
        if sop.status is Status.EFFECTIVE:
            due = next_review(sop, settings)
            if not is_socialised(sop):
                out.append(codes.NOT_SOCIALISED.at(sop.path, sop.line_of("socialization", sop.line_of("status")),
                                                   msg("diag.lifecycle.not_socialised")))
            for i, m in unanswered_revisions(sop):
                said = (msg("diag.lifecycle.revision_unanswered", date=m.date) if m.date
                        else msg("diag.lifecycle.revision_unanswered_undated"))
                out.append(codes.REVISION_ANSWER.at(sop.path, sop.line_of(f"monitoring.{i}", m.line), said,
                                                    msg("diag.lifecycle.revision_unanswered_hint")))
            if due is not None and due < today:
                days = (today - due).days
                out.append(codes.REVIEW_DUE.at(sop.path, sop.line_of("review", sop.line_of("status")),
                                               msg("diag.lifecycle.review_due_one" if days == 1
                                                   else "diag.lifecycle.review_due_other", due=due, days=days)))
    return out
