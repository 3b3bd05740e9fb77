""""Laporkan masalah pada SOP ini": a link to report a problem, on every SOP page and on each step.

Off by default.  The ``report_issue_url`` option is a URL template (an
issue tracker's "new issue" address or a ``mailto:``) with the fields
``{id}``, ``{version}``, ``{title}`` and ``{step}`` (empty on the page-level
link).  Field values are author text: they are URL-encoded here, never
inserted raw; the template itself is checked by
:func:`sop_plugin.settings.Settings.from_options` (http, https or mailto,
known fields only).
"""

from __future__ import annotations

from urllib.parse import quote

from ..model import Sop
from .blocks import block
from .context import RenderContext
from .templating import render

def report_href(template: str, sop: Sop, step: int | None = None) -> str | None:
    """The report link for ``sop`` (and ``step``), or ``None`` when reporting is off."""
    if not template:
        return None
    values = {"id": sop.id or "", "version": "" if sop.version is None else str(sop.version),
              "title": sop.title or "", "step": "" if step is None else str(step)}
    return template.format_map({k: quote(v, safe="") for k, v in values.items()})


@block("report", slot="footer", order=90)
def report_block(sop: Sop, ctx: RenderContext) -> str | None:
    href = report_href(ctx.settings.report_issue_url, sop)
    if href is None:
        return None
    return render("report.html", href=href, text=ctx.t("report.sop"))
