"""The SOP-AP flowchart table as a page block (the "SOP-AP" flowchart tab)."""

from __future__ import annotations

import json

from markupsafe import Markup

from ... import fmt
from ...model import Sop
from ...paper import TABLE_WIDTH
from ..blocks import block
from ..context import RenderContext
from ..templating import inline_markdown, render
from .geometry import layout
from .pages import CONNECTOR_ROW, crossings
from .svg import legend, rows_svg


def sopap_html(sop: Sop, ctx: RenderContext, *, rows_per_page: int | None = None) -> str | None:
    """The SOP-AP table as one ``<table>``; ``assets/sop-print.js`` cuts it into pages when printing.

    ``rows_per_page`` (or the setting ``sopap_rows_per_page``) caps the step rows per printed
    page; the script still measures, so a page never overflows.
    """
    rpp = rows_per_page or ctx.settings.sopap_rows_per_page
    labels = {"no_actor": ctx.t("sopap.no_actor"), "start": ctx.t("sopap.start"), "end": ctx.t("sopap.end"),
              "handover": ctx.t("sopap.handover", id="{id}")}
    lay = layout(sop, handover_href=ctx.sop_href, labels=labels, handover_label=lambda i: ctx.sop_ref(i).label)
    if lay is None:
        return None
    f = fmt.of(ctx)
    cuts = crossings(lay.rows, lay.edges)
    drawings = rows_svg(lay)
    rows = []
    for ri, r in enumerate(lay.rows):
        s = r.step
        rows.append({
            "step": s,
            "h": round(r.h, 1),
            "y": round(r.y, 1),
            "svg": drawings[ri],
            "cross": json.dumps([[c.x, c.edge] for c in cuts[ri]], separators=(",", ":")),
            "activity": Markup(inline_markdown(s.activity)) if s else ctx.t("sopap.end"),
            "inputs": s.inputs if s else [],
            "duration": f.step_duration(s) if s else "",
            "output": Markup(inline_markdown(s.output)) if s and s.output else "",
            "notes": Markup(inline_markdown(s.notes)) if s and s.notes else "",
            "handover": ({"id": ctx.sop_ref(s.sop).label, "href": ctx.sop_href(s.sop)} if s and s.sop else None),
        })
    return render(
        "sopap.html",
        sop=sop,
        t=ctx.t,
        cols=lay.cols,
        lane_cols=lay.cols.lane_cols(),
        lanes_width=lay.cols.lanes_width,
        actors=lay.actors,
        rows=rows,
        rows_per_page=rpp if rpp and rpp > 0 else 0,
        connector_h=CONNECTOR_ROW,
        width=TABLE_WIDTH,
        legend=legend(),
    )


@block("sopap", slot="flowchart", order=5, tab="tab.sopap")  # the default view: row n is step n
def sopap_block(sop: Sop, ctx: RenderContext) -> str | None:
    return sopap_html(sop, ctx)
