"""Penetapan: three signatures (maker, reviewer, leader) and the simulation before them."""

from __future__ import annotations

from .. import codes
from ..model import ROLE_ORDER, Corpus, Diagnostic, Role, Severity, Sop
from ..settings import Settings
from ..signing import ROLE_WORDS


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
            out.append(codes.MISSING_FIELD.at(sop.path, a.line, "the approval has no name", "add 'nama: ...'"))
        if signed_off and not a.position:
            out.append(codes.MISSING_FIELD.at(sop.path, a.line, f"the approval of {a.name or 'this signer'} has no position",
                                              "add 'jabatan: ...' (the signer's position)"))
        if a.role is None and "approvals" in sop.front_matter and not a.role_text:
            out.append(codes.MISSING_FIELD.at(sop.path, a.line, "the approval has no role",
                                              "add 'peran: maker', 'reviewer' or 'leader'"))
    for role, items in by_role.items():
        for extra in items[1:]:
            out.append(codes.DUPLICATE_ROLE.at(sop.path, extra.line,
                                               f"a second approval for the {ROLE_WORDS[role]} (first at line {items[0].line})",
                                               "keep one approval per role"))
    if signed_off:
        for role, items in by_role.items():
            if not items:
                out.append(codes.MISSING_APPROVAL.at(sop.path, sop.line_of("approvals", sop.line_of("status")),
                                                     f"an {sop.status.value} SOP needs the approval of the {ROLE_WORDS[role]}"))
    first = {r: items[0] for r, items in by_role.items() if items}
    names: dict[str, Role] = {}
    for role, a in first.items():
        key = " ".join(a.name.casefold().split())
        if key and key in names:
            out.append(codes.SAME_SIGNER.at(sop.path, a.line,
                                            f"{a.name} signs as {ROLE_WORDS[role]} and as {ROLE_WORDS[names[key]]}"))
        elif key:
            names[key] = role
    for role, a in first.items():
        if a.date is None and (signed_off or a.digest):
            out.append(codes.APPROVAL_DATE_MISSING.at(sop.path, a.line, f"the {ROLE_WORDS[role]} approval has no date",
                                                      "add 'tanggal: YYYY-MM-DD' (the day it was signed)"))
    dated = [(r, first[r]) for r in ROLE_ORDER if r in first and first[r].date]
    for (r1, a1), (r2, a2) in zip(dated, dated[1:]):
        if a2.date < a1.date:
            out.append(codes.APPROVAL_ORDER.at(sop.path, sop.line_of(f"approvals.{sop.approvals.index(a2)}.date", a2.line),
                                               f"the {ROLE_WORDS[r2]} signed on {a2.date}, before the {ROLE_WORDS[r1]} ({a1.date})"))
    leader = first.get(Role.LEADER)
    if signed_off and leader is not None and leader.date is not None:
        passing = [s for s in sop.simulations if s.passed and s.date and s.date <= leader.date]
        if not passing:
            later = [s for s in sop.simulations if s.passed and s.date and s.date > leader.date]
            msg = (f"the only passing simulation ({later[0].date}) is after the leader's approval ({leader.date})"
                   if later else "no simulation with result 'pass' is recorded before the leader's approval "
                                 f"({leader.date})")
            out.append(codes.NO_SIMULATION.at(sop.path, sop.line_of("simulations", leader.line), msg))
    if signed_off:
        for role, a in first.items():
            if not a.digest:
                sev = (Severity.ERROR if settings.require_signed or settings.require_verified_signatures
                       else Severity.WARNING)
                out.append(codes.UNSIGNED.at(sop.path, a.line,
                                             f"the {ROLE_WORDS[role]} approval of {a.name or '?'} has no digest", severity=sev))
    return out
