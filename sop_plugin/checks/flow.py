"""The procedure as a graph: targets, reachability, ways out, decisions, probabilities."""

from __future__ import annotations

from .. import codes
from ..memo import per_sop
from ..analysis.paths import build_flow
from ..i18n import msg
from ..model import Corpus, Diagnostic, Severity, Sop
from ..settings import Settings


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        out.extend(check_sop(sop))
    return out


@per_sop  # a rebuild checks again only the SOPs it parsed again
def check_sop(sop: Sop) -> tuple[Diagnostic, ...]:
    out: list[Diagnostic] = []
    steps = sop.steps
    n = len(steps)
    if not n:
        return ()
    incomplete_ok = sop.status is not None and sop.status.may_be_incomplete
    for s in steps:
        if not s.actor:
            out.append(codes.MISSING_ACTOR.at(sop.path, s.line,
                                              msg("diag.flow.no_actor", step=s.number, activity=_short(s.activity)),
                                              severity=Severity.WARNING if incomplete_ok else None))
        if s.next is not None and s.decision is not None:
            out.append(codes.NEXT_AND_DECISION.at(sop.path, s.line_of("next"),
                                                  msg("diag.flow.next_and_decision", step=s.number)))
        targets = [(msg("diag.flow.what_next"), s.next)] if s.next else []
        if s.decision:
            targets += [(msg("diag.flow.what_branch", label=b.label), b.target) for b in s.decision.branches]
            out.extend(_decision(sop, s))
        for what, t in targets:
            if not t.resolved:
                out.append(codes.DANGLING_TARGET.at(sop.path, t.line,
                                                    msg("diag.flow.dangling", step=s.number, what=what, target=t.raw),
                                                    msg("diag.flow.dangling_hint", n=n)))
    # the one flow graph (reachability from step 1, edges) that the analysis uses too; a step whose
    # targets are all dangling (already reported above) leads to the end there, so neither it nor
    # the steps before it are blamed for a loop that is not there
    flow = build_flow(sop)
    seen = set(flow.reachable)
    for s in steps:
        if s.number not in seen:
            out.append(codes.UNREACHABLE_STEP.at(sop.path, s.line,
                                                 msg("diag.flow.unreachable", step=s.number,
                                                     activity=_short(s.activity))))
    # the steps from which the end can be reached: backwards from the steps with an edge to the end
    before: dict[int, list[int]] = {}
    can_end: set[int] = set()
    for num, edges in flow.edges.items():
        for e in edges:
            if e.target is None:
                can_end.add(num)
            else:
                before.setdefault(e.target, []).append(num)
    todo = list(can_end)
    while todo:
        for num in before.get(todo.pop(), ()):
            if num not in can_end:
                can_end.add(num)
                todo.append(num)
    for s in steps:
        if s.number in seen and s.number not in can_end:
            out.append(codes.NO_WAY_OUT.at(sop.path, s.line,
                                           msg("diag.flow.no_way_out", step=s.number, activity=_short(s.activity))))
    return tuple(out)


def _decision(sop: Sop, s) -> list[Diagnostic]:
    out = []
    dec = s.decision
    if len(dec.branches) < 2:
        count = len(dec.branches)
        out.append(codes.FEW_BRANCHES.at(sop.path, dec.line,
                                         msg("diag.flow.few_branches_one" if count == 1 else "diag.flow.few_branches_other",
                                             step=s.number, question=_short(dec.question), count=count)))
    if not dec.question:
        out.append(codes.EMPTY_FIELD.at(sop.path, dec.line, msg("diag.flow.no_question", step=s.number),
                                        msg("diag.flow.no_question_hint")))
    given = [b.probability for b in dec.branches if b.probability is not None]
    missing = [b for b in dec.branches if b.probability is None]
    total = sum(given)
    if given:
        if missing and total >= 100:
            out.append(codes.BAD_PROBABILITY.at(sop.path, dec.line,
                                                msg("diag.flow.nothing_left", step=s.number, total=total,
                                                    labels=", ".join(repr(b.label) for b in missing)),
                                                msg("diag.flow.nothing_left_hint")))
        elif not missing and abs(total - 100) > 1e-6:
            out.append(codes.BAD_PROBABILITY.at(sop.path, dec.line,
                                                msg("diag.flow.not_100", step=s.number, total=total),
                                                msg("diag.flow.not_100_hint")))
    return out


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
