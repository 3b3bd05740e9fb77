"""The procedure as a graph: targets, reachability, ways out, decisions, probabilities."""

from __future__ import annotations

from .. import codes
from ..analysis.paths import build_flow
from ..model import Corpus, Diagnostic, Severity, Sop
from ..settings import Settings


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        out.extend(check_sop(sop))
    return out


def check_sop(sop: Sop) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    steps = sop.steps
    n = len(steps)
    if not n:
        return out
    incomplete_ok = sop.status is not None and sop.status.may_be_incomplete
    for s in steps:
        if not s.actor:
            out.append(codes.MISSING_ACTOR.at(sop.path, s.line, f"step {s.number} ('{_short(s.activity)}') has no actor",
                                              severity=Severity.WARNING if incomplete_ok else None))
        if s.next is not None and s.decision is not None:
            out.append(codes.NEXT_AND_DECISION.at(sop.path, s.line_of("next"),
                                                  f"step {s.number} has both 'next' and a decision"))
        targets = [("next", s.next)] if s.next else []
        if s.decision:
            targets += [(f"branch '{b.label}'", b.target) for b in s.decision.branches]
            out.extend(_decision(sop, s))
        for what, t in targets:
            if not t.resolved:
                out.append(codes.DANGLING_TARGET.at(sop.path, t.line,
                                                    f"step {s.number}: {what} goes to '{t.raw}', which is not a step",
                                                    f"use a step number 1–{n}, a step anchor such as '#name', or 'selesai'"))
    # the one flow graph (reachability from step 1, edges) that the analysis uses too; a step whose
    # targets are all dangling (already reported above) leads to the end there, so neither it nor
    # the steps before it are blamed for a loop that is not there
    flow = build_flow(sop)
    seen = set(flow.reachable)
    for s in steps:
        if s.number not in seen:
            out.append(codes.UNREACHABLE_STEP.at(sop.path, s.line,
                                                 f"step {s.number} ('{_short(s.activity)}') is never reached from step 1"))
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
                                           f"from step {s.number} ('{_short(s.activity)}') the procedure can never end: "
                                           "every path loops back without an exit"))
    return out


def _decision(sop: Sop, s) -> list[Diagnostic]:
    out = []
    dec = s.decision
    if len(dec.branches) < 2:
        out.append(codes.FEW_BRANCHES.at(sop.path, dec.line,
                                         f"step {s.number}: the decision '{_short(dec.question)}' has "
                                         f"{len(dec.branches)} branch{'es' if len(dec.branches) != 1 else ''}"))
    if not dec.question:
        out.append(codes.EMPTY_FIELD.at(sop.path, dec.line, f"step {s.number}: the decision has no question",
                                        "write the question after 'keputusan:', e.g. 'keputusan: Berkas lengkap?'"))
    given = [b.probability for b in dec.branches if b.probability is not None]
    missing = [b for b in dec.branches if b.probability is None]
    total = sum(given)
    if given:
        if missing and total >= 100:
            out.append(codes.BAD_PROBABILITY.at(sop.path, dec.line,
                                                f"step {s.number}: the given probabilities already add up to {total:g} %, "
                                                f"leaving nothing for {', '.join(repr(b.label) for b in missing)}",
                                                "lower the given probabilities or give every branch one"))
        elif not missing and abs(total - 100) > 1e-6:
            out.append(codes.BAD_PROBABILITY.at(sop.path, dec.line,
                                                f"step {s.number}: the branch probabilities add up to {total:g} %, not 100 %",
                                                "make the percentages add up to 100"))
    return out


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
