"""The printed SOP-AP table's columns, and how tall a step's row grows with its text.

Plain facts about the paper (no drawing, no HTML), shared by the layout
(:mod:`.render.sopap.geometry`, which draws in these columns) and the validator
(:mod:`.checks.paper`, which warns about a step too long for one printed page).
Widths are CSS px: A4 landscape minus 10 mm margins is about 1047 px wide.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Sop, Step

TABLE_WIDTH = 1040
MARGIN = 16           # extra room left and right of the lanes for the outer corridors
GUTTER = 10           # corridor half-width inside each lane
MIN_ROW = 50
LINE_H = 14.5         # text line height at the table's 11 px font
CHAR_W = 5.9          # average character width at that font
PAGE_ROOM = 500       # of a printed page's 180 mm (sop-print.css), what is left for one step row
                      # under the table header and two off-page connector rows


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


def _lines(text: str, width: int) -> int:
    if not text:
        return 1
    per = max(4, int((width - 8) / CHAR_W))
    if "\n" not in text:  # the usual case (every step's row is measured at every build)
        return -(-len(text) // per)
    return sum(max(1, -(-len(part) // per)) for part in text.split("\n"))


def column_lines(step: Step, cols: Columns) -> dict[str, int]:
    """The lines each text column of a step's row wraps to (by field name)."""
    texts = {
        "activity": (step.activity, cols.activity),
        "inputs": ("; ".join(step.inputs), cols.inputs),
        "duration": (step.duration_text or "", cols.duration),
        "output": (step.output or "", cols.output),
        "notes": ((step.notes or "") + (f" SOP {step.sop}" if step.sop else ""), cols.notes),
    }
    return {name: _lines(t, w) for name, (t, w) in texts.items()}


def row_height(step: Step, cols: Columns) -> float:
    return max(MIN_ROW, max(column_lines(step, cols).values()) * LINE_H + 10)


def actor_lanes(sop: Sop) -> list[str | None]:
    """The actor lanes, in order of first appearance; ``None`` is the lane of steps without an actor."""
    actors: list[str | None] = list(sop.procedure.actors()) if sop.procedure else []
    return actors + [None] if any(not s.actor for s in sop.steps) else actors


def overlong_rows(sop: Sop) -> list[tuple[Step, str, int]]:
    """Steps whose row would be taller than a printed page can hold (:data:`PAGE_ROOM`), each with
    the column that makes it so (a field name) and the lines that column wraps to."""
    cols = columns(len(actor_lanes(sop)))
    out = []
    for s in sop.steps:
        if row_height(s, cols) > PAGE_ROOM:
            lines = column_lines(s, cols)
            name = max(lines, key=lambda k: lines[k])
            out.append((s, name, lines[name]))
    return out
