"""SVG drawing of an SOP-AP :class:`~.geometry.Layout`.

Each table row gets its own ``<svg>`` that shows only the band of the
picture inside that row, so page breaks between rows never cut a symbol.
The geometry travels as ``data-*`` attributes: symbols ``data-step``,
``data-actor-col`` (0-based lane), ``data-kind``, ``data-cx/cy/w/h`` (table
coordinates, px); flow lines ``data-from``, ``data-to``, ``data-label`` and
``d`` in the same coordinates.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from .geometry import LABEL_DOWN, LABEL_LINE, Kind, Layout, Point, Symbol

EXTEND = 4000         # how far lines reaching a row's bottom are extended (clipped by the cell)
EPS = 0.01


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def shape(sym: Symbol) -> str:
    x0, y0, x1, y1 = sym.box()
    if sym.kind is Kind.DECISION:
        return (f'<polygon class="sopap-shape" points="{_f(sym.cx)},{_f(y0)} {_f(x1)},{_f(sym.cy)} '
                f'{_f(sym.cx)},{_f(y1)} {_f(x0)},{_f(sym.cy)}"/>')
    if sym.kind is Kind.TERMINATOR:
        return (f'<rect class="sopap-shape" x="{_f(x0)}" y="{_f(y0)}" width="{_f(sym.w)}" height="{_f(sym.h)}" '
                f'rx="{_f(sym.h / 2)}" ry="{_f(sym.h / 2)}"/>')
    if sym.kind is Kind.CONNECTOR:
        shoulder = y0 + sym.h * 0.6
        return (f'<polygon class="sopap-shape" points="{_f(x0)},{_f(y0)} {_f(x1)},{_f(y0)} {_f(x1)},{_f(shoulder)} '
                f'{_f(sym.cx)},{_f(y1)} {_f(x0)},{_f(shoulder)}"/>')
    return f'<rect class="sopap-shape" x="{_f(x0)}" y="{_f(y0)}" width="{_f(sym.w)}" height="{_f(sym.h)}"/>'


def symbol_svg(sym: Symbol, extra: dict[str, str] | None = None) -> str:
    attrs = {"data-kind": sym.kind.value, "data-actor-col": str(sym.lane), "data-cx": _f(sym.cx),
             "data-cy": _f(sym.cy), "data-w": _f(sym.w), "data-h": _f(sym.h)}
    if sym.step is not None:
        attrs["data-step"] = str(sym.step)
    if sym.ref:
        attrs["data-ref"] = sym.ref
    attrs.update(extra or {})
    attr_text = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
    inner = f"<title>{escape(sym.title)}</title>" + shape(sym)
    if sym.text:
        inner += (f'<text class="sopap-sym-text" x="{_f(sym.cx)}" y="{_f(sym.cy - sym.h * 0.12)}" '
                  f'text-anchor="middle" dominant-baseline="middle">{escape(sym.text)}</text>')
    elif sym.step is not None:
        inner += (f'<text class="sopap-sym-no" x="{_f(sym.cx)}" y="{_f(sym.cy)}" text-anchor="middle" '
                  f'dominant-baseline="central">{sym.step}</text>')
    elif sym.ref in ("start", "end"):
        inner += (f'<text class="sopap-sym-word" x="{_f(sym.cx)}" y="{_f(sym.cy)}" text-anchor="middle" '
                  f'dominant-baseline="central">{escape(sym.title)}</text>')
    if sym.caption:
        anchor = ' text-anchor="end"' if sym.caption_anchor == "end" else ""
        inner += (f'<text class="sopap-caption" x="{_f(sym.caption_x)}" y="{_f(sym.cy - sym.h / 2 - 3)}"{anchor}>'
                  f"{escape(sym.caption)}</text>")
    g = f'<g class="sopap-sym sopap-{sym.kind.value}"{attr_text}>{inner}</g>'
    if sym.href:
        # xlink:href, not href: mkdocs-material's instant navigation assigns el.href on every
        # [href] element, which throws on SVG links (their href is a read-only SVGAnimatedString)
        g = f'<a xlink:href="{escape(sym.href)}" class="sopap-link">{g}</a>'
    return g


def clip(points: list[Point], y0: float, y1: float) -> list[list[Point]]:
    """The parts of an orthogonal polyline inside the band ``y0 <= y <= y1``.

    A horizontal segment belongs to the band where ``y0 <= y < y1`` (one at
    ``y1`` is drawn by the next row), a vertical one to every band it spans.
    """
    parts: list[list[Point]] = []
    cur: list[Point] = []
    for a, b in zip(points, points[1:]):
        seg: list[Point] | None = None
        if abs(a.y - b.y) < EPS:
            if y0 <= a.y < y1:
                seg = [a, b]
        elif max(min(a.y, b.y), y0) < min(max(a.y, b.y), y1):
            if a.y < b.y:
                seg = [Point(a.x, max(a.y, y0)), Point(b.x, min(b.y, y1))]
            else:
                seg = [Point(a.x, min(a.y, y1)), Point(b.x, max(b.y, y0))]
        if seg is None:
            if cur:
                parts.append(cur)
                cur = []
        elif cur and abs(cur[-1].x - seg[0].x) < EPS and abs(cur[-1].y - seg[0].y) < EPS:
            cur.append(seg[1])
        else:
            if cur:
                parts.append(cur)
            cur = list(seg)
    if cur:
        parts.append(cur)
    return parts


def _path(pts: list[Point]) -> str:
    return "M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in pts)


def arrowhead(a: Point, b: Point) -> str:
    dx, dy = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dy) or 1
    ux, uy = dx / n, dy / n
    px, py = -uy, ux
    s = 5.0
    p1 = (b[0] - ux * s + px * s * 0.55, b[1] - uy * s + py * s * 0.55)
    p2 = (b[0] - ux * s - px * s * 0.55, b[1] - uy * s - py * s * 0.55)
    return (f'<polygon class="sopap-arrow" points="{_f(b[0])},{_f(b[1])} {_f(p1[0])},{_f(p1[1])} '
            f'{_f(p2[0])},{_f(p2[1])}"/>')


def _label_svg(edge) -> str:
    """A branch label, wrapped: above or under a sideways exit (the line nearest it), beside a downward one."""
    lines = edge.label_lines
    if not lines or len(edge.points) < 2:
        return ""
    a = edge.points[0]
    if edge.label_at is not None:  # placed by the layout: above or under a sideways exit, left of a downward one
        anchor, x = edge.label_anchor, edge.label_at.x
        y = edge.label_at.y - (0 if edge.label_below else (len(lines) - 1) * LABEL_LINE)
    else:
        anchor, x, y = "start", a.x + 3, a.y + LABEL_DOWN
    spans = "".join(f'<tspan x="{_f(x)}" y="{_f(y + i * LABEL_LINE)}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text class="sopap-label" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" '
            f'data-label="{escape(edge.label or "")}">{spans}</text>')


def _line_attrs(ei: int, e, **extra: str) -> str:
    attrs = {"data-edge": str(ei), "data-from": e.src, "data-to": e.dst, "data-label": e.label or "", **extra}
    return "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())


def rows_svg(lay: Layout) -> list[Markup]:
    """Every row's drawing (:func:`_row_svg`), each line's vertical extent measured once."""
    spans = _spans(lay)
    return [_row_svg(lay, ri, spans) for ri in range(len(lay.rows))]


def _spans(lay: Layout) -> list[tuple[float, float]]:
    """Each line's lowest and highest y (a line without points spans nothing)."""
    return [(min(p.y for p in e.points), max(p.y for p in e.points)) if e.points else (math.inf, -math.inf)
            for e in lay.edges]


def _row_svg(lay: Layout, ri: int, spans: list[tuple[float, float]]) -> Markup:
    r = lay.rows[ri]
    y0, y1 = r.y, r.y + r.h
    out: list[str] = []
    for ei, e in enumerate(lay.edges):
        if spans[ei][1] < y0 or spans[ei][0] >= y1:
            continue  # nothing of this line is in the row (see clip), nor its label
        for part in clip(e.points, y0, y1):
            out.append(f'<path class="sopap-line"{_line_attrs(ei, e)} d="{_path(part)}"/>')
            last = part[-1]
            if last == e.points[-1] and e.arrow:
                out.append(arrowhead(part[-2], last))
            # lines that reach the bottom continue to the real bottom of the (maybe taller) cell
            for a, b in zip(part, part[1:]):
                if abs(a.x - b.x) < EPS and abs(max(a.y, b.y) - y1) < EPS:
                    out.append(f'<line class="sopap-ext" x1="{_f(a.x)}" y1="{_f(y1)}" x2="{_f(a.x)}" '
                               f'y2="{_f(y1 + EXTEND)}"/>')
        if e.points and y0 <= e.points[0].y < y1:
            out.append(_label_svg(e))
    for sym in lay.symbols:
        if sym.row == ri:
            out.append(symbol_svg(sym))
    return _svg(lay, out, y0, r.h, f'data-row="{ri}" data-y="{_f(y0)}" data-h="{_f(r.h)}"')


def _svg(lay: Layout, body: list[str], y0: float, h: float, attrs: str) -> Markup:
    """A row's drawing; the wrapper fills its table cell, so the drawing grows with the row."""
    w = lay.cols.lanes_width
    return Markup(
        f'<div class="sopap-draw"><svg class="sopap-svg" xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" width="{w}" height="{_f(h)}" {attrs} '
        f'role="presentation"><g transform="translate(0,{_f(-y0)})">{"".join(body)}</g></svg></div>'
    )


def legend() -> dict[str, Markup]:
    out = {}
    for kind in (Kind.TERMINATOR, Kind.PROCESS, Kind.DECISION, Kind.CONNECTOR):
        w, h = (30, 16) if kind is not Kind.CONNECTOR else (16, 16)
        sym = Symbol(kind, 0, 18, 11, w, h, 0)
        out[kind.value] = Markup(f'<svg class="sopap-legend-svg" width="36" height="22" aria-hidden="true">'
                                 f"{shape(sym)}</svg>")
    out["flow"] = Markup('<svg class="sopap-legend-svg" width="36" height="22" aria-hidden="true">'
                         '<path class="sopap-line" d="M3 11 L30 11"/>'
                         + arrowhead(Point(3, 11), Point(33, 11)) + "</svg>")
    return out
