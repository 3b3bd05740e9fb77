"""Page block: the time analysis of the procedure and a histogram of simulated cycle times.

Both come from the pipeline's analyse stage (:mod:`sop_plugin.pipeline`):
the simulation runs once per SOP at build time in the isolated mode (cases
do not wait for each other: no arrival rate is known for a page), bounded by
the ``simulate`` option (default 500 cases, seed 1; ``enabled: false`` keeps
the analysis table and drops the histogram).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Calendar, Sop
from ..fmt import number as fmt_number, percent as fmt_percent
from ..parsing.duration import format_minutes
from .blocks import block
from .context import RenderContext
from .templating import render

BINS = 20

@dataclass
class Histogram:
    width: int
    height: int
    bars: list[dict[str, float]]
    p50_x: float
    p90_x: float
    low: float
    high: float


def histogram(samples: Sequence[float], bins: int = BINS, width: int = 320, height: int = 110,
              p50: float = 0.0, p90: float = 0.0) -> Histogram | None:
    """Bars (x, y, w, h in SVG units) of ``samples`` in ``bins`` equal bins between min and max."""
    if not samples:
        return None
    low, high = min(samples), max(samples)
    span = high - low
    if span <= 1e-9:
        counts = [len(samples)]
    else:
        counts = [0] * bins
        for v in samples:
            counts[min(bins - 1, int((v - low) / span * bins))] += 1
    top = max(counts)
    bar_w = width / len(counts)
    bars = []
    for i, c in enumerate(counts):
        h = (height * c / top) if top else 0.0
        bars.append({"x": round(i * bar_w, 2), "y": round(height - h, 2), "w": round(max(bar_w - 1, 0.5), 2),
                     "h": round(h, 2), "count": c})

    def xpos(v: float) -> float:
        return round(width / 2 if span <= 1e-9 else (v - low) / span * width, 2)

    return Histogram(width, height, bars, xpos(p50), xpos(p90), low, high)


@block("analysis", slot="footer", order=20)
def analysis_block(sop: Sop, ctx: RenderContext) -> str | None:
    if not sop.steps:
        return None
    derived = ctx.derived(sop)
    a, r = derived.analysis, derived.simulation
    cal: Calendar = ctx.settings.calendar
    lang = ctx.lang

    def fmt(m: float | None) -> str:
        return "" if m is None else format_minutes(m, cal, lang)

    end = ctx.t("analysis.end")
    rows: list[tuple[str, str]] = [
        (ctx.t("analysis.min"), fmt(a.min_minutes)),
        (ctx.t("analysis.expected"), fmt(a.expected_minutes) if a.expected_minutes is not None
         else ctx.t("analysis.infinite")),
        (ctx.t("analysis.max"), fmt(a.max_minutes) + (f" ({ctx.t('analysis.max_loops')})" if a.max_loops else "")),
        (ctx.t("analysis.critical"), " → ".join([*map(str, a.critical_path), end]) + f" ({fmt(a.critical_minutes)})"
         if a.critical_path else ""),
        (ctx.t("analysis.decisions"), str(a.decisions)),
        (ctx.t("analysis.handoffs"), _handoffs(ctx, a.handoffs_actor, a.expected_handoffs_actor)),
    ]
    if a.handoffs_unit is not None:
        rows.append((ctx.t("analysis.handoffs_units"), _handoffs(ctx, a.handoffs_unit, a.expected_handoffs_unit)))
    if a.no_duration:
        rows.append((ctx.t("analysis.no_duration"), ", ".join(map(str, a.no_duration))))
    if a.loops:
        rows.append((ctx.t("analysis.loops"), "; ".join(
            ctx.t("analysis.loop", source=lp.source, entry=lp.entry, p=fmt_percent(lp.probability, ctx.lang)) for lp in a.loops)))
    total = sum(a.work_per_actor.values())
    work = [{"actor": actor, "time": fmt(m), "share": fmt_percent(m / total if total else 0, ctx.lang)}
            for actor, m in sorted(a.work_per_actor.items(), key=lambda kv: (-kv[1], kv[0]))]
    hist = note = label = None
    stopped = ""
    if r is not None and r.cycle_time is not None:
        ct = r.cycle_time
        hist = histogram(r.samples, p50=ct.p50, p90=ct.p90)
        note = ctx.t("analysis.histogram_note", cases=r.completed, seed=r.config.seed, p50=fmt(ct.p50), p90=fmt(ct.p90))
        label = ctx.t("analysis.histogram_label", low=fmt(ct.min), high=fmt(ct.max), p50=fmt(ct.p50), p90=fmt(ct.p90))
        if r.stopped:
            stopped = ctx.t("analysis.stopped", n=r.stopped)
    return render("analysis.html", t=ctx.t, rows=rows, work=work, hist=hist, note=note, label=label,
                  stopped=stopped, low=fmt(hist.low) if hist else "", high=fmt(hist.high) if hist else "")


def _handoffs(ctx: RenderContext, count: int, expected: float | None) -> str:
    if expected is None or math.isnan(expected):
        return str(count)
    return f"{count} ({ctx.t('analysis.per_case', n=fmt_number(expected, ctx.lang))})"
