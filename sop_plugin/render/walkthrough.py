"""Page block: the interactive walkthrough ("Simulasikan").

The block embeds the procedure as JSON; ``assets/sop-walkthrough.js`` (plain
JavaScript, no network) lets a reader step through it, choose branches,
enter actual minutes, and export the run as JSON or as a YAML snippet for
the ``simulasi`` front matter.  Without JavaScript the block says so.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .. import fmt
from ..model import Sop
from .blocks import block
from .context import RenderContext
from .templating import render

SCRIPT_VERSION = 1


def walkthrough_data(sop: Sop, ctx: RenderContext) -> dict[str, Any]:
    """What the script needs, as plain JSON values."""
    flow = ctx.derived(sop).flow
    f = fmt.of(ctx)
    steps = []
    for s in sop.steps:
        d = s.duration
        steps.append({
            "number": s.number,
            "activity": s.activity,
            "actor": s.actor,
            "inputs": list(s.inputs),
            "output": s.output,
            "duration": None if d is None else {"text": f.step_duration(s), "low": d.low,
                                                "high": d.high, "mid": d.mid},
            "question": s.decision.question if s.decision else None,
            "sop": ctx.sop_ref(s.sop).label if s.sop else None,
            "next": [{"label": e.label, "step": e.target, "end": e.target is None,
                      "probability": round(e.probability, 6) if e.kind == "branch" else None}
                     for e in flow.edges.get(s.number, [])],
        })
    return {
        "version": SCRIPT_VERSION,
        "id": sop.id,
        "title": sop.title,
        "sop_version": sop.version,
        "minutes_per_day": ctx.settings.calendar.minutes_per_day,
        "lang": ctx.lang,
        "simulations_key": "simulasi" if ctx.lang == "id" else "simulations",
        "steps": steps,
    }


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survive literally."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


@block("walkthrough", slot="footer", order=25)
def walkthrough_block(sop: Sop, ctx: RenderContext) -> str | None:
    if not sop.steps:
        return None
    return render("walkthrough.html", t=ctx.t, sop_id=sop.id or "", data=script_json(walkthrough_data(sop, ctx)))
