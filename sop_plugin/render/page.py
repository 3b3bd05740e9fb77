"""Assemble an SOP page from its blocks and the author's free sections.

The result is a list of parts: HTML fragments (from blocks, already
escaped) and Markdown (the author's free sections, rendered by the host so
that its extensions and table of contents apply).  The Markdown extension
turns the parts into the page; whatever the host makes of the Markdown parts
passes the allow-list of :mod:`sop_plugin.sanitize` on the output (the
extension marks the HTML parts as the portal's own when it inserts them, so
the parts stay plain data that the build may cache).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .. import fmt, sanitize
from ..model import Severity, Sop, Status
from ..pipeline import Portal
from .blocks import blocks_in, block
from .context import RenderContext
from .mermaid import flowchart
from .report import report_href
from .templating import render

@dataclass(frozen=True)
class Part:
    kind: str  # "html" | "markdown"
    text: str


def status_key(sop: Sop) -> str:
    return f"status.{sop.status.value}" if sop.status else "status.unknown"


def page_parts(portal: Portal, sop: Sop) -> list[Part]:
    """``sop``'s page as its own page sees it: what the build renders once per SOP
    (beside the analysis, on all cores, cached; see :func:`sop_plugin.pipeline.build`)."""
    ctx = RenderContext.of(portal)
    ctx.links = ctx.links.at_sop(sop.id or "")
    return render_sop_page(sop, ctx, frozenset(portal.settings.disabled_blocks))


def render_sop_page(sop: Sop, ctx: RenderContext, disabled: frozenset[str] = frozenset()) -> list[Part]:
    with sanitize.remote_images(ctx.settings.remote_images):
        return _page(sop, ctx, disabled)


def _page(sop: Sop, ctx: RenderContext, disabled: frozenset[str]) -> list[Part]:
    parts: list[Part] = []
    for b in blocks_in("header", disabled):
        _add(parts, b.render(sop, ctx))
    lines = sop.body.splitlines()
    proc = sop.procedure
    if proc is None:
        parts.append(Part("markdown", (_strip_title(lines))))
        _add(parts, f'<div class="sop-note">{html.escape(ctx.t("page.no_procedure"))}</div>')
    else:
        start, end = proc.line - sop.body_line, proc.end_line - sop.body_line
        parts.append(Part("markdown", (_strip_title(lines[:start]))))
        # the procedure heading and any text the author put before the list stay Markdown
        parts.append(Part("markdown", ("\n".join(lines[start:_list_start(sop, lines, start, end)]))))
        _add(parts, step_table(sop, ctx))
        tabs = [(b, b.render(sop, ctx)) for b in blocks_in("flowchart", disabled)]
        _add(parts, _tabs(sop, ctx, [(b, h) for b, h in tabs if h]))
        for b in blocks_in("procedure", disabled):
            _add(parts, b.render(sop, ctx))
        tail = _list_end(sop, lines, start, end)
        parts.append(Part("markdown", ("\n".join(lines[tail:end]))))
        parts.append(Part("markdown", ("\n".join(lines[end:]))))
    for b in blocks_in("footer", disabled):
        _add(parts, b.render(sop, ctx))
    return [p for p in parts if p.text.strip()]


def _add(parts: list[Part], text: str | None) -> None:
    if text and text.strip():
        parts.append(Part("html", text.strip()))


def _strip_title(lines: list[str]) -> str:
    """Drop a leading ``# Title`` line: the page renders the SOP's title itself."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if re.match(r"^#\s", line):
            return "\n".join(lines[:i] + lines[i + 1:])
        break
    return "\n".join(lines)


def _list_start(sop: Sop, lines: list[str], start: int, end: int) -> int:
    """Index of the first step's line (the list replaces everything from there)."""
    if sop.steps:
        return sop.steps[0].line - sop.body_line
    return end


def _list_end(sop: Sop, lines: list[str], start: int, end: int) -> int:
    """Index after the list: the first non-indented, non-list line after the last step."""
    if not sop.steps:
        return end
    i = sop.steps[-1].line - sop.body_line + 1
    while i < end:
        line = lines[i]
        if line.strip() and not line[:1].isspace() and not re.match(r"^\d+[.)]\s", line):
            # a lazy continuation of the last paragraph cannot start a block; a blank line must precede
            if i > 0 and not lines[i - 1].strip():
                return i
        i += 1
    return end


# -- blocks of the SOP page --------------------------------------------------

@block("title", slot="header", order=10)
def title_block(sop: Sop, ctx: RenderContext) -> str:
    problems = [d.in_lang(ctx.lang) for d in ctx.diagnostics_for(sop) if d.severity is not Severity.INFO]
    successor = None
    if sop.status is Status.RETIRED and sop.superseded_by:
        ref = ctx.sop_ref(sop.superseded_by)
        successor = {"id": ref.label, "href": ref.href, "title": ref.title}
    return render(
        "page_title.html",
        sop=sop,
        t=ctx.t,
        status_key=status_key(sop),
        status=sop.status.value if sop.status else "unknown",
        successor=successor,
        problems=problems,
        lang=ctx.lang,
        fmt=fmt.of(ctx),
    )


def step_table(sop: Sop, ctx: RenderContext) -> str:
    """The steps as a table; on a phone each row is a step card (sop.css), which also says where the
    flow goes next when the table leaves it implicit (the following step, or the end)."""
    rows = []
    count = len(sop.steps)
    for s in sop.steps:
        flow = []
        if s.decision is not None:
            for b in s.decision.branches:
                flow.append({"label": b.label, "target": _target_text(b.target, ctx), "href": _target_href(b.target),
                             "probability": b.probability})
        handover = None
        if s.sop:
            ref = ctx.sop_ref(s.sop)
            handover = {"id": ref.label, "href": ref.href}
        # where a step without a decision goes: shown when written (a jump, or the end), and on a
        # step card when the table's order says it
        written = s.decision is None and s.next is not None
        succ = s.successors(count) if s.decision is None else []
        nxt = {"target": _next_text(succ[0], ctx), "href": _target_href(succ[0]), "written": written} \
            if len(succ) == 1 else None
        rows.append({"step": s, "flow": flow, "handover": handover, "next": nxt,
                     "report": report_href(ctx.settings.report_issue_url, sop, s.number)})
    return render("step_table.html", sop=sop, rows=rows, t=ctx.t, fmt=fmt.of(ctx))


def _next_text(t, ctx: RenderContext) -> str:
    """"Lanjut ke langkah 5", or "Prosedur selesai" after the last step."""
    return ctx.t("flow.done") if t.is_end else ctx.t("flow.next", target=_target_text(t, ctx))


def _target_text(t, ctx: RenderContext) -> str:
    if t.is_end:
        return ctx.t("flow.end")
    if t.step is not None:
        return ctx.t("flow.step", n=t.step)
    return t.raw


def _target_href(t) -> str | None:
    return f"#step-{t.step}" if t.step is not None else None


@block("mermaid", slot="flowchart", order=10, tab="tab.mermaid")
def mermaid_block(sop: Sop, ctx: RenderContext) -> str | None:
    source = flowchart(sop, ctx.lang, ctx.sop_href, ctx.settings.calendar, sop_label=lambda i: ctx.sop_ref(i).label)
    if not source:
        return None
    return render("mermaid.html", source=source, t=ctx.t, sop=sop)


def _tabs(sop: Sop, ctx: RenderContext, tabs: list) -> str | None:
    if not tabs:
        return None
    group = f"sop-flow-{re.sub(r'[^a-z0-9]+', '-', (sop.id or sop.path).lower())}"
    items = [{"key": b.name, "label": ctx.t(b.tab) if b.tab else b.name, "html": h} for b, h in tabs]
    return render("tabs.html", group=group, items=items, t=ctx.t)
