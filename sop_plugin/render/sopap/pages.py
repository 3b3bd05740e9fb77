"""Print pagination of the SOP-AP table: rows grouped into A4 landscape chunks.

Every chunk is its own ``<table>`` with its header; each flow line that
crosses a cut ends in a lettered segilima (off-page connector) at the bottom
of one chunk and starts again from the same letter at the top of the next.
On screen the connector rows and repeated headers are hidden and the chunks
read as one continuous table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .geometry import Edge, Row

CONNECTOR_ROW = 40    # height of the off-page connector rows of a printed chunk
PAGE_BUDGET = 540     # px of step rows per printed A4 landscape page (under header, connector rows)


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


def letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA ..."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def chunks(rows: list[Row], edges: list[Edge], rows_per_page: int | None = None,
           budget: float = PAGE_BUDGET) -> list[Chunk]:
    groups: list[list[int]] = [[]]
    used = 0.0
    for i, r in enumerate(rows):
        full = (len(groups[-1]) >= rows_per_page) if rows_per_page else (used + r.h > budget)
        if groups[-1] and full:
            groups.append([])
            used = 0.0
        groups[-1].append(i)
        used += r.h
    out = [Chunk(g) for g in groups]
    n = 0
    for k in range(len(out) - 1):
        cut = rows[out[k].rows[-1]].y + rows[out[k].rows[-1]].h
        for ei, e in enumerate(edges):
            for (x1, y1), (x2, y2) in zip(e.points, e.points[1:]):
                if abs(x1 - x2) < 0.01 and min(y1, y2) < cut < max(y1, y2):
                    label = letters(n)
                    n += 1
                    out[k].bottom.append(Crossing(label, x1, ei))
                    out[k + 1].top.append(Crossing(label, x1, ei))
    return out
