"""The procedure as a weighted graph: edges with probabilities, loops, paths.

A step is a node; an edge leads to another step or to the end of the
procedure.  Edges carry the probability with which a case takes them
(decisions: :meth:`Decision.probabilities`, rescaled to add up to 1; plain
flow: 1).  Targets that do not resolve (the validator reports them) are
left out; a step left without any way on ends the procedure.

Loops are found as the back edges of a depth-first search from step 1:
removing them leaves an acyclic graph, so "each back edge at most once"
bounds every walk that the path enumeration and the longest-path search
consider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import codes
from ..i18n import msg
from ..model import Diagnostic, Sop, Step

#: more back edges than this and the loop-once search would explode; loops are then skipped
MAX_BACK_EDGES = 10


@dataclass(frozen=True)
class Edge:
    source: int
    target: int | None  # None: the procedure ends here
    probability: float
    label: str | None = None  # the branch label of a decision
    kind: str = "flow"  # "flow" (next step / lanjut) or "branch"

    @property
    def is_end(self) -> bool:
        return self.target is None


@dataclass(frozen=True)
class Loop:
    """A cycle closed by the back edge ``source -> entry``."""

    entry: int  # the step control jumps back to
    source: int  # the step whose flow jumps back
    steps: tuple[int, ...]  # entry .. source along the search tree
    probability: float  # of taking the back edge once at ``source``
    label: str | None = None

    def as_dict(self) -> dict:
        return {"from": self.source, "to": self.entry, "steps": list(self.steps),
                "probability": self.probability, "label": self.label}


@dataclass
class Flow:
    sop: Sop
    steps: dict[int, Step]
    edges: dict[int, list[Edge]]
    reachable: list[int]  # from step 1, in search order
    back_edges: set[tuple[int, int]] = field(default_factory=set)
    loops: list[Loop] = field(default_factory=list)
    equal_split: list[int] = field(default_factory=list)  # decisions without any probability
    rescaled: list[int] = field(default_factory=list)  # decisions whose probabilities were rescaled
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def is_back(self, e: Edge) -> bool:
        return e.target is not None and (e.source, e.target) in self.back_edges

    # Pickled (build cache, worker results) without its SOP: the receiver holds that already,
    # and a second copy of every step per SOP doubles a large portal's memory.  See attach().
    def __getstate__(self) -> dict:
        return {**self.__dict__, "sop": None, "steps": None if self.steps else {}}

    def attach(self, sop: Sop) -> Flow:
        """Give an unpickled flow its SOP back (the one it was built from)."""
        self.sop = sop
        if self.steps is None:
            self.steps = {s.number: s for s in sop.steps}
        return self


def build_flow(sop: Sop) -> Flow:
    """The graph of ``sop``'s procedure; never raises for a broken procedure."""
    steps = {s.number: s for s in sop.steps}
    n = len(steps)
    flow = Flow(sop=sop, steps=steps, edges={}, reachable=[])
    for s in sop.steps:
        flow.edges[s.number] = _edges(s, n, flow)
    if not n:
        return flow
    _search(flow)
    return flow


def _edges(s: Step, n: int, flow: Flow) -> list[Edge]:
    path = flow.sop.path
    if s.decision is not None and s.decision.branches:
        dec = s.decision
        probs = dec.probabilities()
        kept = [(b, p) for b, p in zip(dec.branches, probs) if b.target.resolved]
        if not kept:
            return [Edge(s.number, None, 1.0, None, "flow")]
        if all(b.probability is None for b in dec.branches) and len(dec.branches) > 1:
            flow.equal_split.append(s.number)
            flow.diagnostics.append(codes.SIM_EQUAL_SPLIT.at(
                path, dec.line, msg("diag.analysis.equal_split", step=s.number, question=str(dec.question),
                                    branches=len(kept), share=f"{100 / len(kept):.0f}")))
        total = sum(p for _, p in kept)
        if total <= 0:
            kept = [(b, 1.0 / len(kept)) for b, _ in kept]
            total = 1.0
        if abs(total - 1.0) > 1e-9:
            flow.rescaled.append(s.number)
            if s.number not in flow.equal_split:
                flow.diagnostics.append(codes.SIM_RESCALED.at(
                    path, dec.line, msg("diag.analysis.rescaled", step=s.number, total=f"{total * 100:.0f}")))
        return [Edge(s.number, None if b.target.is_end else b.target.step, p / total, b.label, "branch")
                for b, p in kept]
    targets = [t for t in s.successors(n) if t.resolved]
    if s.decision is not None or not targets:
        return [Edge(s.number, None, 1.0, None, "flow")]
    t = targets[0]
    return [Edge(s.number, None if t.is_end else t.step, 1.0, None, "flow")]


def _search(flow: Flow) -> None:
    """Iterative depth-first search from step 1: reachable steps, back edges, loops."""
    state: dict[int, int] = {}  # 1 on the stack, 2 done
    order: list[int] = []
    stack: list[tuple[int, int]] = [(1, 0)]
    on_path: list[int] = [1]
    state[1] = 1
    order.append(1)
    while stack:
        node, i = stack[-1]
        edges = flow.edges.get(node, [])
        if i >= len(edges):
            stack.pop()
            on_path.pop()
            state[node] = 2
            continue
        stack[-1] = (node, i + 1)
        e = edges[i]
        if e.target is None or e.target not in flow.steps:
            continue
        st = state.get(e.target, 0)
        if st == 0:
            state[e.target] = 1
            order.append(e.target)
            stack.append((e.target, 0))
            on_path.append(e.target)
        elif st == 1 and (node, e.target) not in flow.back_edges:
            flow.back_edges.add((node, e.target))
            cycle = tuple(on_path[on_path.index(e.target):])
            flow.loops.append(Loop(entry=e.target, source=node, steps=cycle,
                                   probability=e.probability, label=e.label))
    flow.reachable = order


@dataclass(frozen=True)
class Path:
    """One way from step 1 to an end; a loop's back edge is taken at most once."""

    steps: tuple[int, ...]
    end_step: int  # the step after which the procedure ends
    end_label: str | None  # the branch that ends it, if a decision
    probability: float  # product of the edge probabilities along the way
    loops: int  # back edges taken

    def as_dict(self) -> dict:
        return {"steps": list(self.steps), "end_step": self.end_step, "end_label": self.end_label,
                "probability": self.probability, "loops": self.loops}


def enumerate_paths(flow: Flow, limit: int = 200) -> tuple[list[Path], bool]:
    """Every path from step 1 to an end, each back edge taken at most once.

    Returns ``(paths, truncated)``; at most ``limit`` paths are listed.
    """
    if 1 not in flow.steps:
        return [], False
    out: list[Path] = []
    use_loops = len(flow.back_edges) <= MAX_BACK_EDGES
    # explicit stack: (next step or None when the path has ended, steps, probability, used back edges, end label)
    Item = tuple[int | None, tuple[int, ...], float, frozenset, str | None]
    stack: list[Item] = [(1, (1,), 1.0, frozenset(), None)]
    while stack:
        node, path, prob, used, label = stack.pop()
        if node is None:
            out.append(Path(steps=path, end_step=path[-1], end_label=label, probability=prob, loops=len(used)))
            if len(out) >= limit:
                return out, bool(stack)
            continue
        children: list[Item] = []
        for e in flow.edges.get(node, []):
            if e.target is None:
                children.append((None, path, prob * e.probability, used, e.label))
            elif flow.is_back(e):
                key = (e.source, e.target)
                if use_loops and key not in used:
                    children.append((e.target, path + (e.target,), prob * e.probability, used | {key}, None))
            else:
                children.append((e.target, path + (e.target,), prob * e.probability, used, None))
        stack.extend(reversed(children))  # the written order of branches comes first
    return out, False


@dataclass(frozen=True)
class EndShare:
    """An end of the procedure: reached after ``step`` (by ``label`` when a decision branch)."""

    step: int
    label: str | None
    share: float  # probability per case (analysis) or share of finished cases (simulation)
    count: int | None = None  # simulated cases (simulation only)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.step, "label": self.label, "share": self.share}
        if self.count is not None:
            out["count"] = self.count
        return out
