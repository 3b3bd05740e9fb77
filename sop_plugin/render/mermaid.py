"""Mermaid flowchart text: an SOP's procedure and the portal's graphs.

:func:`flowchart` draws a procedure; :func:`units_graph` and
:func:`relations_graph` draw the portal's map of hand-offs between units and
the graph of related SOPs.

Process boxes with actor, step number, activity and duration in step order,
a diamond for each decision with labelled edges, start/end terminators, and
an off-page connector (linked to the other SOP's page) for every ``sop:``
handover.

Every label is written with Mermaid entity codes (``#60;`` for ``<``...),
so no SOP text can change the diagram's structure or inject markup: node
ids are generated (``s3``, ``d3``), never taken from the text.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from ..model import Calendar, Sop, Status, Step
from .. import fmt, i18n

_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:?!/-+")

def label(text: str, limit: int = 120) -> str:
    """Text as a Mermaid string body: every character outside a small safe set becomes ``#NNN;``."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(c if c in _SAFE else f"#{ord(c)};" for c in text)


def flowchart(sop: Sop, lang: str = i18n.DEFAULT_LANG,
              sop_href: Callable[[str], str | None] | None = None, cal: Calendar | None = None,
              sop_label: Callable[[str], str] | None = None) -> str:
    """Mermaid source for ``sop``'s procedure ("" when it has no steps).

    Step *n* is ranked below step *n-1*: where the flow itself does not link
    two consecutive steps an invisible link (``~~~``) does, so Mermaid's
    layered layout keeps the written order top to bottom.  The actor is the
    first line of each box (no swimlane subgraphs: Mermaid cannot keep lanes
    from overlapping once the order is fixed).

    ``sop_label`` names a handed-over SOP (the placeholder for a confidential one in a public build).
    """
    name = sop_label or (lambda i: i)
    steps = sop.steps
    if not steps:
        return ""
    n = len(steps)
    lines = ["flowchart TD"]
    lines.append(f'    start(["{label(i18n.t(lang, "mermaid.start"))}"])')
    lines.append(f'    stop(["{label(i18n.t(lang, "mermaid.end"))}"])')
    for s in steps:
        lines.extend("    " + x for x in _nodes(s, lang, cal, name))
    lines.append("    start --> s1")
    clicks: list[str] = []
    linked: set[tuple[int, int]] = set()  # (from step, to step) drawn by the flow itself
    for s in steps:
        src = f"s{s.number}"
        if s.sop:
            lines.append(f"    {src} -.-> c{s.number}")
            href = sop_href(s.sop) if sop_href else None
            if href:
                clicks.append(f'    click c{s.number} href "{label(href, 500)}" "{label(name(s.sop))}"')
        if s.decision is not None:
            lines.append(f"    {src} --> d{s.number}")
            probs = s.decision.probabilities()
            for b, p in zip(s.decision.branches, probs):
                dest = _dest(b.target)
                if dest is None:
                    continue
                text = b.label or ""
                if b.probability is not None or any(x.probability is not None for x in s.decision.branches):
                    text = f"{text} ({p * 100:g}%)".strip()
                edge = f'-->|"{label(text)}"|' if text else "-->"
                lines.append(f"    d{s.number} {edge} {dest}")
                if b.target.step is not None:
                    linked.add((s.number, b.target.step))
            continue
        for t in s.successors(n):
            dest = _dest(t)
            if dest is not None:
                lines.append(f"    {src} --> {dest}")
                if t.step is not None:
                    linked.add((s.number, t.step))
    for s in steps[:-1]:  # rank constraints: step n+1 below step n
        if (s.number, s.number + 1) not in linked:
            last = f"d{s.number}" if s.decision is not None else f"s{s.number}"
            lines.append(f"    {last} ~~~ s{s.number + 1}")
    lines.extend(clicks)
    lines.append("    classDef terminator fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20")
    lines.append("    classDef decision fill:#fff8e1,stroke:#f9a825,color:#4e342e")
    lines.append("    classDef connector fill:#e3f2fd,stroke:#1565c0,color:#0d47a1")
    lines.append("    class start,stop terminator")
    decisions = [f"d{s.number}" for s in steps if s.decision is not None]
    if decisions:
        lines.append(f"    class {','.join(decisions)} decision")
    connectors = [f"c{s.number}" for s in steps if s.sop]
    if connectors:
        lines.append(f"    class {','.join(connectors)} connector")
    return "\n".join(lines) + "\n"


def _nodes(s: Step, lang: str = i18n.DEFAULT_LANG, cal: Calendar | None = None,
           name: Callable[[str], str] = lambda i: i) -> list[str]:
    text = f"{s.number}. {s.activity}"
    if s.duration_text:
        text += f" ({fmt.duration(s.duration, lang, cal, s.duration_text)})"
    actor = s.actor or i18n.t(lang, "mermaid.no_actor")
    # the <b> and <br/> are ours; every author text goes through label()
    out = [f's{s.number}["<b>{label(actor)}</b><br/>{label(text, 400)}"]']
    if s.decision is not None:
        out.append(f'd{s.number}{{"{label(s.decision.question or "?", 400)}"}}')
    if s.sop:
        out.append(f'c{s.number}>"{label(name(s.sop))}"]')
    return out


def _dest(t) -> str | None:
    if t.is_end:
        return "stop"
    if t.step is not None:
        return f"s{t.step}"
    return None


def units_graph(keys: list[str], counts: Mapping[tuple[str, str], int], name: Callable[[str], str],
                href: Callable[[str], str | None]) -> str:
    """One node per unit (linked to its page), edges with hand-off counts ("" without hand-offs)."""
    if not counts:
        return ""
    keys = list(keys)
    for a, b in counts:
        for k in (a, b):
            if k not in keys:
                keys.append(k)
    node = {k: f"u{i}" for i, k in enumerate(keys, start=1)}
    lines = ["flowchart LR"]
    for k in keys:
        lines.append(f'    {node[k]}["{label(name(k))}"]')
    for (a, b), n in sorted(counts.items(), key=lambda kv: (keys.index(kv[0][0]), keys.index(kv[0][1]))):
        lines.append(f'    {node[a]} -->|"{n}"| {node[b]}')
    for k in keys:
        link = href(k)
        if link:
            lines.append(f'    click {node[k]} href "{label(link, 500)}" "{label(name(k))}"')
    return "\n".join(lines) + "\n"


def relations_graph(rels: Iterable, published: Mapping[str, Sop], t: Callable[..., str],
                    sop_href: Callable[[str], str | None]) -> str:
    """Related SOPs, sub-SOP handovers and successors; retired SOPs greyed."""
    rels = list(rels)
    order: list[str] = []
    for r in rels:
        for x in (r.source, r.target):
            if x not in order:
                order.append(x)
    node = {x: f"n{i}" for i, x in enumerate(order, start=1)}
    lines = ["flowchart LR"]
    for x in order:
        text = f"{x}: {published[x].title or ''}".rstrip(": ")
        lines.append(f'    {node[x]}["{label(text, 80)}"]')
    for r in rels:
        a, b = node[r.source], node[r.target]
        if r.kind == "related":
            lines.append(f'    {a} ---|"{label(t("relations.related"))}"| {b}')
        elif r.kind == "handover":
            lines.append(f'    {a} -->|"{label(t("relations.handover", n=r.step))}"| {b}')
        else:
            lines.append(f'    {a} -.->|"{label(t("relations.superseded_by"))}"| {b}')
    for x in order:
        link = sop_href(x)
        if link:
            lines.append(f'    click {node[x]} href "{label(link, 500)}" "{label(x)}"')
    retired = [node[x] for x in order if published[x].status is Status.RETIRED]
    lines.append("    classDef retired fill:#eeeeee,stroke:#9e9e9e,color:#616161,stroke-dasharray:4 3")
    if retired:
        lines.append(f"    class {','.join(retired)} retired")
    return "\n".join(lines) + "\n"
