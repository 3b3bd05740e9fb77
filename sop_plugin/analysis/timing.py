"""Deterministic time analysis of a procedure graph.

* expected visits per case: the procedure is an absorbing Markov chain over
  its steps (the ends absorb).  With ``Q`` the step-to-step transition
  matrix, the expected visits ``v`` to each step starting from step 1 solve
  ``(I - Qᵀ) v = e₁``.  A loop left with probability > 0 converges; one that
  is never left makes the system singular (infinite expected time).
* expected cycle time = Σ visits × mid duration.
* minimum / maximum / critical path: best path by low / high / mid
  durations over walks in which each loop's back edge is taken at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model import Step
from .paths import MAX_BACK_EDGES, Edge, Flow


def duration_of(step: Step, which: str) -> float:
    d = step.duration
    if d is None:
        return 0.0
    return {"low": d.low, "mid": d.mid, "high": d.high}[which]


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float] | None:
    """Solve ``matrix · x = rhs`` by Gaussian elimination with partial pivoting; ``None`` if singular."""
    n = len(rhs)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        p = a[col][col]
        for r in range(col + 1, n):
            f = a[r][col] / p
            if f:
                row, top = a[r], a[col]
                for c in range(col, n + 1):
                    row[c] -= f * top[c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def expected_visits(flow: Flow) -> dict[int, float] | None:
    """Expected visits per case of each step reachable with positive probability; ``None`` if infinite."""
    if 1 not in flow.steps:
        return {}
    live = [1]
    seen = {1}
    i = 0
    while i < len(live):
        for e in flow.edges.get(live[i], []):
            if e.target is not None and e.probability > 0 and e.target not in seen:
                seen.add(e.target)
                live.append(e.target)
        i += 1
    index = {s: k for k, s in enumerate(live)}
    n = len(live)
    m = [[0.0] * n for _ in range(n)]
    for k in range(n):
        m[k][k] = 1.0
    for s in live:
        for e in flow.edges.get(s, []):
            if e.target is not None and e.target in index:
                # row = target, column = source: (I - Qᵀ)
                m[index[e.target]][index[s]] -= e.probability
    rhs = [0.0] * n
    rhs[0] = 1.0
    x = solve(m, rhs)
    if x is None or any(v < -1e-9 for v in x):
        return None
    return {s: max(0.0, x[index[s]]) for s in live}


@dataclass(frozen=True)
class Extreme:
    minutes: float
    steps: tuple[int, ...]
    loops: int  # back edges taken


def extreme_path(flow: Flow, weight: Callable[[int], float], longest: bool,
                 loops: bool = True) -> Extreme | None:
    """The longest (or shortest) walk from step 1 to an end; each back edge at most once.

    ``loops=False``: back edges are never taken (simple paths only); if no
    end can be reached that way, the search falls back to ``loops=True``.

    A memoised search over states (step, back edges used so far).  These
    states form an acyclic graph, so an explicit post-order stack suffices
    (no recursion, no depth limit).  With more than :data:`MAX_BACK_EDGES`
    loops, back edges are not taken at all.
    """
    if 1 not in flow.steps:
        return None
    use_loops = loops and len(flow.back_edges) <= MAX_BACK_EDGES
    State = tuple[int, frozenset]
    memo: dict[State, tuple[float, Edge | None, State | None] | None] = {}

    def children(state: State) -> list[tuple[Edge, State | None]]:
        node, used = state
        out: list[tuple[Edge, State | None]] = []
        for e in flow.edges.get(node, []):
            if e.target is None:
                out.append((e, None))
            elif flow.is_back(e):
                key = (e.source, e.target)
                if use_loops and key not in used:
                    out.append((e, (e.target, used | {key})))
            else:
                out.append((e, (e.target, used)))
        return out

    start: State = (1, frozenset())
    stack: list[tuple[State, bool]] = [(start, False)]
    while stack:
        state, expanded = stack.pop()
        if state in memo:
            continue
        kids = children(state)
        if not expanded:
            stack.append((state, True))
            stack.extend((ns, False) for _, ns in kids if ns is not None and ns not in memo)
            continue
        best: tuple[float, Edge | None, State | None] | None = None
        for e, ns in kids:
            if ns is None:
                value = 0.0
            else:
                sub = memo.get(ns)
                if sub is None:
                    continue  # no way to an end from there
                value = sub[0]
            if best is None or (value > best[0] if longest else value < best[0]):
                best = (value, e, ns)
        memo[state] = None if best is None else (weight(state[0]) + best[0], best[1], best[2])
    top = memo.get(start)
    if top is None:
        return extreme_path(flow, weight, longest, loops=True) if not loops else None
    steps: list[int] = []
    state: State | None = start
    while state is not None:
        steps.append(state[0])
        entry = memo[state]
        state = entry[2] if entry else None
    loops = 0
    for a, b in zip(steps, steps[1:]):
        if (a, b) in flow.back_edges:
            loops += 1
    return Extreme(minutes=top[0], steps=tuple(steps), loops=loops)
