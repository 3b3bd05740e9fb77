"""``sop simulate``: the time analysis of one SOP and a Monte Carlo / queue simulation of it."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from ..analysis import Analysis, SimConfig, SimResult, analyse, simulate
from ..analysis.simulate import DISTRIBUTIONS
from ..model import Calendar, Corpus, Sop
from ..parsing.duration import format_minutes, parse_duration
from . import UsageError
from .common import add_common, add_sops_dir, default_root, find_root, load_settings
from ..corpus import load_corpus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate", help="analyse an SOP's cycle time and simulate cases through it",
        description="Deterministic analysis (paths, minimum / expected / maximum cycle time, critical path, "
                    "hand-offs, work per actor) and a seeded simulation of N cases. Without --arrival the "
                    "cases run alone (process-time spread); with --arrival they queue for the actors. "
                    "Exit status: 0 done, 1 the SOP has no steps or a loop is never left, 2 usage error.")
    p.add_argument("sop", metavar="ID", help="an SOP id (e.g. SOP-UMUM-004) or the path of an SOP file")
    p.add_argument("--cases", type=_positive_int, default=1000, help="cases to simulate (default: 1000)")
    p.add_argument("--seed", type=int, default=1, help="random seed; the same seed gives the same numbers (default: 1)")
    p.add_argument("--arrival", type=_arrival, default=None, metavar="fixed:MINUTES|exp:MINUTES",
                   help="cases arrive every MINUTES (fixed) or on average every MINUTES (exp, Poisson arrivals); "
                        "MINUTES may also be a duration such as '2 jam'. Default: cases run alone, no queues")
    p.add_argument("--capacity", action="append", type=_capacity, default=[], metavar="ACTOR=N",
                   help="servers for an actor (repeatable), overriding units.yml 'capacity'; default 1")
    p.add_argument("--hours-per-day", type=float, default=None, metavar="H",
                   help="working calendar: cases are worked only H hours a day; adds calendar cycle times")
    p.add_argument("--days-per-week", type=float, default=None, metavar="D",
                   help="with --hours-per-day: working days per week (default: the site calendar, 5)")
    p.add_argument("--distribution", choices=DISTRIBUTIONS, default="triangular",
                   help="how a step's duration range is drawn (default: triangular with the midpoint as mode)")
    p.add_argument("--horizon", type=float, default=None, metavar="MINUTES",
                   help="stop after this many working minutes; unfinished cases are counted, not measured")
    p.add_argument("--max-steps", type=_positive_int, default=None, metavar="N",
                   help="stop a case after N steps (loop guard; default: max(100, 20 x steps))")
    add_sops_dir(p)
    add_common(p, formats=True)
    p.set_defaults(func=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        d = parse_duration(text)
        if d is None:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes or a duration") from None
        value = d.mid
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be more than 0 minutes")
    return value


def _arrival(text: str) -> tuple[str, float]:
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in ("fixed", "exp"):
        raise argparse.ArgumentTypeError(f"'{text}': write fixed:MINUTES or exp:MINUTES, e.g. exp:30")
    return kind, _minutes(rest.strip())


def _capacity(text: str) -> tuple[str, int]:
    actor, sep, n = text.rpartition("=")
    if not sep or not actor.strip():
        raise argparse.ArgumentTypeError(f"'{text}': write ACTOR=N, e.g. 'Staf Gudang=2'")
    return actor.strip(), _positive_int(n.strip())


def find_sop(ref: str, args: argparse.Namespace, settings) -> tuple[Sop, Corpus]:
    """The SOP named by id or path, and the corpus it belongs to."""
    p = Path(ref)
    if p.suffix.lower() == ".md" or p.is_file():
        if not p.is_file():
            raise UsageError(f"'{ref}' does not exist")
        corpus = load_corpus(find_root(p), settings)
        want = p.resolve()
        for s in corpus.sops:
            if Path(s.path).resolve() == want:
                return s, corpus
        corpus = load_corpus(p.parent, settings, files=[p])
        return corpus.sops[0], corpus
    root = default_root(args)
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}' here; run in the portal folder, pass --sops or --config-file, "
                         "or give the path of the SOP file")
    corpus = load_corpus(root, settings)
    ids = corpus.by_id()
    if ref in ids:
        return ids[ref], corpus
    folded = {k.upper(): v for k, v in ids.items()}
    if ref.upper() in folded:
        return folded[ref.upper()], corpus
    close = difflib.get_close_matches(ref.upper(), list(folded), n=5, cutoff=0.5)
    names = [folded[c].id for c in close]
    hint = f"did you mean {', '.join(names)}?" if names else f"known ids: {', '.join(sorted(ids)[:10])}" + (
        " ..." if len(ids) > 10 else "")
    raise UsageError(f"no SOP with id '{ref}' in '{root}'; {hint}")


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    sop, corpus = find_sop(args.sop, args, settings)
    capacity = dict(args.capacity)
    cal = settings.calendar
    config = SimConfig(
        cases=args.cases, seed=args.seed,
        arrival=args.arrival[0] if args.arrival else None,
        interval=args.arrival[1] if args.arrival else 60.0,
        distribution=args.distribution, capacity=capacity,
        hours_per_day=args.hours_per_day,
        days_per_week=args.days_per_week if args.days_per_week is not None else cal.days_per_week,
        horizon=args.horizon, max_steps=args.max_steps,
    )
    try:
        analysis = analyse(sop, corpus, settings)
        result = simulate(sop, config, corpus)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        json.dump({"analysis": analysis.as_dict(), "simulation": result.as_dict()},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_text(sop, analysis, result, cal)
    for d in [*analysis.diagnostics, *(d for d in result.diagnostics if d not in analysis.diagnostics)]:
        print(d.format(settings.lang), file=sys.stderr)
    return 1 if not analysis.steps or analysis.expected_minutes is None else 0


def _t(minutes: float | None, cal: Calendar) -> str:
    if minutes is None:
        return "-"
    return f"{format_minutes(minutes, cal, 'en')} ({minutes:.0f} min)"


def _cal(minutes: float) -> str:
    days, rest = divmod(minutes, 1440)
    hours = rest / 60
    return f"{int(days)} calendar d {hours:.1f} h" if days else f"{hours:.1f} calendar h"


def _arrow(steps: list[int]) -> str:
    return " -> ".join(map(str, steps)) + " -> end" if steps else "-"


def print_text(sop: Sop, a: Analysis, r: SimResult, cal: Calendar) -> None:
    w = print
    w(f"{sop.id or sop.path}: {sop.title or ''}".rstrip(": "))
    w(f"  steps {a.steps}, decisions {a.decisions}, loops {len(a.loops)}, paths {len(a.paths)}"
      + ("+" if a.paths_truncated else ""))
    w("")
    w("Analysis (working time)")
    w(f"  minimum   {_t(a.min_minutes, cal)}  via {_arrow(a.min_path)}")
    w(f"  expected  {_t(a.expected_minutes, cal)}")
    loops = f", {a.max_loops} loop(s) taken once" if a.max_loops else ""
    w(f"  maximum   {_t(a.max_minutes, cal)}  via {_arrow(a.max_path)}{loops}")
    w(f"  critical path  {_arrow(a.critical_path)}  ({_t(a.critical_minutes, cal)})")
    units = f", between units {a.handoffs_unit}" if a.handoffs_unit is not None else ""
    w(f"  hand-offs between actors {a.handoffs_actor}{units}"
      + (f"; per case {a.expected_handoffs_actor:.2f}" if a.expected_handoffs_actor is not None else ""))
    if a.no_duration:
        w(f"  no duration (counted as 0): steps {', '.join(map(str, a.no_duration))}")
    for lp in a.loops:
        w(f"  loop: step {lp.source} back to {lp.entry} ({lp.probability:.0%}"
          + (f", '{lp.label}'" if lp.label else "") + f"): steps {', '.join(map(str, lp.steps))}")
    if a.work_per_actor:
        w("  work per case by actor:")
        width = max(len(k) for k in a.work_per_actor)
        for actor, m in sorted(a.work_per_actor.items(), key=lambda kv: -kv[1]):
            w(f"    {actor:<{width}}  {_t(m, cal)}")
    if a.ends:
        w("  ends: " + "; ".join(f"after step {e.step}" + (f" '{e.label}'" if e.label else "") + f" {e.share:.1%}"
                                 for e in a.ends))
    w("")
    c = r.config
    how = "cases run alone (no queues)" if r.mode == "isolated" else (
        f"{'fixed' if c.arrival == 'fixed' else 'Poisson'} arrivals every {c.interval:g} min")
    w(f"Simulation: {r.cases} cases, seed {c.seed}, {c.distribution}, {how}")
    w(f"  completed {r.completed}, in progress at the horizon {r.in_progress}, stopped by the step limit {r.stopped}")
    if r.cycle_time:
        ct = r.cycle_time
        w(f"  cycle time  mean {_t(ct.mean, cal)}, p50 {_t(ct.p50, cal)}, p90 {_t(ct.p90, cal)}, max {_t(ct.max, cal)}")
    if r.cycle_time_calendar:
        ct = r.cycle_time_calendar
        w(f"  calendar    mean {_cal(ct.mean)}, p50 {_cal(ct.p50)}, p90 {_cal(ct.p90)}, max {_cal(ct.max)}")
    if r.mode == "queue":
        waits = {k: v for k, v in r.waiting_per_step.items() if v > 0.005}
        if waits:
            w("  mean wait before step: " + ", ".join(f"{k}: {_t(v, cal)}" for k, v in waits.items()))
        else:
            w("  nobody waited")
        width = max((len(k) for k in r.utilisation), default=0)
        w("  utilisation:")
        for actor, u in sorted(r.utilisation.items(), key=lambda kv: -kv[1]):
            mark = "  <- bottleneck" if actor == r.bottleneck else ""
            w(f"    {actor:<{width}}  {u:6.1%}  (capacity {r.capacity.get(actor, 1)}){mark}")
    if r.ends:
        w("  ends: " + "; ".join(f"after step {e.step}" + (f" '{e.label}'" if e.label else "")
                                 + f" {e.share:.1%} ({e.count})" for e in r.ends))
