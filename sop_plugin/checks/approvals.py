"""Penetapan: three signatures (maker, reviewer, leader) and the simulation before them."""

from __future__ import annotations

from .. import codes
from ..i18n import msg
from ..model import ROLE_ORDER, Corpus, Diagnostic, Role, Severity, Sop, Status
from ..settings import Settings
from ..signing.state import role_word


_STATUS_WORDS = {Status.APPROVED: "diag.approvals.status_approved", Status.EFFECTIVE: "diag.approvals.status_effective"}


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        out.extend(check_sop(sop, settings))
    return out


def check_sop(sop: Sop, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    signed_off = sop.status is not None and sop.status.is_signed_off
    by_role: dict[Role, list] = {r: [] for r in ROLE_ORDER}
    for a in sop.approvals:
        if a.role is not None:
            by_role[a.role].append(a)
        if not a.name:
            out.append(codes.MISSING_FIELD.at(sop.path, a.line, msg("diag.approvals.no_name"),
                                              msg("diag.approvals.no_name_hint")))
        if signed_off and not a.position:
            out.append(codes.MISSING_FIELD.at(sop.path, a.line,
                                              msg("diag.approvals.no_position", name=a.name) if a.name
                                              else msg("diag.approvals.no_position_unnamed"),
                                              msg("diag.approvals.no_position_hint")))
        if a.role is None and "approvals" in sop.front_matter and not a.role_text:
            out.append(codes.MISSING_FIELD.at(sop.path, a.line, msg("diag.approvals.no_role"),
                                              msg("diag.approvals.no_role_hint")))
    for role, items in by_role.items():
        for extra in items[1:]:
            out.append(codes.DUPLICATE_ROLE.at(sop.path, extra.line,
                                               msg("diag.approvals.second_approval", role=role_word(role),
                                                   line=items[0].line),
                                               msg("diag.approvals.second_approval_hint")))
    if signed_off:
        for role, items in by_role.items():
            if not items:
                out.append(codes.MISSING_APPROVAL.at(sop.path, sop.line_of("approvals", sop.line_of("status")),
                                                     msg("diag.approvals.missing", status=msg(_STATUS_WORDS[sop.status]),
                                                         role=role_word(role))))
    first = {r: items[0] for r, items in by_role.items() if items}
    names: dict[str, Role] = {}
    for role, a in first.items():
        key = " ".join(a.name.casefold().split())
        if key and key in names:
            out.append(codes.SAME_SIGNER.at(sop.path, a.line,
                                            msg("diag.approvals.same_signer", name=a.name, role=role_word(role),
                                                other=role_word(names[key]))))
        elif key:
            names[key] = role
    for role, a in first.items():
        if a.date is None and (signed_off or a.digest):
            out.append(codes.APPROVAL_DATE_MISSING.at(sop.path, a.line, msg("diag.approvals.no_date", role=role_word(role)),
                                                      msg("diag.approvals.no_date_hint")))
    dated = [(r, first[r]) for r in ROLE_ORDER if r in first and first[r].date]
    for (r1, a1), (r2, a2) in zip(dated, dated[1:]):
        if a2.date < a1.date:
            out.append(codes.APPROVAL_ORDER.at(sop.path, sop.line_of(f"approvals.{sop.approvals.index(a2)}.date", a2.line),
                                               msg("diag.approvals.out_of_order", role=role_word(r2), date=a2.date,
                                                   earlier=role_word(r1), earlier_date=a1.date)))
    leader = first.get(Role.LEADER)
    if signed_off and leader is not None and leader.date is not None:
        passing = [s for s in sop.simulations if s.passed and s.date and s.date <= leader.date]
        if not passing:
            later = [s for s in sop.simulations if s.passed and s.date and s.date > leader.date]
            said = (msg("diag.approvals.simulation_after_leader", simulation=later[0].date, leader=leader.date)
                    if later else msg("diag.approvals.no_simulation", leader=leader.date))
            out.append(codes.NO_SIMULATION.at(sop.path, sop.line_of("simulations", leader.line), said))
    if signed_off:
        for role, a in first.items():
            if not a.digest:
                sev = (Severity.ERROR if settings.require_signed or settings.require_verified_signatures
                       else Severity.WARNING)
                out.append(codes.UNSIGNED.at(sop.path, a.line,
                                             msg("diag.approvals.no_digest", role=role_word(role), name=a.name or "?"),
                                             severity=sev))
    return out
