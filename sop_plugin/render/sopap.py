"""The SOP-AP flowchart table (Permenpan RB No. 35/2012), laid out in Python.

Conventions (documented for readers in ``docs/guide/printing.md``):

* Columns: No, Kegiatan, one column per pelaksana (order of first
  appearance), Mutu Baku (Kelengkapan, Waktu, Output), Keterangan.
  Step N is row N; nothing is ever reordered.
* Symbols (five kinds, ``data-kind``):
  ``terminator`` (kapsul) — the first activity (start) and every plain step
  that ends the procedure are drawn as capsules, as in SOP-AP practice.  A
  procedure whose first step is a decision gets a small "Mulai" capsule above
  it; a decision branch that ends the procedure leads to a small "Selesai"
  capsule next to the diamond (or, when there is no room, in a closing row).
  ``process`` (kotak) — every other activity.  ``decision`` (belah ketupat) —
  a step with ``keputusan``; its branches leave from the bottom, right and
  left vertices with their labels.  Flow lines (anak panah) are orthogonal;
  a line to the following row goes down and across, longer forward jumps run
  down in the corridor to the right of the lanes involved, loops run back up
  in the corridor to their left, so no line crosses a symbol.
  ``connector`` (segilima) — a handover to another SOP (``sop:``, a link
  to that SOP's page, drawn under the step) and the off-page connectors
  where the table breaks across printed pages.
* Printing: the table is cut into chunks that fit an A4 landscape page.
  Every chunk is its own ``<table>`` with its header; each flow line that
  crosses a cut ends in a lettered segilima at the bottom of one chunk and
  starts again from the same letter at the top of the next.  On screen the
  connector rows and repeated headers are hidden and the chunks read as one
  continuous table.

The geometry is plain data (:func:`layout`), so tests can check it; the HTML
carries it as ``data-*`` attributes: symbols ``data-step``, ``data-actor-col``
(0-based lane), ``data-kind``, ``data-cx/cy/w/h`` (table coordinates, px);
flow lines ``data-from``, ``data-to``, ``data-label`` and ``d`` in the same
coordinates.  Each row's SVG only draws the part of the picture inside the
row, so page breaks between rows never cut a symbol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from .. import i18n
from ..model import Sop, Step
from .blocks import block
from .context import RenderContext
from .templating import inline_markdown, render

# -- dimensions (CSS px; A4 landscape minus 10 mm margins is ~1047 px wide) --

TABLE_WIDTH = 1040
MARGIN = 16           # extra room left and right of the lanes for the outer corridors
GUTTER = 10           # corridor half-width inside each lane
TRACK = 4             # distance between parallel lines in a corridor
TOP_PAD = 8           # above a row's symbol
START_H = 30          # extra row height for a "Mulai" capsule above the first step
HANDOVER_H = 34       # extra row height for a handover connector under a step
MIN_ROW = 50
LINE_H = 13.5         # text line height at the table's 10.5 px font
CHAR_W = 5.6          # average character width at that font
CONNECTOR_ROW = 40    # height of the off-page connector rows of a printed chunk
PAGE_BUDGET = 540     # px of step rows per printed A4 landscape page (under header, connector rows)
EXTEND = 4000         # how far lines reaching a row's bottom are extended (clipped by the cell)


@dataclass
class Columns:
    no: int
    activity: int
    lane: int          # width of one actor lane
    lanes: int         # number of lanes
    inputs: int
    duration: int
    output: int
    notes: int

    @property
    def lanes_width(self) -> int:
        return self.lanes * self.lane + 2 * MARGIN

    def lane_cols(self) -> list[int]:
        """Widths of the header's actor columns (the outer ones include the corridor margins)."""
        w = [self.lane] * self.lanes
        w[0] += MARGIN
        w[-1] += MARGIN
        return w

    def lane_center(self, lane: int) -> float:
        return MARGIN + lane * self.lane + self.lane / 2

    def corridor(self, c: int) -> tuple[float, float]:
        """x range of corridor ``c`` (0 = left of the first lane, ``lanes`` = right of the last)."""
        b = MARGIN + c * self.lane
        lo = 0 if c == 0 else b - GUTTER
        hi = self.lanes_width if c == self.lanes else b + GUTTER
        return lo, hi


def columns(lanes: int) -> Columns:
    lanes = max(1, lanes)
    if lanes >= 6:
        no, inputs, duration, output, notes = 26, 82, 52, 82, 72
    else:
        no, inputs, duration, output, notes = 30, 100, 60, 100, 90
    rest = TABLE_WIDTH - (no + inputs + duration + output + notes) - 2 * MARGIN
    lane = max(58, min(110, (rest - 200) // lanes))
    activity = TABLE_WIDTH - (no + inputs + duration + output + notes) - 2 * MARGIN - lane * lanes
    return Columns(no, max(140, activity), lane, lanes, inputs, duration, output, notes)


# -- geometry ---------------------------------------------------------------

@dataclass
class Symbol:
    kind: str            # process | decision | terminator | connector
    lane: int
    cx: float
    cy: float
    w: float
    h: float
    row: int             # index into Layout.rows
    step: int | None = None
    ref: str | None = None      # "start" | "end" | "handover" | "page-out" | "page-in"
    text: str = ""              # text shown inside (connector letters)
    title: str = ""
    href: str | None = None

    def port(self, side: str) -> tuple[float, float]:
        return {
            "top": (self.cx, self.cy - self.h / 2),
            "bottom": (self.cx, self.cy + self.h / 2),
            "left": (self.cx - self.w / 2, self.cy),
            "right": (self.cx + self.w / 2, self.cy),
        }[side]

    def box(self) -> tuple[float, float, float, float]:
        return (self.cx - self.w / 2, self.cy - self.h / 2, self.cx + self.w / 2, self.cy + self.h / 2)


@dataclass
class Edge:
    src: str                 # step number, "start"
    dst: str                 # step number, "end", "handover"
    label: str | None
    points: list[tuple[float, float]] = field(default_factory=list)
    arrow: bool = True


@dataclass
class Row:
    step: Step | None        # None: the closing "Selesai" row
    y: float
    h: float

    @property
    def track(self) -> float:
        """y of horizontal lines leaving the row downwards."""
        return self.y + self.h - 8


@dataclass
class Crossing:
    label: str
    x: float
    edge: int               # index into Layout.edges


@dataclass
class Chunk:
    rows: list[int]
    top: list[Crossing] = field(default_factory=list)     # connectors at the top (from previous page)
    bottom: list[Crossing] = field(default_factory=list)  # connectors at the bottom (to next page)


@dataclass
class Layout:
    actors: list[str]
    cols: Columns
    rows: list[Row]
    symbols: list[Symbol]
    edges: list[Edge]
    chunks: list[Chunk]

    @property
    def height(self) -> float:
        return self.rows[-1].y + self.rows[-1].h if self.rows else 0


def _lines(text: str, width: int) -> int:
    if not text:
        return 1
    per = max(4, int((width - 8) / CHAR_W))
    return sum(max(1, math.ceil(len(part) / per)) for part in text.split("\n"))


def _row_height(step: Step, cols: Columns) -> float:
    texts = [
        (step.activity, cols.activity),
        ("; ".join(step.inputs), cols.inputs),
        (step.duration_text or "", cols.duration),
        (step.output or "", cols.output),
        ((step.notes or "") + (f" SOP {step.sop}" if step.sop else ""), cols.notes),
    ]
    lines = max(_lines(t, w) for t, w in texts)
    return max(MIN_ROW, lines * LINE_H + 10)


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _kind(step: Step, count: int) -> str:
    if step.decision is not None:
        return "decision"
    if step.number == 1:
        return "terminator"
    succ = step.successors(count)
    if not step.sop and len(succ) == 1 and succ[0].is_end:
        return "terminator"
    return "process"


def _size(kind: str, cols: Columns) -> tuple[float, float]:
    room = cols.lane - 2 * GUTTER - 4
    if kind == "decision":
        return min(room, 56), 30
    if kind == "terminator":
        return min(room, 56), 22
    if kind == "connector":
        return 20, 20
    return min(room, 56), 24


def layout(sop: Sop, *, rows_per_page: int | None = None, page_budget: float = PAGE_BUDGET,
           handover_href=None, labels: dict[str, str] | None = None) -> Layout | None:
    """Place every symbol and route every flow line; ``None`` without steps."""
    steps = sop.steps
    if not steps:
        return None
    labels = labels or {}
    count = len(steps)
    actors = sop.procedure.actors() if sop.procedure else []
    lane_of: dict[str | None, int] = {a: i for i, a in enumerate(actors)}
    if any(not s.actor for s in steps):
        lane_of[None] = len(actors)
        actors = actors + [labels.get("no_actor", "?")]
    cols = columns(len(actors))

    def lane(s: Step) -> int:
        return lane_of[s.actor or None]

    kinds = {s.number: _kind(s, count) for s in steps}
    has_handover = {s.number: bool(s.sop) and s.decision is None for s in steps}
    start_capsule = kinds[1] == "decision"

    # -- logical edges with their kind and exit port -------------------------
    # incoming from corridors: fwd jumps enter a target's right side, loops its left side
    busy_in: dict[int, set[str]] = {s.number: set() for s in steps}
    logical: list[dict[str, Any]] = []
    for s in steps:
        succ_labels: list[tuple[str | None, Any]]
        if s.decision is not None:
            succ_labels = [(b.label, b.target) for b in s.decision.branches]
        else:
            succ_labels = [(None, t) for t in s.successors(count)]
        for label, t in succ_labels:
            if t.is_end:
                kind = "end"
                to = None
            elif t.step is None or not (1 <= t.step <= count):
                continue  # dangling: the validator reports it
            else:
                to = t.step
                kind = "next" if to == s.number + 1 else ("fwd" if to > s.number else "back")
            logical.append({"src": s.number, "to": to, "kind": kind, "label": label})
    for e in logical:
        if e["kind"] == "fwd":
            busy_in[e["to"]].add("right")
        elif e["kind"] == "back" and e["to"] != e["src"]:
            busy_in[e["to"]].add("left")

    needs_end_row = False
    ports_used: dict[int, set[str]] = {s.number: set() for s in steps}
    for s in steps:
        mine = [e for e in logical if e["src"] == s.number]
        if s.decision is None:
            for e in mine:
                if e["kind"] == "end":
                    e["port"] = None  # a capsule or a handover connector ends the flow here: no line
                else:
                    e["port"] = {"next": "bottom", "fwd": "right", "back": "left"}[e["kind"]]
            continue
        used = ports_used[s.number]
        order = sorted(mine, key=lambda e: {"next": 0, "fwd": 1, "back": 2, "end": 3}[e["kind"]])
        for e in order:
            prefs = {"next": ["bottom", "right", "left"], "fwd": ["right", "bottom", "left"],
                     "back": ["left", "bottom", "right"], "end": ["right", "left", "bottom"]}[e["kind"]]
            if e["kind"] == "end":
                ln = lane(s)
                ok = []
                if "right" not in used and "right" not in busy_in[s.number] and ln + 1 < cols.lanes:
                    ok.append("right")
                if "left" not in used and "left" not in busy_in[s.number] and ln - 1 >= 0:
                    ok.append("left")
                if ok:
                    e["port"] = ok[0]
                    e["local_end"] = True
                    used.add(ok[0])
                    continue
                needs_end_row = True
                free = [p for p in ("right", "bottom", "left") if p not in used]
                e["port"] = free[0] if free else "bottom"
                used.add(e["port"])
                continue
            free = [p for p in prefs if p not in used]
            e["port"] = free[0] if free else prefs[0]
            used.add(e["port"])

    # -- rows ---------------------------------------------------------------
    rows: list[Row] = []
    y = 0.0
    for s in steps:
        h = _row_height(s, cols)
        extra = (START_H if (s.number == 1 and start_capsule) else 0) + (HANDOVER_H if has_handover[s.number] else 0)
        h = max(h, MIN_ROW + extra)
        rows.append(Row(s, y, h))
        y += h
    if needs_end_row:
        rows.append(Row(None, y, MIN_ROW))

    # -- symbols ------------------------------------------------------------
    symbols: list[Symbol] = []
    main: dict[int, Symbol] = {}
    exit_sym: dict[int, Symbol] = {}
    edges: list[Edge] = []
    start_sym = None
    for i, s in enumerate(steps):
        r = rows[i]
        k = kinds[s.number]
        w, h = _size(k, cols)
        ln = lane(s)
        cx = cols.lane_center(ln)
        top = r.y + TOP_PAD
        if s.number == 1 and start_capsule:
            sw, sh = _size("terminator", cols)
            start_sym = Symbol("terminator", ln, cx, top + sh / 2, sw, sh * 0.8, i, ref="start",
                               title=labels.get("start", "Start"))
            start_sym.h = sh * 0.8
            symbols.append(start_sym)
            top += START_H
        sym = Symbol(k, ln, cx, top + h / 2, w, h, i, step=s.number, title=s.activity)
        symbols.append(sym)
        main[s.number] = sym
        exit_sym[s.number] = sym
        if start_sym is not None and s.number == 1:
            edges.append(Edge("start", "1", None, [start_sym.port("bottom"), sym.port("top")]))
        if has_handover[s.number]:
            cw, ch = _size("connector", cols)
            con = Symbol("connector", ln, cx, sym.cy + h / 2 + 10 + ch / 2, cw, ch, i, ref="handover",
                         text="", title=labels.get("handover", "{id}").format(id=s.sop),
                         href=handover_href(s.sop) if handover_href else None)
            symbols.append(con)
            edges.append(Edge(str(s.number), "handover", None, [sym.port("bottom"), con.port("top")]))
            exit_sym[s.number] = con
    end_row_sym = None
    if needs_end_row:
        r = rows[-1]
        src_lanes = [lane(steps[e["src"] - 1]) for e in logical if e["kind"] == "end" and not e.get("local_end")
                     and e.get("port")]
        ln = max(set(src_lanes), key=src_lanes.count) if src_lanes else 0
        w, h = _size("terminator", cols)
        end_row_sym = Symbol("terminator", ln, cols.lane_center(ln), r.y + TOP_PAD + h / 2, w, h, len(rows) - 1,
                             ref="end", title=labels.get("end", "End"))
        symbols.append(end_row_sym)

    # -- corridor tracks ------------------------------------------------------
    def row_index(num: int) -> int:
        return num - 1

    corridor_jobs: list[tuple[dict[str, Any], int, int, int]] = []  # (edge, corridor, row_lo, row_hi)
    for e in logical:
        if e.get("port") is None or e.get("local_end"):
            continue
        src = steps[e["src"] - 1]
        a_s = lane(src)
        if e["kind"] == "end":
            tgt_lane, tgt_row = end_row_sym.lane, len(rows) - 1
        else:
            tgt_lane, tgt_row = lane(steps[e["to"] - 1]), row_index(e["to"])
        if e["kind"] == "next" and e["port"] == "bottom":
            continue
        if e["port"] == "right" or (e["port"] == "bottom" and e["kind"] in ("fwd", "end", "next")):
            c = max(a_s, tgt_lane) + 1
        else:
            c = min(a_s, tgt_lane)
        lo, hi = sorted((row_index(e["src"]), tgt_row))
        corridor_jobs.append((e, c, lo, hi))

    by_corridor: dict[int, list[tuple[dict[str, Any], int, int]]] = {}
    for e, c, lo, hi in corridor_jobs:
        by_corridor.setdefault(c, []).append((e, lo, hi))
    for c, jobs in by_corridor.items():
        lo_x, hi_x = cols.corridor(c)
        if c == 0:
            center = hi_x - GUTTER  # nearest the lanes first, spreading outwards
            positions = [center - k * TRACK for k in range(int((hi_x - 4) / TRACK))]
            positions = [p for p in positions if p >= 3]
        elif c == cols.lanes:
            center = lo_x + GUTTER
            positions = [center + k * TRACK for k in range(int((hi_x - lo_x - 4) / TRACK))]
            positions = [p for p in positions if p <= hi_x - 3]
        else:
            center = (lo_x + hi_x) / 2
            positions = [center]
            k = 1
            while center + k * TRACK <= hi_x - 2:
                positions += [center - k * TRACK, center + k * TRACK]
                k += 1
        assigned: list[tuple[int, int, int]] = []  # (row_lo, row_hi, track)
        for e, lo, hi in sorted(jobs, key=lambda j: (j[2] - j[1], j[1])):
            # interval colouring: a track is free when no job on it overlaps [lo, hi]; short jumps nearest the lanes
            pick = None
            for ti in range(len(positions)):
                if all(hi < a or lo > b for a, b, t in assigned if t == ti):
                    pick = ti
                    break
            if pick is None:  # more parallel lines than room: share the least used track
                pick = min(range(len(positions)), key=lambda t: sum(1 for *_, tt in assigned if tt == t))
            assigned.append((lo, hi, pick))
            e["x"] = positions[pick]

    # -- routing ------------------------------------------------------------
    for e in logical:
        if e.get("port") is None:
            continue
        s = steps[e["src"] - 1]
        r = rows[row_index(s.number)]
        src = exit_sym[s.number]
        port = e["port"]
        p0 = src.port(port)
        label = e["label"]
        dst_name = "end" if e["kind"] == "end" else str(e["to"])
        if e.get("local_end"):
            ln = src.lane + (1 if port == "right" else -1)
            w, h = _size("terminator", cols)
            cap = Symbol("terminator", ln, cols.lane_center(ln), src.cy, w, h * 0.9, src.row, ref="end",
                         title=labels.get("end", "End"))
            symbols.append(cap)
            edges.append(Edge(str(s.number), "end", label, [p0, cap.port("left" if port == "right" else "right")]))
            continue
        tgt = end_row_sym if e["kind"] == "end" else main[e["to"]]
        if e["kind"] == "next" and port == "bottom":
            pts = [p0]
            if abs(tgt.cx - p0[0]) > 0.5:
                pts += [(p0[0], r.track), (tgt.cx, r.track)]
            pts.append(tgt.port("top"))
            edges.append(Edge(str(s.number), dst_name, label, pts))
            continue
        x = e["x"]
        if tgt is main.get(s.number):  # a step that loops to itself
            top_y = tgt.cy - tgt.h / 2 - 4
            pts = [src.port("bottom"), (src.cx, r.track - 4), (x, r.track - 4), (x, top_y), (tgt.cx, top_y),
                   tgt.port("top")]
            edges.append(Edge(str(s.number), dst_name, label, pts))
            continue
        side = "left" if x < tgt.cx else "right"
        end = tgt.port(side)
        if port == "bottom":
            ty = r.track - 5
            pts = [p0, (p0[0], ty), (x, ty), (x, end[1]), end]
        else:
            pts = [p0, (x, p0[1]), (x, end[1]), end]
        edges.append(Edge(str(s.number), dst_name, label, _simplify(pts)))

    chunks = _chunks(rows, edges, rows_per_page, page_budget)
    return Layout(actors, cols, rows, symbols, edges, chunks)


def _simplify(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for p in pts:
        if out and abs(out[-1][0] - p[0]) < 0.01 and abs(out[-1][1] - p[1]) < 0.01:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (abs(a[0] - b[0]) < 0.01 and abs(b[0] - p[0]) < 0.01) or (abs(a[1] - b[1]) < 0.01 and abs(b[1] - p[1]) < 0.01):
                out[-1] = p
                continue
        out.append(p)
    return out


def _chunks(rows: list[Row], edges: list[Edge], rows_per_page: int | None, budget: float) -> list[Chunk]:
    groups: list[list[int]] = [[]]
    used = 0.0
    for i, r in enumerate(rows):
        full = (len(groups[-1]) >= rows_per_page) if rows_per_page else (used + r.h > budget)
        if groups[-1] and full:
            groups.append([])
            used = 0.0
        groups[-1].append(i)
        used += r.h
    chunks = [Chunk(g) for g in groups]
    n = 0
    for k in range(len(chunks) - 1):
        cut = rows[chunks[k].rows[-1]].y + rows[chunks[k].rows[-1]].h
        for ei, e in enumerate(edges):
            for (x1, y1), (x2, y2) in zip(e.points, e.points[1:]):
                if abs(x1 - x2) < 0.01 and min(y1, y2) < cut < max(y1, y2):
                    label = _letters(n)
                    n += 1
                    chunks[k].bottom.append(Crossing(label, x1, ei))
                    chunks[k + 1].top.append(Crossing(label, x1, ei))
    return chunks


# -- SVG ------------------------------------------------------------------

def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _shape(sym: Symbol) -> str:
    x0, y0, x1, y1 = sym.box()
    if sym.kind == "decision":
        return (f'<polygon class="sopap-shape" points="{_f(sym.cx)},{_f(y0)} {_f(x1)},{_f(sym.cy)} '
                f'{_f(sym.cx)},{_f(y1)} {_f(x0)},{_f(sym.cy)}"/>')
    if sym.kind == "terminator":
        return (f'<rect class="sopap-shape" x="{_f(x0)}" y="{_f(y0)}" width="{_f(sym.w)}" height="{_f(sym.h)}" '
                f'rx="{_f(sym.h / 2)}" ry="{_f(sym.h / 2)}"/>')
    if sym.kind == "connector":
        tip = y1
        shoulder = y0 + sym.h * 0.6
        return (f'<polygon class="sopap-shape" points="{_f(x0)},{_f(y0)} {_f(x1)},{_f(y0)} {_f(x1)},{_f(shoulder)} '
                f'{_f(sym.cx)},{_f(tip)} {_f(x0)},{_f(shoulder)}"/>')
    return (f'<rect class="sopap-shape" x="{_f(x0)}" y="{_f(y0)}" width="{_f(sym.w)}" height="{_f(sym.h)}"/>')


def _symbol_svg(sym: Symbol) -> str:
    attrs = (f' data-kind="{sym.kind}" data-actor-col="{sym.lane}" data-cx="{_f(sym.cx)}" data-cy="{_f(sym.cy)}"'
             f' data-w="{_f(sym.w)}" data-h="{_f(sym.h)}"')
    if sym.step is not None:
        attrs += f' data-step="{sym.step}"'
    if sym.ref:
        attrs += f' data-ref="{sym.ref}"'
    inner = f"<title>{escape(sym.title)}</title>" + _shape(sym)
    if sym.text:
        inner += (f'<text class="sopap-sym-text" x="{_f(sym.cx)}" y="{_f(sym.cy - sym.h * 0.12)}" '
                  f'text-anchor="middle" dominant-baseline="middle">{escape(sym.text)}</text>')
    elif sym.step is not None:
        inner += (f'<text class="sopap-sym-no" x="{_f(sym.cx)}" y="{_f(sym.cy)}" text-anchor="middle" '
                  f'dominant-baseline="central">{sym.step}</text>')
    elif sym.ref in ("start", "end"):
        inner += (f'<text class="sopap-sym-word" x="{_f(sym.cx)}" y="{_f(sym.cy)}" text-anchor="middle" '
                  f'dominant-baseline="central">{escape(sym.title)}</text>')
    g = f'<g class="sopap-sym sopap-{sym.kind}"{attrs}>{inner}</g>'
    if sym.href:
        # xlink:href, not href: mkdocs-material's instant navigation assigns el.href on every
        # [href] element, which throws on SVG links (their href is a read-only SVGAnimatedString)
        g = f'<a xlink:href="{escape(sym.href)}" class="sopap-link">{g}</a>'
    return g


def _clip(points: list[tuple[float, float]], y0: float, y1: float) -> list[list[tuple[float, float]]]:
    """The parts of an orthogonal polyline inside the band ``y0 <= y <= y1``."""
    parts: list[list[tuple[float, float]]] = []
    cur: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if abs(ay - by) < 0.01:  # horizontal
            if y0 <= ay < y1 or (ay == y1 and y1 == ay and False):
                seg = [(ax, ay), (bx, by)]
            else:
                seg = None
        else:
            lo, hi = max(min(ay, by), y0), min(max(ay, by), y1)
            if lo >= hi:
                seg = None
            else:
                if ay < by:
                    seg = [(ax, max(ay, y0)), (bx, min(by, y1))]
                else:
                    seg = [(ax, min(ay, y1)), (bx, max(by, y0))]
        if seg is None:
            if cur:
                parts.append(cur)
                cur = []
            continue
        if cur and abs(cur[-1][0] - seg[0][0]) < 0.01 and abs(cur[-1][1] - seg[0][1]) < 0.01:
            cur.append(seg[1])
        else:
            if cur:
                parts.append(cur)
            cur = list(seg)
    if cur:
        parts.append(cur)
    return parts


def _path(pts: list[tuple[float, float]]) -> str:
    return "M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in pts)


def _arrowhead(a: tuple[float, float], b: tuple[float, float]) -> str:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1
    ux, uy = dx / n, dy / n
    px, py = -uy, ux
    s = 5.0
    p1 = (b[0] - ux * s + px * s * 0.55, b[1] - uy * s + py * s * 0.55)
    p2 = (b[0] - ux * s - px * s * 0.55, b[1] - uy * s - py * s * 0.55)
    return f'<polygon class="sopap-arrow" points="{_f(b[0])},{_f(b[1])} {_f(p1[0])},{_f(p1[1])} {_f(p2[0])},{_f(p2[1])}"/>'


def _label_svg(edge: Edge) -> str:
    if not edge.label or len(edge.points) < 2:
        return ""
    (ax, ay), (bx, by) = edge.points[0], edge.points[1]
    text = edge.label if len(edge.label) <= 10 else edge.label[:9] + "…"
    if abs(ay - by) < 0.01:  # leaves sideways: label above the line
        anchor = "start" if bx > ax else "end"
        x = ax + (3 if bx > ax else -3)
        y = ay - 3
    else:
        anchor, x, y = "start", ax + 3, ay + 9
    return (f'<text class="sopap-label" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}">'
            f"<title>{escape(edge.label)}</title>{escape(text)}</text>")


def row_svg(lay: Layout, ri: int) -> Markup:
    r = lay.rows[ri]
    y0, y1 = r.y, r.y + r.h
    out: list[str] = []
    for ei, e in enumerate(lay.edges):
        for part in _clip(e.points, y0, y1):
            attrs = (f' data-edge="{ei}" data-from="{escape(e.src)}" data-to="{escape(e.dst)}"'
                     f' data-label="{escape(e.label or "")}"')
            out.append(f'<path class="sopap-line"{attrs} d="{_path(part)}"/>')
            last = part[-1]
            if last == e.points[-1] and e.arrow:
                out.append(_arrowhead(part[-2], last))
            # lines that reach the bottom continue to the real bottom of the (maybe taller) cell
            for (ax, ay), (bx, by) in zip(part, part[1:]):
                if abs(ax - bx) < 0.01 and abs(max(ay, by) - y1) < 0.01:
                    out.append(f'<line class="sopap-ext" x1="{_f(ax)}" y1="{_f(y1)}" x2="{_f(ax)}" y2="{_f(y1 + EXTEND)}"/>')
        if e.points and abs(e.points[0][1] - y0) >= 0 and y0 <= e.points[0][1] < y1:
            out.append(_label_svg(e))
    for sym in lay.symbols:
        if sym.row == ri:
            out.append(_symbol_svg(sym))
    return _svg(lay, out, y0, r.h, f'data-row="{ri}" data-y="{_f(y0)}" data-h="{_f(r.h)}"')


def _svg(lay: Layout, body: list[str], y0: float, h: float, attrs: str) -> Markup:
    w = lay.cols.lanes_width
    return Markup(
        f'<svg class="sopap-svg" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{_f(h)}" {attrs} '
        f'role="presentation"><g transform="translate(0,{_f(-y0)})">{"".join(body)}</g></svg>'
    )


def connector_svg(lay: Layout, crossings: list[Crossing], where: str, chunk: int, t) -> Markup:
    """A connector row: ``where`` is "bottom" (line comes in from above) or "top" (line leaves downwards)."""
    out: list[str] = []
    h = CONNECTOR_ROW
    for c in crossings:
        e = lay.edges[c.edge]
        cy = 16 if where == "bottom" else h - 18
        sym = Symbol("connector", -1, c.x, cy, 20, 20, -1, ref="page-out" if where == "bottom" else "page-in",
                     text=c.label,
                     title=t("sopap.goto_page" if where == "bottom" else "sopap.from_page", label=c.label))
        if where == "bottom":
            seg = [(c.x, 0), sym.port("top")]
        else:
            seg = [sym.port("bottom"), (c.x, h)]
        out.append(f'<path class="sopap-line" data-edge="{c.edge}" data-from="{escape(e.src)}" '
                   f'data-to="{escape(e.dst)}" data-label="{escape(e.label or "")}" data-pair="{c.label}" '
                   f'd="{_path(seg)}"/>')
        out.append(_symbol_svg(sym).replace('data-kind="connector"',
                                            f'data-kind="connector" data-pair="{c.label}" data-chunk="{chunk}"', 1))
    return _svg(lay, out, 0, h, f'data-connectors="{where}"')


# -- HTML -------------------------------------------------------------------

def sopap_html(sop: Sop, ctx: RenderContext, *, rows_per_page: int | None = None) -> str | None:
    rpp = rows_per_page or ctx.options.get("sopap_rows_per_page")
    try:
        rpp = int(rpp) if rpp else None
    except (TypeError, ValueError):
        rpp = None
    labels = {"no_actor": ctx.t("sopap.no_actor"), "start": ctx.t("sopap.start"), "end": ctx.t("sopap.end"),
              "handover": ctx.t("sopap.handover", id="{id}")}
    lay = layout(sop, rows_per_page=rpp if rpp and rpp > 0 else None, handover_href=ctx.sop_href,
                 labels=labels)
    if lay is None:
        return None
    chunks = []
    for k, ch in enumerate(lay.chunks):
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
                "duration": (s.duration_text or "") if s else "",
                "output": Markup(inline_markdown(s.output)) if s and s.output else "",
                "notes": Markup(inline_markdown(s.notes)) if s and s.notes else "",
                "handover": ({"id": s.sop, "href": ctx.sop_href(s.sop)} if s and s.sop else None),
            })
        chunks.append({
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
        chunks=chunks,
        connector_h=CONNECTOR_ROW,
        width=TABLE_WIDTH,
        legend=_legend(),
    )


def _legend() -> dict[str, Markup]:
    out = {}
    for kind in ("terminator", "process", "decision", "connector"):
        w, h = (30, 16) if kind != "connector" else (16, 16)
        sym = Symbol(kind, 0, 18, 11, w, h, 0)
        out[kind] = Markup(f'<svg class="sopap-legend-svg" width="36" height="22" aria-hidden="true">{_shape(sym)}</svg>')
    out["flow"] = Markup('<svg class="sopap-legend-svg" width="36" height="22" aria-hidden="true">'
                         '<path class="sopap-line" d="M3 11 L30 11"/>' + _arrowhead((3, 11), (33, 11)) + "</svg>")
    return out


@block("sopap", slot="flowchart", order=20, tab="tab.sopap")
def sopap_block(sop: Sop, ctx: RenderContext) -> str | None:
    return sopap_html(sop, ctx)
