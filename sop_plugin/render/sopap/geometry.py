"""SOP-AP layout geometry: columns, rows, symbols and orthogonal flow lines.

Plain data only (no HTML): :func:`layout` turns an SOP into a :class:`Layout`
in table coordinates (CSS px, y = 0 at the top of the first step row), so
tests can check the picture and :mod:`.svg` can draw it.
"""

from __future__ import annotations

import enum
import textwrap
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, NamedTuple

from ... import fmt
from ...model import Sop, Step
from ...paper import GUTTER, MIN_ROW, Columns, actor_lanes, columns, row_height

# -- drawing dimensions (CSS px; the columns are in sop_plugin/paper.py) --

TRACK = 4             # distance between parallel lines in a corridor
TOP_PAD = 8           # above a row's symbol
START_H = 30          # extra row height for a "Mulai" capsule above the first step
HANDOVER_H = 40       # extra row height for a handover connector (and its SOP label) under a step
HANDOVER_GAP = 16     # between a step's symbol and its handover connector (room for the label)
LABEL_LINE = 13       # line height of a flow line's label (11 px)
LABEL_CHAR = 6.2      # average character width of a label (11 px, semibold)
LABEL_BELOW = 12      # from a sideways exit line down to the first baseline of a label under it
LABEL_ASCENT = 9      # from the top of a label's letters down to their baseline
LABEL_DOWN = 11       # from a downward exit down to the first baseline of the label right of its line


class Point(NamedTuple):
    x: float
    y: float


class Side(enum.StrEnum):
    """A port of a symbol: where a flow line leaves or enters it."""

    TOP = "top"
    BOTTOM = "bottom"
    LEFT = "left"
    RIGHT = "right"


class Kind(enum.StrEnum):
    """The SOP-AP symbol kinds (``data-kind``)."""

    PROCESS = "process"
    DECISION = "decision"
    TERMINATOR = "terminator"
    CONNECTOR = "connector"


class Jump(enum.StrEnum):
    """How a flow line reaches its target row."""

    NEXT = "next"    # the following step
    FWD = "fwd"      # a later step, further down
    BACK = "back"    # an earlier step (a loop)
    END = "end"      # the end of the procedure


@dataclass
class Symbol:
    kind: Kind
    lane: int
    cx: float
    cy: float
    w: float
    h: float
    row: int             # index into Layout.rows
    step: int | None = None
    ref: str | None = None      # "start" | "end" | "handover" | "page-out" | "page-in"
    text: str = ""              # text shown inside (connector letters)
    caption: str = ""           # text shown above the symbol, beside its line in (a handover's target SOP)
    caption_x: float = 0.0      # where the caption is anchored: after it ("end") or before it ("start")
    caption_anchor: str = "start"
    title: str = ""
    href: str | None = None

    def port(self, side: Side) -> Point:
        if side is Side.TOP:
            return Point(self.cx, self.cy - self.h / 2)
        if side is Side.BOTTOM:
            return Point(self.cx, self.cy + self.h / 2)
        if side is Side.LEFT:
            return Point(self.cx - self.w / 2, self.cy)
        return Point(self.cx + self.w / 2, self.cy)

    def box(self) -> tuple[float, float, float, float]:
        return (self.cx - self.w / 2, self.cy - self.h / 2, self.cx + self.w / 2, self.cy + self.h / 2)


@dataclass
class Edge:
    """A drawn flow line."""

    src: str                 # step number, "start"
    dst: str                 # step number, "end", "handover"
    label: str | None
    points: list[Point] = field(default_factory=list)
    arrow: bool = True
    label_lines: list[str] = field(default_factory=list)  # the label, wrapped (never truncated)
    label_texts: list[str] = field(default_factory=list)  # ... before it is wrapped (Flow.texts)
    # a label placed by the layout (beside a sideways exit, or left of a downward one; None: right of a
    # downward one): x and the baseline of the line nearest the flow line
    label_at: Point | None = None
    label_anchor: str = "start"    # ... which end of its lines is at x (SVG text-anchor)
    label_below: bool = False      # ... and whether its first line is there (under the line) or its last (above)

    def label_box(self) -> tuple[float, float, float, float]:
        """The box (x0, y0, x1, y1) the label takes, descenders included: where the layout put it,
        or right of a downward exit."""
        width, n = label_width(self.label_lines), len(self.label_lines)
        if self.label_at is None:
            x0, bottom = self.points[0].x + 3, self.points[0].y + LABEL_DOWN + (n - 1) * LABEL_LINE + 3
            return x0, bottom - n * LABEL_LINE, x0 + width, bottom
        x0 = self.label_at.x if self.label_anchor == "start" else self.label_at.x - width
        if self.label_below:
            return x0, self.label_at.y - LABEL_ASCENT, x0 + width, self.label_at.y + (n - 1) * LABEL_LINE + 3
        return x0, self.label_at.y + 3 - n * LABEL_LINE, x0 + width, self.label_at.y + 3


@dataclass
class Flow:
    """A flow line before routing: which step goes where, and through which port."""

    src: int
    to: int | None           # None: the end of the procedure
    jump: Jump
    label: str | None
    port: Side | None = None  # None: nothing drawn (a capsule or handover ends the flow here)
    local_end: bool = False  # a decision branch that ends in a capsule beside its diamond
    x: float = 0.0           # corridor track of a line that does not go straight down
    lines: list[str] = field(default_factory=list)  # the label as drawn at the port (see _label_lines)
    texts: list[str] = field(default_factory=list)  # ... before it is wrapped: one text per line that leaves there
    side: SideLabel | None = None  # the label of a sideways exit (_side_label)


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
class Layout:
    actors: list[str]
    cols: Columns
    rows: list[Row]
    symbols: list[Symbol]
    edges: list[Edge]
    crossed: list[Edge] = field(default_factory=list)  # lines whose labels a line still runs through

    @property
    def height(self) -> float:
        return self.rows[-1].y + self.rows[-1].h if self.rows else 0


def _kind(step: Step, count: int) -> Kind:
    if step.decision is not None:
        return Kind.DECISION
    if step.number == 1:
        return Kind.TERMINATOR
    succ = step.successors(count)
    if not step.sop and len(succ) == 1 and succ[0].is_end:
        return Kind.TERMINATOR
    return Kind.PROCESS


def size(kind: Kind, cols: Columns) -> tuple[float, float]:
    room = cols.lane - 2 * GUTTER - 4
    if kind is Kind.DECISION:
        return min(room, 56), 30
    if kind is Kind.TERMINATOR:
        return min(room, 56), 22
    if kind is Kind.CONNECTOR:
        return 20, 20
    return min(room, 56), 24


# which ports a decision branch prefers, by jump
_PREFS = {
    Jump.NEXT: (Side.BOTTOM, Side.RIGHT, Side.LEFT),
    Jump.FWD: (Side.RIGHT, Side.BOTTOM, Side.LEFT),
    Jump.BACK: (Side.LEFT, Side.BOTTOM, Side.RIGHT),
}
_ORDER = {Jump.NEXT: 0, Jump.FWD: 1, Jump.BACK: 2, Jump.END: 3}
_PLAIN_PORT = {Jump.NEXT: Side.BOTTOM, Jump.FWD: Side.RIGHT, Jump.BACK: Side.LEFT}


def _flows(steps: list[Step]) -> list[Flow]:
    count = len(steps)
    out: list[Flow] = []
    for s in steps:
        if s.decision is not None:
            targets = [(b.label, b.target) for b in s.decision.branches]
        else:
            targets = [(None, t) for t in s.successors(count)]
        for label, t in targets:
            if t.is_end:
                out.append(Flow(s.number, None, Jump.END, label))
            elif t.step is None or not (1 <= t.step <= count):
                continue  # dangling: the validator reports it
            else:
                jump = Jump.NEXT if t.step == s.number + 1 else (Jump.FWD if t.step > s.number else Jump.BACK)
                out.append(Flow(s.number, t.step, jump, label))
    return out


def _assign_ports(steps: list[Step], flows: list[Flow], lane_of: Callable[[Step], int],
                  lanes: int, other_side: frozenset[tuple[int, int]] = frozenset()) -> tuple[bool, dict[int, set[Side]]]:
    """Give each flow its exit port.  Returns whether some branch needs the closing "Selesai" row,
    and the sides each step's lines leave from (a loop to itself leaves below).  ``other_side``:
    jumps (source, target) to send round the other side where they can, a loop up the right, a
    jump forward down the left (:func:`layout`)."""
    # incoming from corridors: forward jumps enter a target's right side, loops its left side (or,
    # where the target's own line leaves from its left, its right side: back_right)
    busy_in: dict[int, set[Side]] = {s.number: set() for s in steps}
    for f in flows:
        if f.jump is Jump.FWD:
            busy_in[f.to].add(Side.RIGHT)
        elif f.jump is Jump.BACK and f.to != f.src:
            busy_in[f.to].add(Side.LEFT)
    needs_end_row = False
    exits: dict[int, set[Side]] = {}  # so far: the steps before (a loop's target comes before it)

    def leave(s: Step, mine: list[Flow]) -> None:
        exits[s.number] = {Side.BOTTOM if f.to == f.src else f.port for f in mine if f.port is not None}

    def back_right(f: Flow) -> bool:
        """A loop goes up the corridor right of the lanes and into its target's right side when the
        right sides of both are free and the target's left side is where one of its own lines leaves
        (a loop would have to pass that line and its label to come in at the top), or when it is
        one of ``other_side``."""
        return (f.jump is Jump.BACK and f.to is not None and f.to != f.src
                and (Side.LEFT in exits.get(f.to, ()) or (f.src, f.to) in other_side)
                and Side.RIGHT not in exits.get(f.to, ())
                and Side.RIGHT not in busy_in[f.to] and Side.RIGHT not in busy_in[f.src])

    def forward_left(f: Flow) -> bool:
        """A jump forward of ``other_side`` goes down the corridor left of the lanes and into its
        target's left side, when nothing comes into its source's left side."""
        return f.jump is Jump.FWD and (f.src, f.to) in other_side and Side.LEFT not in busy_in[f.src]

    def plain_port(f: Flow) -> Side:
        return Side.RIGHT if back_right(f) else Side.LEFT if forward_left(f) else _PLAIN_PORT[f.jump]

    for s in steps:
        mine = [f for f in flows if f.src == s.number]
        if s.decision is None:
            for f in mine:
                f.port = None if f.jump is Jump.END else plain_port(f)
            leave(s, mine)
            continue
        used: set[Side] = set()
        for f in sorted(mine, key=lambda f: _ORDER[f.jump]):
            if f.jump is Jump.END:
                ln = lane_of(s)
                beside = []
                if Side.RIGHT not in used and Side.RIGHT not in busy_in[s.number] and ln + 1 < lanes:
                    beside.append(Side.RIGHT)
                if Side.LEFT not in used and Side.LEFT not in busy_in[s.number] and ln - 1 >= 0:
                    beside.append(Side.LEFT)
                if beside:
                    f.port, f.local_end = beside[0], True
                else:
                    needs_end_row = True
                    free = [p for p in (Side.RIGHT, Side.BOTTOM, Side.LEFT) if p not in used]
                    f.port = free[0] if free else Side.BOTTOM
            else:
                prefs = _PREFS[f.jump]
                if back_right(f) or forward_left(f):
                    prefs = (plain_port(f), *prefs)
                free = [p for p in prefs if p not in used]
                f.port = free[0] if free else prefs[0]
            used.add(f.port)
        leave(s, mine)
    return needs_end_row, exits


def _label_lines(flows: list[Flow], cols: Columns, end_word: str) -> None:
    """What each flow's label says at its port (``Flow.lines``).

    A decision has three ports; with more branches, several leave through one port and run
    together at first, so their labels would be written over each other and none would say
    which line is which.  The labels of a shared port are stacked on the first of its flows,
    each naming where its line goes ("Keuangan → 4"); the others draw none.
    """
    groups: dict[tuple[int, Side], list[Flow]] = {}
    for f in flows:
        if f.label and f.port is not None:
            groups.setdefault((f.src, f.port), []).append(f)
    for group in groups.values():
        if len(group) == 1:
            group[0].texts = [group[0].label or ""]
        else:
            group.sort(key=lambda f: (f.to is None, f.to or 0))
            group[0].texts = [f"{f.label} → {end_word if f.to is None else f.to}" for f in group]
        group[0].lines = _wrap_label(group[0].texts, max(10, int(cols.lane * 0.95 / LABEL_CHAR)))  # about one lane


class SideLabel(NamedTuple):
    """Where the label of a sideways exit of a decision goes (:func:`_side_label`)."""

    x: float
    anchor: str     # SVG text-anchor: which end of its lines is at x
    offset: float   # above: how much higher its last baseline is than 3 px over the line; under: the line to its first baseline
    below: bool


def _side_label(texts: list[str], lines: list[str], side: Side, cx: float, w: float, h: float, cols: Columns,
                up: bool) -> tuple[list[str], SideLabel]:
    """Where the label of a sideways exit of a decision goes, and its lines.

    It is on the side of the exit line its line does not turn to: above a line that turns down
    (or ends beside the diamond), under one that turns up (a loop back), so that its own line
    never runs through it.  It starts at the vertex.  One that would run past the outer edge of
    the lanes (where the drawing is clipped) is wrapped again to end before the diamond's centre
    line, where the line coming in from above and the line going down run (long words are
    hyphenated at a syllable); if it is still too wide to start at the vertex, it starts at that
    edge and rises over the diamond (or drops under it) clear of its edge.
    """
    outer = cols.lanes_width - 2 if side is Side.RIGHT else 2.0
    vx = cx + w / 2 if side is Side.RIGHT else cx - w / 2
    inward = "end" if side is Side.RIGHT else "start"  # anchored at the outer edge, the lines run inwards
    x, anchor = (vx + 3, "start") if side is Side.RIGHT else (vx - 3, "end")
    if label_width(lines) > abs(outer - x):  # too wide beside the vertex: narrower
        lines = _wrap_label(texts, int((abs(outer - cx) - 3) / LABEL_CHAR))
    width = label_width(lines)
    if abs(outer - x) >= width:
        return lines, SideLabel(x, anchor, LABEL_BELOW if up else 0.0, up)
    reach = width - abs(vx - outer)  # how far past the vertex, over (or under) the diamond
    # the diamond's edges run h/2 from the vertex to its centre line, over its half-width w/2
    clear = (min(h / 2, reach * h / w) + 2) if reach > 0 else 0.0
    if up:
        return lines, SideLabel(outer, inward, max(LABEL_BELOW, clear + LABEL_ASCENT), True)
    return lines, SideLabel(outer, inward, clear, False)


def _caption_place(caption: str, cx: float, cols: Columns) -> tuple[float, str]:
    """Where a handover's caption goes, beside the line down to its connector at ``cx``: right
    of it, or left where the right has no room (the last lane), or against the edge that leaves
    it most room, so that it is never cut off at the edge of the lanes."""
    width = label_width([caption])
    right, left = cols.lanes_width - 2 - (cx + 4), cx - 4 - 2
    if width <= right:
        return cx + 4, "start"
    if width <= left:
        return cx - 4, "end"
    return (max(2.0, cols.lanes_width - 2 - width), "start") if right >= left else (min(cx - 4, 2 + width), "end")


def label_width(lines: list[str]) -> float:
    """How wide a wrapped label is drawn (its longest line, at :data:`LABEL_CHAR` a character)."""
    return max(len(line) for line in lines) * LABEL_CHAR


def _wrap_label(texts: list[str], chars: int) -> list[str]:
    """A branch label: each of ``texts`` in lines of at most ``chars`` characters, never truncated; a longer
    word is hyphenated after an Indonesian syllable (:func:`fmt.break_word`), and an arrow stays
    with the step it points to ("→ 4")."""
    chars = max(chars, 4)
    out: list[str] = []
    for text in texts:
        words: list[str] = []
        for word in text.split():
            while len(word) > chars and (cut := fmt.break_word(word, chars)) is not None:
                words.append(cut[0])
                word = cut[1]
            words.append(word)
        joined = " ".join(words).replace("→ ", "→\u00a0")  # textwrap does not break at a no-break space
        out += [line.replace("\u00a0", " ") for line in
                textwrap.wrap(joined, chars, break_long_words=False, break_on_hyphens=False) or [text]]
    return out


def _track_positions(cols: Columns, c: int) -> list[float]:
    """x of the parallel tracks in corridor ``c``, nearest the lanes first."""
    lo_x, hi_x = cols.corridor(c)
    if c == 0:
        center = hi_x - GUTTER
        return [p for p in (center - k * TRACK for k in range(int((hi_x - 4) / TRACK))) if p >= 3]
    if c == cols.lanes:
        center = lo_x + GUTTER
        return [p for p in (center + k * TRACK for k in range(int((hi_x - lo_x - 4) / TRACK))) if p <= hi_x - 3]
    center = (lo_x + hi_x) / 2
    positions = [center]
    k = 1
    while center + k * TRACK <= hi_x - 2:
        positions += [center - k * TRACK, center + k * TRACK]
        k += 1
    return positions


def _assign_tracks(cols: Columns, jobs: list[tuple[Flow, int, int, int]]) -> None:
    """Interval colouring per corridor: a track is free when no line on it overlaps the rows."""
    by_corridor: dict[int, list[tuple[Flow, int, int]]] = {}
    for f, c, lo, hi in jobs:
        by_corridor.setdefault(c, []).append((f, lo, hi))
    for c, items in by_corridor.items():
        positions = _track_positions(cols, c)
        assigned: list[tuple[int, int, int]] = []  # (row_lo, row_hi, track)
        for f, lo, hi in sorted(items, key=lambda j: (j[2] - j[1], j[1])):  # short jumps nearest the lanes
            pick = next((ti for ti in range(len(positions))
                         if all(hi < a or lo > b for a, b, t in assigned if t == ti)), None)
            if pick is None:  # more parallel lines than room: share the least used track
                pick = min(range(len(positions)), key=lambda t: sum(1 for *_, tt in assigned if tt == t))
            assigned.append((lo, hi, pick))
            f.x = positions[pick]


def layout(sop: Sop, *, handover_href: Callable[[str], str | None] | None = None,
           labels: dict[str, str] | None = None,
           handover_label: Callable[[str], str] | None = None) -> Layout | None:
    """Place every symbol and route every flow line; ``None`` without steps.

    Where a jump runs through a branch label (two loops into one step: the outer one passes the
    inner one's label), the layout is made again with that jump round the other side (a loop up
    the right, a jump forward down the left), and kept if fewer labels are crossed and no more
    lines cross.  Where a label is still crossed, the layout is made again with the line that
    crosses it run up or down just beyond the label, further into the lane (:func:`_escapes`),
    and kept on the same terms if that line then passes no symbol.
    """
    def made(other_side: frozenset[tuple[int, int]] = frozenset(),
             moved: tuple[tuple[tuple[int, int], float], ...] = ()) -> Layout | None:
        return _layout(sop, handover_href=handover_href, labels=labels, handover_label=handover_label,
                       other_side=other_side, moved=dict(moved))

    first = made()
    if first is None:
        return first
    through = [o for e in first.crossed for o in _lines_through(e.label_box(), first.edges)]
    jumps = sorted({(int(o.src), int(o.dst)) for o in through  # a loop or a jump forward, not to the next step
                    if o.src.isdigit() and o.dst.isdigit() and int(o.dst) not in (int(o.src), int(o.src) + 1)})
    if not jumps:
        return first
    best, score, turned = first, _score(first), frozenset[tuple[int, int]]()
    for jump in jumps:
        other = made(frozenset({jump}))
        if other is not None and (mark := _score(other))[0] < score[0] and mark[1] <= score[1]:
            best, score, turned = other, mark, frozenset({jump})
    for jump, x in _escapes(best):
        other = made(turned, ((jump, x),))
        if (other is not None and (mark := _score(other))[0] < score[0] and mark[1] <= score[1]
                and not _through_symbols(other, jump)):
            best, score = other, mark
    return best


def _escapes(lay: Layout) -> list[tuple[tuple[int, int], float]]:
    """For each label a jump's line still runs up or down through: that jump, and the x just beyond
    the label on either side, the nearer first (where the lanes have room)."""
    out = []
    for e in lay.crossed:
        x0, y0, x1, y1 = e.label_box()
        for o in _lines_through((x0, y0, x1, y1), lay.edges):
            if not (o.src.isdigit() and o.dst.isdigit()):
                continue
            for x in sorted({x for x in _uprights([o], y0, y1) if x0 < x < x1}):
                for beyond in sorted((x0 - TRACK, x1 + TRACK), key=lambda b: abs(b - x)):  # the nearer side first
                    if 3 <= beyond <= lay.cols.lanes_width - 3 and ((int(o.src), int(o.dst)), beyond) not in out:
                        out.append(((int(o.src), int(o.dst)), beyond))
    return out


def _through_symbols(lay: Layout, jump: tuple[int, int]) -> bool:
    """Does the line of ``jump`` run through (or within 2 px of) a symbol other than the two it joins?"""
    for e in lay.edges:
        if (e.src, e.dst) != (str(jump[0]), str(jump[1])):
            continue
        ends = (e.points[0], e.points[-1])
        for sym in lay.symbols:
            x0, y0, x1, y1 = sym.box()
            if any(x0 - 0.5 <= p.x <= x1 + 0.5 and y0 - 0.5 <= p.y <= y1 + 0.5 for p in ends):
                continue  # a symbol the line starts or ends at
            if _first_through((x0 - 2, y0 - 2, x1 + 2, y1 + 2), (e,)) is not None:
                return True
    return False


def _score(lay: Layout) -> tuple[int, int]:
    """How hard a drawing is to read: its labels that lines run through, and its line crossings."""
    segments = [(i, a, b) for i, e in enumerate(lay.edges) for a, b in zip(e.points, e.points[1:])]
    across = 0
    for i, a, b in segments:
        if abs(a.y - b.y) >= 0.01:
            continue  # each crossing counted once: from its sideways run
        lo, hi = sorted((a.x, b.x))
        across += sum(1 for j, c, d in segments if j != i and abs(c.x - d.x) < 0.01 and lo < c.x < hi
                      and min(c.y, d.y) < a.y < max(c.y, d.y))
    return len(lay.crossed), across


def _layout(sop: Sop, *, handover_href: Callable[[str], str | None] | None,
            labels: dict[str, str] | None, handover_label: Callable[[str], str] | None,
            other_side: frozenset[tuple[int, int]], moved: dict[tuple[int, int], float] | None = None) -> Layout | None:
    steps = sop.steps
    if not steps:
        return None
    labels = labels or {}
    moved = moved or {}
    count = len(steps)
    lane_index = {a: i for i, a in enumerate(actor_lanes(sop))}
    actors = [labels.get("no_actor", "?") if a is None else a for a in lane_index]
    cols = columns(len(actors))

    def lane(s: Step) -> int:
        return lane_index[s.actor or None]

    kinds = {s.number: _kind(s, count) for s in steps}
    has_handover = {s.number: bool(s.sop) and s.decision is None for s in steps}
    start_capsule = kinds[1] is Kind.DECISION
    flows = _flows(steps)
    needs_end_row, exits = _assign_ports(steps, flows, lane, cols.lanes, other_side)
    _label_lines(flows, cols, labels.get("end", "End"))

    # -- rows: row i is step i + 1 ------------------------------------------
    # wrapped branch labels need room: lines above a sideways exit push the symbol down,
    # lines beside a downward exit make the row taller
    label_above: dict[int, float] = {}
    label_below: dict[int, float] = {}
    for f in flows:
        if f.lines and f.port in (Side.LEFT, Side.RIGHT):
            w, h = size(kinds[f.src], cols)
            up = f.to is not None and f.to < f.src and not f.local_end
            f.lines, f.side = _side_label(f.texts, f.lines, f.port, cols.lane_center(lane(steps[f.src - 1])), w, h, cols, up)
            n = len(f.lines)
            if f.side.below:  # measured like a label under the diamond's bottom vertex (3 px for descenders)
                label_below[f.src] = max(label_below.get(f.src, 0),
                                         f.side.offset + (n - 1) * LABEL_LINE + 3 - h / 2 - 1)
            elif n > 1 or f.side.offset:
                label_above[f.src] = max(label_above.get(f.src, 0), (n - 1) * LABEL_LINE + f.side.offset)
        elif f.lines and f.port is Side.BOTTOM:
            # beside the line, towards the outer edge: in the last lane there is less room than a lane
            room = cols.lanes_width - 2 - (cols.lane_center(lane(steps[f.src - 1])) + 3)
            if label_width(f.lines) > room:
                f.lines = _wrap_label(f.texts, int(room / LABEL_CHAR))
            label_below[f.src] = max(label_below.get(f.src, 0), len(f.lines) * LABEL_LINE)
    rows: list[Row] = []
    y = 0.0
    for s in steps:
        # a label beside a downward exit ends above the line's turn to the side (Row.track - 5):
        # (MIN_ROW + its lines + 5 holds TOP_PAD, the diamond, the lines and 3 px above the turn)
        below = label_below[s.number] + 5 if s.number in label_below else 0
        extra = ((START_H if (s.number == 1 and start_capsule) else 0)
                 + (HANDOVER_H if has_handover[s.number] else 0)
                 + label_above.get(s.number, 0) + below)
        h = max(row_height(s, cols), MIN_ROW + extra)
        rows.append(Row(s, y, h))
        y += h
    if needs_end_row:
        rows.append(Row(None, y, MIN_ROW))

    # -- symbols ------------------------------------------------------------
    symbols: list[Symbol] = []
    main: dict[int, Symbol] = {}
    exit_sym: dict[int, Symbol] = {}
    edges: list[Edge] = []
    for i, s in enumerate(steps):
        r = rows[i]
        k = kinds[s.number]
        w, h = size(k, cols)
        ln = lane(s)
        cx = cols.lane_center(ln)
        top = r.y + TOP_PAD + label_above.get(s.number, 0)
        start_sym = None
        if s.number == 1 and start_capsule:
            sw, sh = size(Kind.TERMINATOR, cols)
            start_sym = Symbol(Kind.TERMINATOR, ln, cx, top + sh / 2, sw, sh * 0.8, i, ref="start",
                               title=labels.get("start", "Start"))
            symbols.append(start_sym)
            top += START_H
        sym = Symbol(k, ln, cx, top + h / 2, w, h, i, step=s.number, title=s.activity)
        symbols.append(sym)
        main[s.number] = exit_sym[s.number] = sym
        if start_sym is not None:
            edges.append(Edge("start", "1", None, [start_sym.port(Side.BOTTOM), sym.port(Side.TOP)]))
        if has_handover[s.number]:
            cw, ch = size(Kind.CONNECTOR, cols)
            caption = (handover_label(s.sop) if handover_label else s.sop) or ""
            caption_x, caption_anchor = _caption_place(caption, cx, cols)
            con = Symbol(Kind.CONNECTOR, ln, cx, sym.cy + h / 2 + HANDOVER_GAP + ch / 2, cw, ch, i,
                         ref="handover", caption=caption, caption_x=caption_x, caption_anchor=caption_anchor,
                         title=labels.get("handover", "{id}").format(id=caption),
                         href=handover_href(s.sop) if handover_href else None)
            symbols.append(con)
            edges.append(Edge(str(s.number), "handover", None, [sym.port(Side.BOTTOM), con.port(Side.TOP)]))
            exit_sym[s.number] = con
    end_row_sym = None
    if needs_end_row:
        r = rows[-1]
        src_lanes = [lane(steps[f.src - 1]) for f in flows if f.jump is Jump.END and not f.local_end and f.port]
        ln = max(set(src_lanes), key=src_lanes.count) if src_lanes else 0
        w, h = size(Kind.TERMINATOR, cols)
        end_row_sym = Symbol(Kind.TERMINATOR, ln, cols.lane_center(ln), r.y + TOP_PAD + h / 2, w, h, len(rows) - 1,
                             ref="end", title=labels.get("end", "End"))
        symbols.append(end_row_sym)

    # -- corridor tracks ------------------------------------------------------
    jobs: list[tuple[Flow, int, int, int]] = []  # (flow, corridor, row_lo, row_hi)
    for f in flows:
        if f.port is None or f.local_end or (f.jump is Jump.NEXT and f.port is Side.BOTTOM):
            continue
        a_s = lane(steps[f.src - 1])
        if f.jump is Jump.END:
            tgt_lane, tgt_row = end_row_sym.lane, len(rows) - 1
        else:
            tgt_lane, tgt_row = lane(steps[f.to - 1]), f.to - 1
        if f.port is Side.RIGHT or (f.port is Side.BOTTOM and f.jump is not Jump.BACK):
            c = max(a_s, tgt_lane) + 1
        else:
            c = min(a_s, tgt_lane)
        lo, hi = sorted((f.src - 1, tgt_row))
        jobs.append((f, c, lo, hi))
    _assign_tracks(cols, jobs)
    for f in flows:  # a line run beyond a label it crossed (layout)
        if f.to is not None and (f.src, f.to) in moved:
            f.x = moved[(f.src, f.to)]

    # -- routing ------------------------------------------------------------
    def in_at_top(tgt: Symbol, x: float) -> list[Point]:
        """The end of a line from corridor track ``x`` into ``tgt``'s top: it turns in above the
        step and above any label over its corners."""
        top_y = tgt.cy - tgt.h / 2 - 4 - label_above.get(tgt.step or 0, 0)
        return [Point(x, top_y), Point(tgt.cx, top_y), tgt.port(Side.TOP)]

    def edge(f: Flow, dst: str, pts: list[Point]) -> Edge:
        e = Edge(str(f.src), dst, f.label, pts, label_lines=f.lines, label_texts=f.texts)
        if f.side is not None and abs(pts[0].y - pts[1].y) < 0.01:  # the label beside a sideways exit
            s = f.side
            e.label_anchor, e.label_below = s.anchor, s.below
            e.label_at = Point(s.x, pts[0].y + s.offset if s.below else pts[0].y - 3 - s.offset)
        return e

    for f in flows:
        if f.port is None:
            continue
        r = rows[f.src - 1]
        src = exit_sym[f.src]
        p0 = src.port(f.port)
        dst_name = "end" if f.jump is Jump.END else str(f.to)
        if f.local_end:
            ln = src.lane + (1 if f.port is Side.RIGHT else -1)
            w, h = size(Kind.TERMINATOR, cols)
            cap_x = cols.lane_center(ln)
            if f.side is not None:  # the capsule moves away from the diamond, within the lanes, clear of the label
                x0 = f.side.x - (label_width(f.lines) if f.side.anchor == "end" else 0)
                if f.port is Side.RIGHT:
                    cap_x = min(max(cap_x, x0 + label_width(f.lines) + 3 + w / 2), cols.lanes_width - 2 - w / 2)
                else:
                    cap_x = max(min(cap_x, x0 - 3 - w / 2), 2 + w / 2)
            cap = Symbol(Kind.TERMINATOR, ln, cap_x, src.cy, w, h * 0.9, src.row, ref="end",
                         title=labels.get("end", "End"))
            symbols.append(cap)
            edges.append(edge(f, "end", [p0, cap.port(Side.LEFT if f.port is Side.RIGHT else Side.RIGHT)]))
            continue
        tgt = end_row_sym if f.jump is Jump.END else main[f.to]
        if f.jump is Jump.NEXT and f.port is Side.BOTTOM:
            pts = [p0]
            if abs(tgt.cx - p0.x) > 0.5:
                pts += [Point(p0.x, r.track), Point(tgt.cx, r.track)]
            pts.append(tgt.port(Side.TOP))
            edges.append(edge(f, dst_name, pts))
            continue
        x = f.x
        if tgt is main.get(f.src):  # a step that loops to itself
            pts = [src.port(Side.BOTTOM), Point(src.cx, r.track - 4), Point(x, r.track - 4), *in_at_top(tgt, x)]
            edges.append(edge(f, dst_name, pts))
            continue
        side = Side.LEFT if x < tgt.cx else Side.RIGHT
        if tgt is exit_sym.get(f.to) and side in exits.get(f.to, ()):
            # a branch of the target leaves from that side: come in at its top instead (joining the line
            # from above), so that no arrow ends where a line starts
            tail = in_at_top(tgt, x)
        else:
            end = tgt.port(side)
            tail = [Point(x, end.y), end]
        if f.port is Side.BOTTOM:
            ty = r.track - 5
            pts = [p0, Point(p0.x, ty), Point(x, ty), *tail]
        else:
            pts = [p0, Point(x, p0.y), *tail]
        edges.append(edge(f, dst_name, simplify(pts)))
    crossed = _clear_crossed_labels(edges, symbols, cols)
    return Layout(actors, cols, rows, symbols, edges, crossed)


def _clear_crossed_labels(edges: list[Edge], symbols: list[Symbol], cols: Columns) -> list[Edge]:
    """A label that another line runs through (a corridor's line, up or down past the diamond) moves
    to the first place clear of every line, symbol and label, and stays beside its own line.

    Beside a sideways exit it slides along its line, away from the diamond, to just past the
    first line that crossed it, or the next, or at last just past its line's corner, against the
    turn.  Beside a downward exit (right of the line, towards the outer edge, where a sibling
    branch's line goes down its corridor) it goes to the other side of its line, or is wrapped
    narrower (:func:`_clear_downward_label`).  Returns the lines whose labels have no such place.
    """
    crossed = []
    for e in edges:
        if not e.label_lines or len(e.points) < 2 or _is_clear(e.label_box(), e, edges, symbols, cols, mine=True):
            continue
        if e.label_at is None:  # beside a downward exit
            if not _clear_downward_label(e, edges, symbols, cols):
                crossed.append(e)
            continue
        if len(e.points) < 3:
            crossed.append(e)
            continue
        vertex, corner = e.points[0].x, e.points[1].x
        right = corner > vertex
        _, y0, _, y1 = e.label_box()
        lo, hi = min(vertex, corner), max(vertex, corner)
        crossing = sorted({x for x in _uprights(edges, y0, y1) if lo < x < hi}, reverse=not right)  # nearest the diamond first
        for x in [*crossing, corner]:
            moved = replace(e, label_at=Point(x + 3 if right else x - 3, e.label_at.y),
                            label_anchor="start" if right else "end")
            if _is_clear(moved.label_box(), e, edges, symbols, cols, mine=False):
                e.label_at, e.label_anchor = moved.label_at, moved.label_anchor
                break
        else:
            crossed.append(e)
    return crossed


def _clear_downward_label(e: Edge, edges: list[Edge], symbols: list[Symbol], cols: Columns) -> bool:
    """The label right of a downward exit that a line runs through goes left of its line, or,
    wrapped narrower, between its line and the nearest line on either side, where the row has
    room for its lines above its line's turn.  ``False``: there is no such place."""
    a = e.points[0]
    _, y0, _, y1 = e.label_box()
    uprights = _uprights(edges, y0, y1)
    right = min((x for x in uprights if x > a.x + 3), default=cols.lanes_width - 2)
    left = max((x for x in uprights if x < a.x - 3), default=2.0)
    narrower = e.label_texts or e.label_lines
    left_at = {"label_at": Point(a.x - 3, a.y + LABEL_DOWN), "label_anchor": "end", "label_below": True}
    for lines, place in ((e.label_lines, left_at),
                         (_wrap_label(narrower, int((right - a.x - 6) / LABEL_CHAR)), {}),
                         (_wrap_label(narrower, int((a.x - left - 6) / LABEL_CHAR)), left_at)):
        moved = replace(e, label_lines=lines, **place)
        if _is_clear(moved.label_box(), e, edges, symbols, cols, mine=False):
            e.label_lines = lines
            if place:
                e.label_at, e.label_anchor, e.label_below = moved.label_at, moved.label_anchor, True
            return True
    return False


def _uprights(edges: list[Edge], y0: float, y1: float) -> list[float]:
    """The x of every run of a line up or down through the band from ``y0`` to ``y1``."""
    return [a.x for e in edges for a, b in zip(e.points, e.points[1:])
            if abs(a.x - b.x) < 0.01 and max(a.y, b.y) > y0 and min(a.y, b.y) < y1]


def _is_clear(box: tuple[float, float, float, float], me: Edge, edges: list[Edge], symbols: list[Symbol],
              cols: Columns, *, mine: bool) -> bool:
    """Does no line run through ``box`` (and, unless it is where the layout put ``me``'s label, no symbol
    or other label overlap it, and it is inside the lanes)?"""
    if _first_through(box, edges) is not None:
        return False
    if mine:
        return True
    if box[0] < 0 or box[2] > cols.lanes_width:
        return False
    if any(_overlap(s.box(), box) for s in symbols):
        return False
    return not any(o is not me and o.label_lines and _overlap(o.label_box(), box) for o in edges)


def _lines_through(box: tuple[float, float, float, float], edges: list[Edge]) -> list[Edge]:
    """The lines that run through ``box``, sideways or up and down."""
    return [e for e in edges if _first_through(box, (e,)) is not None]


def _first_through(box: tuple[float, float, float, float], edges: Iterable[Edge]) -> Edge | None:
    """The first of ``edges`` that runs through ``box`` (the layout asks this of every label)."""
    x0, y0, x1, y1 = box
    for e in edges:
        for a, b in zip(e.points, e.points[1:]):
            if abs(a.y - b.y) < 0.01 and y0 < a.y < y1 and max(a.x, b.x) > x0 and min(a.x, b.x) < x1:
                return e
            if abs(a.x - b.x) < 0.01 and x0 < a.x < x1 and max(a.y, b.y) > y0 and min(a.y, b.y) < y1:
                return e
    return None


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def simplify(pts: list[Point]) -> list[Point]:
    """Drop repeated points and merge collinear runs of an orthogonal polyline."""
    out: list[Point] = []
    for p in pts:
        if out and abs(out[-1].x - p.x) < 0.01 and abs(out[-1].y - p.y) < 0.01:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (abs(a.x - b.x) < 0.01 and abs(b.x - p.x) < 0.01) or (abs(a.y - b.y) < 0.01 and abs(b.y - p.y) < 0.01):
                out[-1] = p
                continue
        out.append(p)
    return out
