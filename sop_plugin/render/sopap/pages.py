"""What printing needs to know about the SOP-AP table: the flow lines crossing each row boundary.

The page breaks themselves are decided in the browser at print time by
``assets/sop-print.js`` (the one paginator for the browser's Print and for
``sop export --pdf``): it measures the rendered rows, cuts the table on row
boundaries so that every page fits, repeats the header, and puts a lettered
off-page connector (segilima) at the bottom of one page and its partner at
the top of the next for every flow line crossing the cut.  Python only says
*which* lines cross each boundary and where (``x`` in table coordinates), as
the row's ``data-cross`` attribute, because that is geometry, not layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from .geometry import Edge, Row

CONNECTOR_ROW = 40    # height (px) of the off-page connector rows the print script inserts
EPS = 0.01


@dataclass(frozen=True)
class Crossing:
    x: float
    edge: int               # index into Layout.edges


def letters(n: int) -> str:
    """0 → A, 25 → Z, 26 → AA ... (the print script labels connectors the same way)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def crossings(rows: list[Row], edges: list[Edge]) -> list[list[Crossing]]:
    """For each row, the vertical flow-line runs that cross its bottom boundary (none after the last row)."""
    out: list[list[Crossing]] = []
    for i, r in enumerate(rows):
        found: list[Crossing] = []
        if i < len(rows) - 1:
            cut = r.y + r.h
            for ei, e in enumerate(edges):
                for a, b in zip(e.points, e.points[1:]):
                    if abs(a.x - b.x) < EPS and min(a.y, b.y) < cut - EPS and cut + EPS < max(a.y, b.y):
                        found.append(Crossing(round(a.x, 1), ei))
        out.append(found)
    return out
