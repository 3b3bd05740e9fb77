"""``sop simulate``: the time analysis of one SOP and a Monte Carlo / queue simulation of it."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from .. import fmt
from ..analysis import Analysis, SimConfig, SimResult, analyse, simulate
from ..analysis.simulate import DISTRIBUTIONS
from ..model import Calendar, Corpus, Sop
from ..i18n import Translator
from ..parsing.duration import parse_duration
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
        print_text(sop, analysis, result, cal, settings.lang)
    for d in [*analysis.diagnostics, *(d for d in result.diagnostics if d not in analysis.diagnostics)]:
        print(d.format(settings.lang), file=sys.stderr)
    return 1 if not analysis.steps or analysis.expected_minutes is None else 0


def _t(minutes: float | None, cal: Calendar, lang: str) -> str:
    """Working minutes in words, with the plain minutes when the words use larger units:
    ``3 jam 45 menit (225 mnt)`` / ``3 hours 45 minutes (225 min)``; ``15 menit``."""
    if minutes is None:
        return "-"
    words = fmt.minutes(minutes, lang, cal)
    if round(minutes) < 60:
        return words
    return f"{words} ({fmt.unit(minutes, 'minute', lang, 0, length='short')})"


def _cal(minutes: float, lang: str) -> str:
    """Calendar minutes as days and decimal hours: ``2 hari 23,4 jam`` / ``15.5 hours``."""
    days, hours = divmod(round(minutes / 60, 1), 24)
    if not days:
        return fmt.unit(hours, "hour", lang, 1)
    whole = fmt.unit(days, "day", lang, 0)
    return f"{whole} {fmt.unit(hours, 'hour', lang, 1)}" if round(hours, 1) else whole


def _arrow(steps: list[int], t: Translator) -> str:
    return " -> ".join([*map(str, steps), t("analysis.end")]) if steps else "-"


def print_text(sop: Sop, a: Analysis, r: SimResult, cal: Calendar, lang: str = "id") -> None:
    """The analysis and the simulation as a text report in ``lang`` (one fact per line)."""
    t = Translator(lang)
    lang = t.lang

    def n(value: float) -> str:
        return fmt.number(value, lang, 0)

    def pct(share: float, digits: int = 1) -> str:
        return fmt.percent(share, lang, digits)

    def time(minutes: float | None) -> str:
        return _t(minutes, cal, lang)

    def ends(items, counted: bool) -> str:
        return "; ".join(t("cli.simulate.after_step", step=e.step) + (f" '{e.label}'" if e.label else "")
                         + f" {pct(e.share)}" + (f" ({n(e.count)})" if counted else "") for e in items)

    w = print
    w(f"{sop.id or sop.path}: {sop.title or ''}".rstrip(": "))
    w("  " + t("cli.simulate.counts", steps=n(a.steps), decisions=n(a.decisions), loops=n(len(a.loops)),
               paths=n(len(a.paths)) + ("+" if a.paths_truncated else "")))
    w("")
    w(t("cli.simulate.analysis"))
    labels = {"min": t("cli.simulate.min"), "expected": t("cli.simulate.expected"), "max": t("cli.simulate.max")}
    width = max(map(len, labels.values())) + 2
    w(f"  {labels['min']:<{width}}{time(a.min_minutes)}  {t('cli.simulate.via', path=_arrow(a.min_path, t))}")
    w(f"  {labels['expected']:<{width}}{time(a.expected_minutes)}")
    loops = ""
    if a.max_loops:
        loops = ", " + (t("cli.simulate.max_loops.one", n=n(a.max_loops)) if a.max_loops == 1
                        else t("cli.simulate.max_loops.other", n=n(a.max_loops)))
    w(f"  {labels['max']:<{width}}{time(a.max_minutes)}  {t('cli.simulate.via', path=_arrow(a.max_path, t))}{loops}")
    w(f"  {t('cli.simulate.critical')}  {_arrow(a.critical_path, t)}  ({time(a.critical_minutes)})")
    units = (", " + t("cli.simulate.handoffs_units", n=n(a.handoffs_unit))) if a.handoffs_unit is not None else ""
    per_case = ("; " + t("analysis.per_case", n=fmt.number(a.expected_handoffs_actor, lang, 2))
                if a.expected_handoffs_actor is not None else "")
    w("  " + t("cli.simulate.handoffs", n=n(a.handoffs_actor)) + units + per_case)
    if a.no_duration:
        w(f"  {t('cli.simulate.no_duration')}: {t('cli.simulate.steps', steps=', '.join(map(str, a.no_duration)))}")
    for lp in a.loops:
        p = pct(lp.probability, 0) + (f", '{lp.label}'" if lp.label else "")
        w(f"  {t('cli.simulate.loop')}: {t('analysis.loop', source=lp.source, entry=lp.entry, p=p)}: "
          + t("cli.simulate.steps", steps=", ".join(map(str, lp.steps))))
    if a.work_per_actor:
        w(f"  {t('cli.simulate.work')}:")
        width = max(len(k) for k in a.work_per_actor)
        for actor, m in sorted(a.work_per_actor.items(), key=lambda kv: -kv[1]):
            w(f"    {actor:<{width}}  {time(m)}")
    if a.ends:
        w(f"  {t('cli.simulate.ends')}: {ends(a.ends, counted=False)}")
    w("")
    c = r.config
    if r.mode == "isolated":
        how = t("cli.simulate.isolated")
    else:
        every = fmt.unit(c.interval, "minute", lang, 1, length="short")
        how = (t("cli.simulate.arrival.fixed", interval=every) if c.arrival == "fixed"
               else t("cli.simulate.arrival.exp", interval=every))
    w(t("cli.simulate.heading", cases=n(r.cases), seed=c.seed,
        distribution=t(f"cli.simulate.distribution.{c.distribution}"), how=how))
    w("  " + t("cli.simulate.outcome", completed=n(r.completed), in_progress=n(r.in_progress), stopped=n(r.stopped)))
    rows = {"cycle_time": t("cli.simulate.cycle_time"), "calendar": t("cli.simulate.calendar")}
    width = max(map(len, rows.values())) + 2
    if r.cycle_time:
        ct = r.cycle_time
        w(f"  {rows['cycle_time']:<{width}}"
          + t("cli.simulate.stats", mean=time(ct.mean), p50=time(ct.p50), p90=time(ct.p90), max=time(ct.max)))
    if r.cycle_time_calendar:
        ct = r.cycle_time_calendar
        w(f"  {rows['calendar']:<{width}}" + t("cli.simulate.stats", mean=_cal(ct.mean, lang), p50=_cal(ct.p50, lang),
                                                p90=_cal(ct.p90, lang), max=_cal(ct.max, lang)))
    if r.mode == "queue":
        waits = {k: v for k, v in r.waiting_per_step.items() if v > 0.005}
        if waits:
            w(f"  {t('cli.simulate.waits')}: " + ", ".join(f"{k}: {time(v)}" for k, v in waits.items()))
        else:
            w("  " + t("cli.simulate.no_wait"))
        width = max((len(k) for k in r.utilisation), default=0)
        w(f"  {t('cli.simulate.utilisation')}:")
        for actor, u in sorted(r.utilisation.items(), key=lambda kv: -kv[1]):
            mark = f"  <- {t('cli.simulate.bottleneck')}" if actor == r.bottleneck else ""
            w(f"    {actor:<{width}}  {pct(u):>6}  ({t('cli.simulate.capacity', n=n(r.capacity.get(actor, 1)))}){mark}")
    if r.ends:
        w(f"  {t('cli.simulate.ends')}: {ends(r.ends, counted=True)}")
