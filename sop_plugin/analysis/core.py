"""Process analysis of one SOP: paths, cycle times, work per actor, hand-offs.

``analyse(sop)`` is deterministic (no sampling); :mod:`.simulate` adds the
Monte Carlo / discrete-event simulation.  Neither raises for a broken
procedure: what cannot be computed is ``None`` and explained by a
diagnostic on the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import codes
from ..i18n import msg
from ..model import Corpus, Diagnostic, Sop, actor_unit
from ..settings import Settings
from .paths import EndShare, Flow, Loop, Path, build_flow, enumerate_paths
from .timing import duration_of, expected_visits, extreme_path

PATH_LIMIT = 200


@dataclass
class Analysis:
    sop_id: str | None
    steps: int
    decisions: int = 0
    min_minutes: float | None = None
    expected_minutes: float | None = None  # None: a loop is never left
    max_minutes: float | None = None
    min_path: list[int] = field(default_factory=list)
    max_path: list[int] = field(default_factory=list)
    max_loops: int = 0  # loops the maximum path takes (each at most once)
    critical_path: list[int] = field(default_factory=list)  # longest by mid durations, loops not taken
    critical_minutes: float | None = None
    visits: dict[int, float] = field(default_factory=dict)  # expected visits per case
    work_per_actor: dict[str, float] = field(default_factory=dict)  # expected minutes per case
    handoffs_actor: int = 0  # flow edges between two different actors
    handoffs_unit: int | None = None  # ... between two different units (None without a corpus)
    expected_handoffs_actor: float | None = None  # per case, weighted by visits
    expected_handoffs_unit: float | None = None
    no_duration: list[int] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    paths_truncated: bool = False
    ends: list[EndShare] = field(default_factory=list)
    unit_of_actor: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; the keys are stable (documented in docs/guide/simulation.md)."""
        return {
            "sop": self.sop_id,
            "steps": self.steps,
            "decisions": self.decisions,
            "cycle_time": {"min": self.min_minutes, "expected": self.expected_minutes, "max": self.max_minutes},
            "min_path": self.min_path,
            "max_path": self.max_path,
            "max_path_loops": self.max_loops,
            "critical_path": self.critical_path,
            "critical_minutes": self.critical_minutes,
            "visits": {str(k): v for k, v in sorted(self.visits.items())},
            "work_per_actor": self.work_per_actor,
            "handoffs": {"actors": self.handoffs_actor, "units": self.handoffs_unit,
                         "expected_actors": self.expected_handoffs_actor,
                         "expected_units": self.expected_handoffs_unit},
            "no_duration": self.no_duration,
            "loops": [lp.as_dict() for lp in self.loops],
            "paths": [p.as_dict() for p in self.paths],
            "paths_truncated": self.paths_truncated,
            "ends": [e.as_dict() for e in self.ends],
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def analyse(sop: Sop, corpus: Corpus | None = None, settings: Settings | None = None,
            flow: Flow | None = None, paths: bool = True) -> Analysis:
    """The deterministic analysis of ``sop``'s procedure (``settings`` is accepted for symmetry).

    ``paths=False`` skips listing the paths (the page block does not show them).
    """
    flow = flow or build_flow(sop)
    a = Analysis(sop_id=sop.id, steps=len(flow.steps))
    a.diagnostics.extend(flow.diagnostics)
    if not flow.steps:
        a.diagnostics.append(codes.SIM_NOTHING.at(sop.path, sop.procedure.line if sop.procedure else 1,
                                                  msg("diag.analysis.nothing", sop=sop.label)))
        return a
    reachable = set(flow.reachable)
    steps = flow.steps
    a.decisions = sum(1 for n in reachable if steps[n].decision is not None)
    a.no_duration = [n for n in sorted(steps) if steps[n].duration is None]
    for n in a.no_duration:
        a.diagnostics.append(codes.SIM_NO_DURATION.at(sop.path, steps[n].line,
                                                      msg("diag.analysis.no_duration", step=n)))
    a.loops = list(flow.loops)

    def weight(which: str):
        return lambda n: duration_of(steps[n], which)

    lo = extreme_path(flow, weight("low"), longest=False)
    hi = extreme_path(flow, weight("high"), longest=True)
    crit = extreme_path(flow, weight("mid"), longest=True, loops=False)
    if lo:
        a.min_minutes, a.min_path = lo.minutes, list(lo.steps)
    if hi:
        a.max_minutes, a.max_path, a.max_loops = hi.minutes, list(hi.steps), hi.loops
    if crit:
        a.critical_minutes, a.critical_path = crit.minutes, list(crit.steps)
    if paths:
        a.paths, a.paths_truncated = enumerate_paths(flow, PATH_LIMIT)
    if a.paths_truncated:
        a.diagnostics.append(codes.SIM_PATHS_TRUNCATED.at(sop.path, sop.procedure.line if sop.procedure else 1,
                                                          msg("diag.analysis.paths_truncated", sop=sop.label,
                                                              limit=PATH_LIMIT)))

    visits = expected_visits(flow)
    if visits is None:
        first = flow.loops[0] if flow.loops else None
        line = steps[first.source].line if first else 1
        a.diagnostics.append(codes.SIM_ENDLESS_LOOP.at(
            sop.path, line,
            msg("diag.analysis.endless_loop_steps", sop=sop.label, steps=", ".join(map(str, first.steps))) if first
            else msg("diag.analysis.endless_loop", sop=sop.label)))
    else:
        a.visits = visits
        a.expected_minutes = sum(v * duration_of(steps[n], "mid") for n, v in visits.items())
        work: dict[str, float] = {}
        for n, v in visits.items():
            actor = steps[n].actor or "?"
            work[actor] = work.get(actor, 0.0) + v * duration_of(steps[n], "mid")
        a.work_per_actor = work
        ends: dict[tuple[int, str | None], float] = {}
        for n, v in visits.items():
            for e in flow.edges[n]:
                if e.target is None:
                    ends[(n, e.label)] = ends.get((n, e.label), 0.0) + v * e.probability
        a.ends = [EndShare(step, label, share) for (step, label), share in sorted(ends.items(), key=lambda kv: kv[0][0])]

    # hand-offs
    units = corpus.unit_of_actor() if corpus is not None else {}
    a.unit_of_actor = {s.actor: actor_unit(units, sop, s.actor) or "" for s in steps.values() if s.actor}
    pairs: set[tuple[int, int]] = set()
    exp_actor = exp_unit = 0.0
    unit_pairs = 0
    for n in flow.reachable:
        for e in flow.edges[n]:
            if e.target is None:
                continue
            src, dst = steps[n].actor, steps[e.target].actor
            if not src or not dst:
                continue
            new = (n, e.target) not in pairs
            pairs.add((n, e.target))
            flux = (visits or {}).get(n, 0.0) * e.probability
            if src != dst:
                a.handoffs_actor += new
                exp_actor += flux
            if corpus is not None and a.unit_of_actor.get(src) != a.unit_of_actor.get(dst):
                unit_pairs += new
                exp_unit += flux
    if visits is not None:
        a.expected_handoffs_actor = exp_actor
        a.expected_handoffs_unit = exp_unit if corpus is not None else None
    if corpus is not None:
        a.handoffs_unit = unit_pairs
    return a
