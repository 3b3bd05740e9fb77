"""Monte Carlo and discrete-event simulation of a procedure (SimPy).

Two modes:

``isolated`` (no arrival process): every case runs alone, so nobody waits
for anybody; the result is the spread of the process time itself.  Cases
do not interact, so they are sampled directly (fast enough for the build).

``queue`` (``arrival`` = ``"fixed"`` or ``"exp"``): cases arrive one after
another and every actor is a :class:`simpy.Resource` with a capacity (from
``units.yml``, overridable, default 1).  Cases wait for busy actors; the
result adds waiting times, utilisation and the bottleneck.

Durations are working minutes.  With a working calendar (``hours_per_day``)
cases arrive and are worked only during working hours; the simulation clock
counts working minutes and cycle times are also reported in calendar
minutes (nights and weekends included).

Everything random comes from one ``random.Random(seed)``: the same seed
gives the same numbers.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import random
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import codes
from ..i18n import msg
from ..model import Corpus, Diagnostic, Sop, Step
from .paths import Edge, EndShare, Flow, build_flow

DISTRIBUTIONS = ("triangular", "uniform", "exponential", "fixed")
ARRIVALS = ("fixed", "exp")

Sampler = Callable[[Step, random.Random], float]


@dataclass
class SimConfig:
    cases: int = 1000
    seed: int = 1
    arrival: str | None = None  # None (isolated cases), "fixed" or "exp"
    interval: float = 60.0  # mean minutes between arrivals (working minutes)
    distribution: str = "triangular"  # see DISTRIBUTIONS
    capacity: dict[str, int] = field(default_factory=dict)  # actor -> servers (overrides units.yml)
    hours_per_day: float | None = None  # working calendar: None = the clock never stops
    days_per_week: float = 5.0  # with hours_per_day: working days in a 7-day week
    horizon: float | None = None  # stop after this many working minutes; unfinished cases are counted
    max_steps: int | None = None  # per case; default max(100, 20 × steps)
    sampler: Sampler | None = None  # replaces the distribution (tests, custom models)


@dataclass(frozen=True)
class Stats:
    mean: float
    p50: float
    p90: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "p50": self.p50, "p90": self.p90, "min": self.min, "max": self.max}


@dataclass
class SimResult:
    sop_id: str | None
    mode: str  # "isolated" | "queue"
    config: SimConfig
    cases: int = 0  # cases that arrived
    completed: int = 0
    in_progress: int = 0  # not finished at the horizon: excluded from the statistics
    stopped: int = 0  # stopped by the step limit: excluded
    cycle_time: Stats | None = None  # working minutes, completed cases
    cycle_time_calendar: Stats | None = None  # calendar minutes, with a working calendar only
    waiting_per_step: dict[int, float] = field(default_factory=dict)  # mean wait per visit
    visits_per_step: dict[int, int] = field(default_factory=dict)
    utilisation: dict[str, float] = field(default_factory=dict)  # queue mode only
    capacity: dict[str, int] = field(default_factory=dict)
    bottleneck: str | None = None
    ends: list = field(default_factory=list)  # EndShare with counts
    simulated_minutes: float = 0.0
    # cycle times of completed cases, packed (a list would be hundreds of objects per SOP in memory)
    samples: Sequence[float] = field(default_factory=lambda: array("d"))
    max_steps: int = 0  # the step limit per case that applied
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready; the keys are stable (documented in docs/guide/simulation.md)."""
        c = self.config
        return {
            "sop": self.sop_id,
            "mode": self.mode,
            "config": {"cases": c.cases, "seed": c.seed, "arrival": c.arrival,
                       "interval": c.interval if c.arrival else None, "distribution": c.distribution,
                       "hours_per_day": c.hours_per_day,
                       "days_per_week": c.days_per_week if c.hours_per_day else None,
                       "horizon": c.horizon, "max_steps": self.max_steps},
            "cases": self.cases,
            "completed": self.completed,
            "in_progress": self.in_progress,
            "stopped": self.stopped,
            "cycle_time": self.cycle_time.as_dict() if self.cycle_time else None,
            "cycle_time_calendar": self.cycle_time_calendar.as_dict() if self.cycle_time_calendar else None,
            "waiting_per_step": {str(k): v for k, v in sorted(self.waiting_per_step.items())},
            "visits_per_step": {str(k): v for k, v in sorted(self.visits_per_step.items())},
            "utilisation": self.utilisation if self.mode == "queue" else None,
            "capacity": self.capacity if self.mode == "queue" else None,
            "bottleneck": self.bottleneck,
            "ends": [e.as_dict() for e in self.ends],
            "simulated_minutes": self.simulated_minutes,
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (q in 0..1)."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def stats(values: list[float]) -> Stats | None:
    if not values:
        return None
    s = sorted(values)
    return Stats(mean=sum(s) / len(s), p50=percentile(s, 0.5), p90=percentile(s, 0.9), min=s[0], max=s[-1])


def make_sampler(distribution: str) -> Sampler:
    """Draw a step's duration (working minutes) from its written range."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; use one of {', '.join(DISTRIBUTIONS)}")

    def sample(step: Step, rng: random.Random) -> float:
        draw = _draw(step, distribution, rng)
        return draw if draw.__class__ is float else draw()

    return sample


def _draw(step: Step, distribution: str, rng: random.Random) -> float | Callable[[], float]:
    """How ``distribution`` draws ``step``'s duration: a constant, or a function of ``rng``
    (prepared once per step by :func:`_run_isolated`, the hot loop of a build)."""
    d = step.duration
    if d is None:
        return 0.0
    if distribution == "exponential":
        return functools.partial(rng.expovariate, 1.0 / d.mid) if d.mid > 0 else 0.0
    if d.low == d.high or distribution == "fixed":
        return float(d.mid)
    if distribution == "uniform":
        return functools.partial(rng.uniform, d.low, d.high)
    return functools.partial(rng.triangular, d.low, d.high, d.mid)


class WorkingClock:
    """Maps working minutes (the simulation clock) to calendar minutes since the start.

    Day ``k`` works from calendar minute ``k·1440`` for ``hours_per_day`` hours;
    only the first ``days_per_week`` days of every 7 work.
    """

    def __init__(self, hours_per_day: float, days_per_week: float = 5.0):
        self.day = hours_per_day * 60.0
        self.days = max(1, min(7, int(round(days_per_week))))
        self.week = self.day * self.days

    def calendar(self, working: float, *, finishing: bool = False) -> float:
        """Calendar minute of working minute ``working``.

        At a boundary between two working days, a start (``finishing=False``)
        belongs to the next morning, a finish to the evening before.
        """
        if working <= 0:
            return 0.0
        weeks, rest = divmod(working, self.week)
        days, mins = divmod(rest, self.day)
        if finishing and mins == 0:
            if days == 0:
                weeks -= 1
                days = self.days
            days -= 1
            mins = self.day
        return weeks * 7 * 1440 + days * 1440 + mins


Branches = dict[int, tuple[list[Edge], list[float]]]


def _branches(flow: Flow) -> Branches:
    """Each step's outgoing edges with their cumulative probabilities (prepared once per flow)."""
    return {n: (outs, list(itertools.accumulate(e.probability for e in outs))) for n, outs in flow.edges.items()}


def _choose(outs: list[Edge], cumulative: list[float], random_: Callable[[], float]) -> Edge:
    """The edge a case follows: no draw for a single edge, else one uniform draw against the
    cumulative probabilities (the last edge takes what rounding leaves)."""
    if len(outs) == 1:
        return outs[0]
    return outs[min(bisect.bisect_right(cumulative, random_()), len(outs) - 1)]


def simulate(sop: Sop, config: SimConfig | None = None, corpus: Corpus | None = None,
             flow: Flow | None = None) -> SimResult:
    """Simulate ``config.cases`` cases of ``sop``; never raises for a broken procedure.

    Bad configuration values (unknown distribution or arrival, cases < 1)
    raise ``ValueError``: they are programming or command-line errors.
    """
    config = config or SimConfig()
    if config.cases < 1:
        raise ValueError("cases must be at least 1")
    if config.arrival is not None and config.arrival not in ARRIVALS:
        raise ValueError(f"unknown arrival {config.arrival!r}; use fixed or exp")
    if config.arrival is not None and not config.interval > 0:
        raise ValueError("the arrival interval must be above 0 minutes")
    if config.hours_per_day is not None and not 0 < config.hours_per_day <= 24:
        raise ValueError("hours per day must lie between 0 and 24")
    sampler = config.sampler or make_sampler(config.distribution)
    flow = flow or build_flow(sop)
    mode = "isolated" if config.arrival is None else "queue"
    res = SimResult(sop_id=sop.id, mode=mode, config=config)
    res.diagnostics.extend(flow.diagnostics)
    n = len(flow.steps)
    res.max_steps = config.max_steps or max(100, 20 * n)
    if not n:
        res.diagnostics.append(codes.SIM_NOTHING.at(sop.path, 1, msg("diag.simulate.nothing", sop=sop.label)))
        return res
    rng = random.Random(config.seed)
    clock = WorkingClock(config.hours_per_day, config.days_per_week) if config.hours_per_day else None
    tally = _Tally()
    if mode == "isolated":
        _run_isolated(flow, config, sampler, rng, res.max_steps, tally)
        res.simulated_minutes = tally.last_finish
    else:
        _run_queue(flow, config, sampler, rng, res.max_steps, tally, res, corpus)
    res.cases = tally.arrived
    res.completed = len(tally.cycle)
    res.stopped = tally.stopped
    res.in_progress = res.cases - res.completed - res.stopped
    res.samples = array("d", tally.cycle)
    res.cycle_time = stats(tally.cycle)
    if clock is not None:
        res.cycle_time_calendar = stats([clock.calendar(f, finishing=True) - clock.calendar(a)
                                         for a, f in tally.spans])
    res.waiting_per_step = {s: tally.wait[s] / tally.served[s] for s in sorted(tally.served) if tally.served[s]}
    res.visits_per_step = dict(sorted(tally.visits.items()))

    done = max(1, res.completed)
    res.ends = [EndShare(step, label, count / done, count)
                for (step, label), count in sorted(tally.ends.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))]
    if res.stopped:
        res.diagnostics.append(codes.SIM_STEP_LIMIT.at(
            sop.path, 1, msg("diag.simulate.step_limit", sop=sop.label, stopped=res.stopped, cases=res.cases,
                             max_steps=res.max_steps)))
    return res


class _Tally:
    def __init__(self) -> None:
        self.arrived = 0
        self.stopped = 0
        self.cycle: list[float] = []
        self.spans: list[tuple[float, float]] = []  # (arrival, finish) working minutes
        self.wait: dict[int, float] = {}
        self.served: dict[int, int] = {}
        self.visits: dict[int, int] = {}
        self.ends: dict[tuple[int, str | None], int] = {}
        self.last_finish = 0.0

    def finish(self, start: float, end: float, edge: Edge) -> None:
        self.cycle.append(end - start)
        self.spans.append((start, end))
        key = (edge.source, edge.label)
        self.ends[key] = self.ends.get(key, 0) + 1
        self.last_finish = max(self.last_finish, end)


def _run_isolated(flow: Flow, config: SimConfig, sampler: Sampler, rng: random.Random,
                  max_steps: int, tally: _Tally) -> None:
    """Independent cases: no resources, no waiting; sampled directly.

    The hot loop of a build (hundreds of cases for every SOP): each step's draw
    (:func:`_draw`) and each decision's cumulative probabilities (:func:`_branches`)
    are prepared once; the random stream is consumed as in the queue mode (one
    draw per step, one more at a branch).
    """
    draws = {n: functools.partial(sampler, step, rng) if config.sampler is not None
             else _draw(step, config.distribution, rng) for n, step in flow.steps.items()}
    branches = _branches(flow)
    visits = tally.visits
    random_ = rng.random
    for _ in range(config.cases):
        tally.arrived += 1
        node, t, count = 1, 0.0, 0
        while True:
            count += 1
            if count > max_steps:
                tally.stopped += 1
                break
            visits[node] = visits.get(node, 0) + 1
            draw = draws[node]
            t += draw if draw.__class__ is float else draw()
            outs, cumulative = branches[node]
            # _choose, inlined: a call per step costs this loop about a third of its time
            e = outs[0] if len(outs) == 1 else outs[min(bisect.bisect_right(cumulative, random_()), len(outs) - 1)]
            if e.target is None:
                tally.finish(0.0, t, e)
                break
            node = e.target


def _capacities(flow: Flow, config: SimConfig, corpus: Corpus | None, res: SimResult) -> dict[str, int]:
    actors = {s.actor for s in flow.steps.values() if s.actor}
    cap: dict[str, int] = {}
    if corpus is not None:
        for unit in corpus.units.values():
            for actor, k in unit.capacity.items():
                if actor in actors:
                    cap.setdefault(actor, k)
    for actor, k in config.capacity.items():
        if actor not in actors:
            res.diagnostics.append(codes.SIM_UNKNOWN_ACTOR.at(
                flow.sop.path, 1, msg("diag.simulate.unknown_actor", actor=str(actor), sop=flow.sop.label),
                msg("diag.simulate.unknown_actor_hint", actors=", ".join(sorted(actors)))))
            continue
        cap[actor] = max(1, int(k))
    return {a: cap.get(a, 1) for a in sorted(actors)}


def _run_queue(flow: Flow, config: SimConfig, sampler: Sampler, rng: random.Random, max_steps: int,
               tally: _Tally, res: SimResult, corpus: Corpus | None) -> None:
    import simpy  # imported here: the page build uses the isolated mode only

    env = simpy.Environment()
    capacity = _capacities(flow, config, corpus, res)
    res.capacity = capacity
    resources = {a: simpy.Resource(env, capacity=k) for a, k in capacity.items()}
    busy = {a: 0.0 for a in capacity}
    horizon = config.horizon
    steps = flow.steps
    branches = _branches(flow)

    def case():
        start = env.now
        node, count = 1, 0
        while True:
            count += 1
            if count > max_steps:
                tally.stopped += 1
                return
            step = steps[node]
            tally.visits[node] = tally.visits.get(node, 0) + 1
            d = sampler(step, rng)
            res_ = resources.get(step.actor) if step.actor else None
            if res_ is not None and d > 0:
                asked = env.now
                with res_.request() as req:
                    yield req
                    tally.wait[node] = tally.wait.get(node, 0.0) + (env.now - asked)
                    tally.served[node] = tally.served.get(node, 0) + 1
                    end = env.now + d
                    busy[step.actor] += (min(end, horizon) if horizon is not None else end) - env.now
                    yield env.timeout(d)
            elif d > 0:
                yield env.timeout(d)
            e = _choose(*branches[node], rng.random)
            if e.target is None:
                tally.finish(start, env.now, e)
                return
            node = e.target

    def arrivals():
        for i in range(config.cases):
            if horizon is not None and env.now >= horizon:
                return
            tally.arrived += 1
            env.process(case())
            if i + 1 < config.cases:
                gap = config.interval if config.arrival == "fixed" else rng.expovariate(1.0 / config.interval)
                yield env.timeout(gap)

    env.process(arrivals())
    if horizon is not None:
        env.run(until=horizon)
    else:
        env.run()
    res.simulated_minutes = float(env.now)
    span = res.simulated_minutes
    if span > 0:
        res.utilisation = {a: busy[a] / (capacity[a] * span) for a in capacity}
        if res.utilisation:
            res.bottleneck = max(sorted(res.utilisation), key=lambda a: res.utilisation[a])
