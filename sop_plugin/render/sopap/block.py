"""The SOP-AP flowchart table as a page block (the "SOP-AP" flowchart tab)."""

from __future__ import annotations

from markupsafe import Markup

from ... import fmt
from ...model import Sop
from ..blocks import block
from ..context import RenderContext
from ..templating import inline_markdown, render
from .geometry import TABLE_WIDTH, layout
from .pages import CONNECTOR_ROW, chunks
from .svg import connector_svg, legend, row_svg


def sopap_html(sop: Sop, ctx: RenderContext, *, rows_per_page: int | None = None) -> str | None:
    rpp = rows_per_page or ctx.settings.sopap_rows_per_page
    labels = {"no_actor": ctx.t("sopap.no_actor"), "start": ctx.t("sopap.start"), "end": ctx.t("sopap.end"),
              "handover": ctx.t("sopap.handover", id="{id}")}
    lay = layout(sop, handover_href=ctx.sop_href, labels=labels, handover_label=lambda i: ctx.sop_ref(i).label)
    if lay is None:
        return None
    f = fmt.of(ctx)
    out = []
    for k, ch in enumerate(chunks(lay.rows, lay.edges, rpp if rpp and rpp > 0 else None)):
        rows = []
        for ri in ch.rows:
            r = lay.rows[ri]
            s = r.step
            rows.append({
                "step": s,
                "h": round(r.h, 1),
                "y": round(r.y, 1),
                "svg": row_svg(lay, ri),
                "activity": Markup(inline_markdown(s.activity)) if s else ctx.t("sopap.end"),
                "inputs": s.inputs if s else [],
                "duration": f.step_duration(s) if s else "",
                "output": Markup(inline_markdown(s.output)) if s and s.output else "",
                "notes": Markup(inline_markdown(s.notes)) if s and s.notes else "",
                "handover": ({"id": ctx.sop_ref(s.sop).label, "href": ctx.sop_href(s.sop)} if s and s.sop else None),
            })
        out.append({
            "rows": rows,
            "top": connector_svg(lay, ch.top, "top", k, ctx.t) if ch.top else None,
            "bottom": connector_svg(lay, ch.bottom, "bottom", k, ctx.t) if ch.bottom else None,
        })
    return render(
        "sopap.html",
        sop=sop,
        t=ctx.t,
        cols=lay.cols,
        lane_cols=lay.cols.lane_cols(),
        actors=lay.actors,
        chunks=out,
        connector_h=CONNECTOR_ROW,
        width=TABLE_WIDTH,
        legend=legend(),
    )


@block("sopap", slot="flowchart", order=5, tab="tab.sopap")  # the default view: row n is step n
def sopap_block(sop: Sop, ctx: RenderContext) -> str | None:
    return sopap_html(sop, ctx)
