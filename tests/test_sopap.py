"""Geometry of the SOP-AP flowchart table, checked on the generated HTML/SVG.

The HTML is parsed with html.parser; every assertion is about what a reader
(or a printer) gets: symbols in their actor's column and their step's row,
flow lines that run from symbol to symbol without crossing any, labelled
decision branches, loops that return to the right row, matching off-page
connectors at page cuts.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

import pytest

from sop_plugin.model import Corpus
from sop_plugin.parsing import parse_sop
from sop_plugin.render import sopap
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import SettingsError, Settings

KINDS = {"process", "decision", "terminator", "connector"}
TOL = 0.6


# -- SOP text generators -----------------------------------------------------

def make_sop(n: int, k: int, seed: int = 1, *, decisions: bool = True, handover_every: int = 13,
             activity=None) -> str:
    """An SOP of ``n`` steps and ``k`` actors with forward jumps, loops, end branches and handovers."""
    rnd = random.Random(seed)
    actors = [f"Pelaksana {chr(65 + i)}" for i in range(k)]
    lines = ["---", "id: SOP-UJI-001", "title: Uji Bagan", "unit: biro-umum", "status: draft", "---", "",
             "## Prosedur", ""]
    for i in range(1, n + 1):
        actor = actors[(i - 1) % k] if i <= k else rnd.choice(actors)
        text = activity(i) if activity else f"Kegiatan nomor {i} dikerjakan dengan teliti oleh petugas."
        lines += [f"{i}. {text}", f"    - pelaksana: {actor}", f"    - waktu: {rnd.randint(1, 30)} menit",
                  f"    - output: Dokumen {i}"]
        if decisions and i % 7 == 3 and i < n - 2:
            back = max(1, i - rnd.randint(1, 3))
            fwd = min(n, i + rnd.randint(2, 9))
            lines += ["    - keputusan: Lengkap?", f"        - Ya -> {i + 1}",
                      f"        - Tidak -> {back if i % 2 else fwd}"]
        elif decisions and i % 11 == 5 and i < n - 1:
            lines += ["    - keputusan: Disetujui?", f"        - Ya -> {i + 1}", "        - Tidak -> selesai"]
        elif handover_every and i % handover_every == 6:
            lines.append("    - sop: SOP-LAIN-002")
        lines.append("")
    return "\n".join(lines)


def ctx_for(*sops) -> RenderContext:
    return RenderContext.of(Portal.of(Corpus(root=".", sops=list(sops))))


def render(text: str, **kw) -> tuple[object, str]:
    sop = parse_sop("uji.md", text)
    ctx = ctx_for(sop)
    ctx.links.current = "sop/sop-uji-001/"
    html = sopap.sopap_html(sop, ctx, **kw)
    return sop, html


# -- HTML parsing ----------------------------------------------------------------

@dataclass
class Sym:
    attrs: dict
    tr_step: str | None
    band: tuple[float, float] | None  # (y0, y1) of its row, None in connector rows
    connectors: str | None
    chunk: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        cx, cy, w, h = (float(self.attrs[k]) for k in ("data-cx", "data-cy", "data-w", "data-h"))
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


@dataclass
class Piece:
    attrs: dict
    points: list[tuple[float, float]]
    connectors: str | None
    chunk: int


@dataclass
class Parsed:
    lane_cols: list[float] = field(default_factory=list)
    symbols: list[Sym] = field(default_factory=list)
    pieces: list[Piece] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    chunks: int = 0
    texts: list[str] = field(default_factory=list)


class SopapParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Parsed()
        self.tr = None
        self.svg = None
        self.chunk = -1
        self.first_colgroup = True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "table" and "sopap-table" in cls:
            self.chunk += 1
            self.out.chunks += 1
        elif tag == "col" and self.chunk == 0 and "sopap-col-lane" in cls:
            self.out.lane_cols.append(float(re.search(r"width:([\d.]+)px", a["style"]).group(1)))
        elif tag == "tr":
            self.tr = a
            if "data-y" in a:
                self.out.rows.append(a)
        elif tag == "svg" and "sopap-svg" in cls:
            self.svg = a
        elif tag == "g" and "sopap-sym" in cls:
            band = None
            if self.svg and "data-y" in self.svg:
                y0 = float(self.svg["data-y"])
                band = (y0, y0 + float(self.svg["data-h"]))
            self.out.symbols.append(Sym(a, (self.tr or {}).get("data-step"), band,
                                        (self.svg or {}).get("data-connectors"), self.chunk))
        elif tag == "path" and "sopap-line" in cls:
            nums = [float(v) for v in re.findall(r"-?[\d.]+", a["d"])]
            pts = list(zip(nums[::2], nums[1::2]))
            self.out.pieces.append(Piece(a, pts, (self.svg or {}).get("data-connectors"), self.chunk))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag == "tr":
            self.tr = None

    def handle_data(self, data):
        if data.strip():  # what a reader reads: soft hyphens show only where a line breaks
            self.out.texts.append(data.replace("\u00ad", ""))


def parse(html: str) -> Parsed:
    p = SopapParser()
    p.feed(html)
    return p.out


def lane_range(parsed: Parsed, lane: int) -> tuple[float, float]:
    x0 = sum(parsed.lane_cols[:lane])
    return x0, x0 + parsed.lane_cols[lane]


def on_boundary(pt, box) -> bool:
    x, y = pt
    x0, y0, x1, y1 = box
    on_v = (abs(x - x0) < TOL or abs(x - x1) < TOL) and y0 - TOL <= y <= y1 + TOL
    on_h = (abs(y - y0) < TOL or abs(y - y1) < TOL) and x0 - TOL <= x <= x1 + TOL
    return on_v or on_h


def crosses_interior(a, b, box) -> bool:
    """Does the axis-parallel segment a-b pass through the inside of ``box`` (shrunk by 1 px)?"""
    x0, y0, x1, y1 = box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1
    if abs(a[0] - b[0]) < 0.01:  # vertical
        return x0 < a[0] < x1 and min(a[1], b[1]) < y1 and max(a[1], b[1]) > y0
    return y0 < a[1] < y1 and min(a[0], b[0]) < x1 and max(a[0], b[0]) > x0


def edges(parsed: Parsed) -> dict[str, list[Piece]]:
    out: dict[str, list[Piece]] = {}
    for p in parsed.pieces:
        if p.connectors is None and "data-edge" in p.attrs:  # (the legend's sample arrow has none)
            out.setdefault(p.attrs["data-edge"], []).append(p)
    return out


def endpoints(pieces: list[Piece]) -> list[tuple[float, float]]:
    """The two loose ends of a line drawn in pieces (pieces meet at row boundaries)."""
    ends: dict[tuple[float, float], int] = {}
    for p in pieces:
        for pt in (p.points[0], p.points[-1]):
            key = (round(pt[0], 1), round(pt[1], 1))
            ends[key] = ends.get(key, 0) + 1
    return [pt for pt, n in ends.items() if n % 2 == 1]


def symbol_for(parsed: Parsed, name: str, pt) -> Sym | None:
    for s in parsed.symbols:
        if s.connectors is not None:
            continue
        a = s.attrs
        if name.isdigit() and a.get("data-step") == name and a.get("data-ref") != "handover":
            pass
        elif name == "end" and a.get("data-ref") == "end":
            pass
        elif name == "start" and a.get("data-ref") == "start":
            pass
        elif name == "handover" and a.get("data-ref") == "handover":
            pass
        else:
            continue
        if on_boundary(pt, s.box):
            return s
    return None


def source_symbol(parsed: Parsed, src: str, pt) -> Sym | None:
    """The symbol a line leaves: the step's own symbol, or the handover connector hanging under it."""
    found = symbol_for(parsed, src, pt)
    if found is None and src.isdigit():
        for s in parsed.symbols:
            if s.attrs.get("data-ref") == "handover" and s.tr_step == src and on_boundary(pt, s.box):
                return s
    return found


# -- tests -------------------------------------------------------------------------

def test_symbols_sit_in_their_actor_column_and_row():
    sop, html = render(make_sop(30, 5))
    parsed = parse(html)
    actors = sop.procedure.actors()
    assert len(parsed.lane_cols) == len(actors)
    steps = {s.attrs["data-step"]: s for s in parsed.symbols if "data-step" in s.attrs}
    assert sorted(map(int, steps)) == list(range(1, 31))
    for step in sop.steps:
        sym = steps[str(step.number)]
        assert sym.tr_step == str(step.number), "symbol must be drawn in its own step's row"
        col = actors.index(step.actor)
        assert int(sym.attrs["data-actor-col"]) == col
        lo, hi = lane_range(parsed, col)
        x0, y0, x1, y1 = sym.box
        assert lo <= x0 and x1 <= hi, (step.number, (x0, x1), (lo, hi))
        assert sym.band[0] <= y0 and y1 <= sym.band[1]
    # rows are in written order, each one below the previous
    ys = [float(r["data-y"]) for r in parsed.rows if "data-step" in r]
    assert ys == sorted(ys) and len(ys) == 30


def test_only_the_five_sop_ap_symbol_kinds_are_used():
    sop, html = render(make_sop(30, 4))
    parsed = parse(html)
    kinds = {s.attrs["data-kind"] for s in parsed.symbols}
    assert kinds <= KINDS
    assert kinds == KINDS  # this SOP has start/end capsules, boxes, decisions and a handover connector
    assert parsed.pieces, "flow lines (anak panah) are drawn"
    by_step = {s.attrs["data-step"]: s.attrs["data-kind"] for s in parsed.symbols if "data-step" in s.attrs}
    assert by_step["1"] == "terminator"  # the first activity is a capsule
    assert by_step["30"] == "terminator"  # the last activity ends the procedure
    for step in sop.steps:
        if step.decision:
            assert by_step[str(step.number)] == "decision"


def test_every_flow_line_runs_from_symbol_to_symbol_without_crossing_any():
    sop, html = render(make_sop(40, 5, seed=3))
    parsed = parse(html)
    lines = edges(parsed)
    assert lines
    for eid, pieces in lines.items():
        a = pieces[0].attrs
        ends = endpoints(pieces)
        assert len(ends) == 2, f"line {eid} ({a['data-from']}->{a['data-to']}) is not one connected path: {ends}"
        first, last = ends if source_symbol(parsed, a["data-from"], ends[0]) else ends[::-1]
        assert source_symbol(parsed, a["data-from"], first), f"line {eid} does not start on step {a['data-from']}"
        target = symbol_for(parsed, a["data-to"], last)
        assert target, f"line {eid} does not end on {a['data-to']}"
        if a["data-to"].isdigit():
            assert target.tr_step == a["data-to"]  # the line returns to / reaches the right row
        for p in pieces:
            for s, t in zip(p.points, p.points[1:]):
                assert abs(s[0] - t[0]) < 0.01 or abs(s[1] - t[1]) < 0.01, "flow lines are orthogonal"
                for sym in parsed.symbols:
                    if sym.connectors is None:
                        assert not crosses_interior(s, t, sym.box), (
                            f"line {a['data-from']}->{a['data-to']} crosses symbol {sym.attrs}")


def test_decisions_have_one_labelled_line_per_branch():
    sop, html = render(make_sop(40, 5, seed=5))
    parsed = parse(html)
    decisions = [s for s in sop.steps if s.decision]
    assert decisions
    lines = edges(parsed)
    for step in decisions:
        mine = [ps[0].attrs for ps in lines.values() if ps[0].attrs["data-from"] == str(step.number)]
        assert sorted(a["data-label"] for a in mine) == sorted(b.label for b in step.decision.branches)
        for b in step.decision.branches:
            want = "end" if b.target.is_end else str(b.target.step)
            assert any(a["data-label"] == b.label and a["data-to"] == want for a in mine)
    # the labels are drawn as text, too
    for step in decisions:
        for b in step.decision.branches:
            assert b.label in parsed.texts


LOOP_SOP = """---
id: SOP-UJI-002
title: Loop
status: draft
---
## Prosedur

1. Menerima berkas.
    - pelaksana: Petugas
2. Memeriksa berkas.
    - pelaksana: Verifikator
3. Memperbaiki berkas.
    - pelaksana: Petugas
4. Menilai kelengkapan.
    - pelaksana: Kepala
    - keputusan: Lengkap?
        - Ya -> 5
        - Tidak -> 2
5. Menandatangani.
    - pelaksana: Kepala
"""


def test_loop_returns_up_to_its_row_in_a_side_corridor():
    sop, html = render(LOOP_SOP)
    parsed = parse(html)
    loop = [ps for ps in edges(parsed).values() if ps[0].attrs["data-from"] == "4" and ps[0].attrs["data-to"] == "2"]
    assert len(loop) == 1
    pieces = loop[0]
    assert pieces[0].attrs["data-label"] == "Tidak"
    ends = endpoints(pieces)
    start = [p for p in ends if source_symbol(parsed, "4", p)]
    end = [p for p in ends if symbol_for(parsed, "2", p)]
    assert len(start) == 1 and len(end) == 1
    target = symbol_for(parsed, "2", end[0])
    assert target.tr_step == "2"
    # it goes up: its end is above its start, and its vertical run lies outside every lane's symbol area
    assert end[0][1] < start[0][1]
    verticals = [(s, t) for p in pieces for s, t in zip(p.points, p.points[1:]) if abs(s[0] - t[0]) < 0.01
                 and abs(s[1] - t[1]) > 40]
    assert verticals
    x = verticals[0][0][0]
    for sym in parsed.symbols:
        assert not (sym.box[0] < x < sym.box[2]), "the loop's vertical run must not pass through a symbol column"
    # left of the leftmost symbol involved (loops run in the left corridor)
    assert x < min(s.box[0] for s in parsed.symbols if s.attrs.get("data-step") in ("2", "4"))


def test_every_row_says_which_lines_cross_its_bottom():
    """The print script cuts between rows; each row tells it the flow lines crossing the cut below it."""
    sop, html = render(make_sop(40, 5, seed=7))
    parsed = parse(html)
    assert parsed.chunks == 1 and html.count("<thead>") == 1  # one table; sop-print.js makes the pages
    cross = {int(m.group(1)): json.loads(unescape(m.group(2)))
             for m in re.finditer(r'<tr [^>]*data-step="(\d+)"[^>]*data-cross="([^"]*)"', html)}
    assert sorted(cross) == list(range(1, 41))
    lay = sopap.layout(sop)
    total = 0
    for i, r in enumerate(lay.rows[:-1]):
        cut = r.y + r.h
        expected = sorted((round(a.x, 1), ei) for ei, e in enumerate(lay.edges) for a, b in zip(e.points, e.points[1:])
                          if abs(a.x - b.x) < 0.01 and min(a.y, b.y) < cut - 0.01 and cut + 0.01 < max(a.y, b.y))
        assert sorted(tuple(c) for c in cross[r.step.number]) == expected
        total += len(expected)
    assert total > 20  # long jumps and loops do cross many boundaries
    assert cross[40] == []  # nothing crosses below the last row


def test_activity_text_is_escaped_everywhere():
    evil = 'Mengisi <script>alert(1)</script> lalu "]; click X call alert()'
    text = make_sop(6, 2, activity=lambda i: evil if i == 2 else f"Kegiatan {i}.")
    text = text.replace("Pelaksana A", '<img src=x onerror=alert(2)>"]')
    text = text.replace("Disetujui?", "<b>Setuju?</b>")
    sop, html = render(text)
    assert "<script>" in sop.steps[1].activity  # the parser keeps the author's text; the table escapes it
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parsed = parse(html)
    assert any('"]; click' in t for t in parsed.texts)
    assert any("<img src=x onerror=alert(2)>" in t for t in parsed.texts)  # shown as text, not markup


def test_actor_headers_break_long_words_at_syllables():
    """The lanes of an 8-actor table are narrow: a long word breaks at a syllable, with a hyphen."""
    text = make_sop(6, 2).replace("Pelaksana A", "Staf Administrasi 010").replace("Pelaksana B", "Kepala Biro")
    sop, html = render(text)
    heads = re.findall(r'<th class="sopap-h-actor"[^>]*>([^<]*)</th>', html)
    assert heads == ["Staf Admi\u00adnis\u00adtrasi 010", "Kepala Biro"], heads  # 3 letters at least each side


def test_handover_connector_links_to_the_other_sop():
    sop = parse_sop("uji.md", make_sop(8, 2, handover_every=13))
    other = parse_sop("lain.md", "---\nid: SOP-LAIN-002\ntitle: Lain\nunit: biro-umum\nstatus: effective\n---\n")
    ctx = ctx_for(sop, other)
    ctx.links.current = "sop/sop-uji-001/"
    html = sopap.sopap_html(sop, ctx)
    parsed = parse(html)
    ho = [s for s in parsed.symbols if s.attrs.get("data-ref") == "handover"]
    assert len(ho) == 1 and ho[0].tr_step == "6" and ho[0].attrs["data-kind"] == "connector"
    # an SVG link (xlink:href: material's instant navigation cannot assign href on SVG links)
    assert 'xlink:href="../sop-lain-002/"' in html
    assert "SOP-LAIN-002" in html


def test_handover_to_an_unpublished_sop_is_not_a_dead_link():
    sop, html = render(make_sop(8, 2, handover_every=13))  # SOP-LAIN-002 is not in the corpus
    assert "SOP-LAIN-002" in html and "sop-lain-002/" not in html


FIRST_DECISION = """---
id: SOP-UJI-003
title: Keputusan awal
status: draft
---
## Prosedur

1. Menilai permohonan.
    - pelaksana: Kepala
    - keputusan: Diterima?
        - Ya -> 2
        - Tidak -> selesai
2. Memproses permohonan.
    - pelaksana: Kepala
"""


def test_start_capsule_and_closing_row_when_needed():
    # single actor: the "Tidak -> selesai" branch has no neighbouring lane, so a closing "Selesai" row is added
    sop, html = render(FIRST_DECISION)
    parsed = parse(html)
    start = [s for s in parsed.symbols if s.attrs.get("data-ref") == "start"]
    end = [s for s in parsed.symbols if s.attrs.get("data-ref") == "end"]
    assert len(start) == 1 and start[0].attrs["data-kind"] == "terminator" and start[0].tr_step == "1"
    assert len(end) == 1 and end[0].attrs["data-kind"] == "terminator"
    assert end[0].tr_step is None  # the closing row, not a step row
    assert any(ps[0].attrs["data-to"] == "end" and ps[0].attrs["data-label"] == "Tidak"
               for ps in edges(parsed).values())
    assert len(parsed.lane_cols) == 1
    # a step without an actor gets a column of its own; the end capsule then fits beside the diamond


def test_step_without_actor_gets_its_own_column():
    _, html = render(FIRST_DECISION[: FIRST_DECISION.rindex("    - pelaksana")])
    parsed = parse(html)
    assert len(parsed.lane_cols) == 2
    assert "(tanpa pelaksana)" in parsed.texts
    end = [s for s in parsed.symbols if s.attrs.get("data-ref") == "end"]
    assert len(end) == 1 and end[0].tr_step == "1" and end[0].attrs["data-actor-col"] == "1"


def test_bad_input_never_raises():
    assert render("---\nid: X\n---\nno procedure here\n")[1] is None
    dangling = FIRST_DECISION.replace("- Ya -> 2", "- Ya -> 9").replace("Tidak -> selesai", "Tidak -> nowhere")
    sop, html = render(dangling)
    assert html and 'data-step="1"' in html
    self_loop = LOOP_SOP.replace("Tidak -> 2", "Tidak -> 4")
    _, html = render(self_loop)
    parsed = parse(html)
    loop = [ps for ps in edges(parsed).values() if ps[0].attrs["data-from"] == "4" and ps[0].attrs["data-to"] == "4"]
    assert loop and symbol_for(parsed, "4", loop[0][-1].points[-1])
    assert render(make_sop(5, 2), rows_per_page=None)[1]
    for garbage in (0, -3, "x"):  # refused when the settings are made, naming the option
        with pytest.raises(SettingsError, match="sopap_rows_per_page"):
            Settings.from_options({"sopap_rows_per_page": garbage})


def test_sixty_steps_eight_actors_without_overlap_and_fast():
    text = make_sop(60, 8, seed=11)
    sop = parse_sop("big.md", text)
    ctx = ctx_for(sop)
    t0 = time.perf_counter()
    html = sopap.sopap_html(sop, ctx)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0, f"rendering 60 steps took {elapsed:.2f} s"
    parsed = parse(html)
    assert len(parsed.lane_cols) == 8
    assert sum(parsed.lane_cols) + 140 <= sopap.TABLE_WIDTH  # room is left for Kegiatan
    syms = [s for s in parsed.symbols if s.connectors is None]
    assert len([s for s in syms if "data-step" in s.attrs]) == 60
    for i, a in enumerate(syms):
        for b in syms[i + 1:]:
            ax0, ay0, ax1, ay1 = a.box
            bx0, by0, bx1, by1 = b.box
            overlap = ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
            assert not overlap, (a.attrs, b.attrs)
    # symbols are readable: at least 30 px wide
    assert min(float(s.attrs["data-w"]) for s in syms if s.attrs["data-kind"] != "connector") >= 30


@pytest.mark.parametrize("lang,word", [("id", "Kegiatan"), ("en", "Activity")])
def test_header_language(lang, word):
    sop = parse_sop("a.md", LOOP_SOP)
    ctx = ctx_for(sop)
    ctx.lang = lang
    html = sopap.sopap_html(sop, ctx)
    assert f">{word}</th>" in html


def test_registered_as_the_default_flowchart_tab():
    from sop_plugin.render.blocks import blocks, blocks_in

    BLOCKS = blocks()

    b = BLOCKS["sopap"]
    assert b.slot == "flowchart" and b.tab == "tab.sopap"
    assert blocks_in("flowchart")[0] is b  # the first tab is the one shown
    assert b.render is sopap.sopap_block


MANY_BRANCHES = """---
id: SOP-UJI-005
title: Pengaduan
status: draft
---
## Prosedur

1. Menerima pengaduan.
    - pelaksana: Petugas Layanan
2. Menelaah jenis pengaduan.
    - pelaksana: Koordinator Layanan
    - keputusan: Jenis pengaduan?
        - Akademik (40%) -> 3
        - Keuangan (25%) -> 4
        - Sarana prasarana (20%) -> 5
        - Kepegawaian (10%) -> 6
        - Lainnya -> 7
3. Meneruskan ke Biro Akademik.
    - pelaksana: Koordinator Layanan
    - lanjut: 8
4. Meneruskan ke Biro Keuangan.
    - pelaksana: Koordinator Layanan
    - lanjut: 8
5. Meneruskan ke Bagian Sarana.
    - pelaksana: Koordinator Layanan
    - lanjut: 8
6. Meneruskan ke Biro Kepegawaian.
    - pelaksana: Koordinator Layanan
    - lanjut: 8
7. Menjawab pengaduan langsung.
    - pelaksana: Petugas Layanan
8. Menutup tiket pengaduan.
    - pelaksana: Petugas Layanan
"""


BRANCHES_IN_FIRST_LANE = """---
id: SOP-UJI-006
title: Beasiswa
status: draft
---
## Prosedur

1. Menerima berkas permohonan beasiswa.
    - pelaksana: Petugas Beasiswa
2. Memeriksa kelengkapan berkas permohonan.
    - pelaksana: Petugas Beasiswa
    - keputusan: Berkas lengkap?
        - Lengkap -> 3
        - Belum lengkap, dikembalikan kepada mahasiswa -> 1
        - Mengundurkan diri -> selesai
        - Perlu klarifikasi pimpinan -> 4
3. Menilai berkas.
    - pelaksana: Tim Penilai
4. Menetapkan penerima.
    - pelaksana: Wakil Rektor
"""


LOOPS_BESIDE_THE_EDGES = """---
id: SOP-UJI-007
title: Legalisir
status: draft
---
## Prosedur

1. Mengajukan permohonan legalisir.
    - pelaksana: Alumni
2. Memeriksa kelengkapan berkas.
    - pelaksana: Alumni
    - keputusan: Lengkap?
        - Ya -> 3
        - Berkas belum lengkap, dikembalikan -> 1
3. Memverifikasi data lulusan.
    - pelaksana: Staf Akademik
4. Menelaah ulang data lulusan.
    - pelaksana: Kepala Biro
5. Menandatangani legalisir.
    - pelaksana: Kepala Biro
    - keputusan: Sah?
        - Ya -> 6
        - Tidak sah, ditelaah ulang -> 4
6. Menyerahkan legalisir.
    - pelaksana: Staf Akademik
"""

LOOP_IN_A_MIDDLE_LANE = """---
id: SOP-UJI-008
title: Cuti
status: draft
---
## Prosedur

1. Mengajukan cuti.
    - pelaksana: Pegawai
2. Mencatat permohonan.
    - pelaksana: Staf Kepegawaian
3. Memeriksa sisa cuti.
    - pelaksana: Staf Kepegawaian
    - keputusan: Cukup?
        - Ya -> 4
        - Tidak lengkap -> 2
4. Menyetujui cuti.
    - pelaksana: Kepala Biro
"""

BELOW_A_DECISION_IN_THE_LAST_OF_SIX_LANES = """---
id: SOP-UJI-009
title: Ujian skripsi
status: draft
---
## Prosedur

1. Mendaftar ujian.
    - pelaksana: Mahasiswa
2. Memeriksa berkas.
    - pelaksana: Staf Prodi
3. Menyetujui jadwal.
    - pelaksana: Ketua Prodi
4. Menguji skripsi.
    - pelaksana: Penguji
5. Mencatat nilai.
    - pelaksana: Sekretaris Sidang
6. Menetapkan kelulusan.
    - pelaksana: Ketua Sidang
    - keputusan: Lulus?
        - Lulus dengan revisi -> 7
        - Tidak lulus -> 1
7. Mengesahkan revisi.
    - pelaksana: Ketua Sidang
"""


# the bundled SOP-UMUM-006: step 2's line to 7 runs down the corridor past step 3's "Tidak"
A_CORRIDOR_LINE_PAST_A_LABEL = """---
id: SOP-UJI-012
title: Cuti
status: draft
---
## Prosedur

1. Mengisi formulir cuti.
    - pelaksana: Pegawai
2. Memberikan pertimbangan.
    - pelaksana: Atasan Langsung
    - keputusan: Pertimbangan atasan?
        - Disetujui -> 3
        - Ditangguhkan -> 1
        - Tidak disetujui -> tolak
3. Memverifikasi sisa hak cuti.
    - pelaksana: Staf Kepegawaian
    - keputusan: Hak cuti mencukupi?
        - Ya -> 4
        - Tidak -> tolak
4. Menyiapkan surat izin cuti.
    - pelaksana: Staf Kepegawaian
5. Memaraf surat izin cuti.
    - pelaksana: Kepala Subbagian Kepegawaian
6. Menandatangani surat izin cuti.
    - pelaksana: Kepala Biro Umum
    - lanjut: arsip
7. Memberitahukan penolakan. {#tolak}
    - pelaksana: Staf Kepegawaian
    - lanjut: selesai
8. Memutakhirkan kartu cuti. {#arsip}
    - pelaksana: Staf Kepegawaian
"""


# the bundled SOP-UMUM-002: an end beside a diamond in a lane of 91 px, a handover in the last lane
END_BESIDE_AND_A_HANDOVER_IN_THE_LAST_LANE = """---
id: SOP-UJI-011
title: Pengadaan
status: draft
---
## Prosedur

1. Mengisi formulir permintaan.
    - pelaksana: Pemohon
2. Memeriksa stok.
    - pelaksana: Staf Gudang
    - keputusan: Stok mencukupi?
        - Ya -> 6
        - Tidak -> 3
3. Menyetujui usulan pengadaan.
    - pelaksana: Kepala Subbagian Rumah Tangga
4. Memeriksa ketersediaan anggaran.
    - pelaksana: Verifikator Keuangan
    - keputusan: Anggaran tersedia?
        - Ya -> 5
        - Tidak -> selesai
5. Melaksanakan pembelian.
    - pelaksana: Pejabat Pengadaan
    - sop: SOP-UMUM-001
6. Menyerahkan barang.
    - pelaksana: Staf Gudang
7. Menandatangani tanda terima.
    - pelaksana: Pemohon
"""


# the bundled SOP-UMUM-001: "Ya" goes down the corridor right of step 4, past "Tidak" under the diamond
A_SIBLING_PAST_A_DOWNWARD_LABEL = """---
id: SOP-UJI-013
title: Pengadaan
status: draft
---
## Prosedur

1. Menyusun usulan kebutuhan.
    - pelaksana: Pimpinan Unit Kerja
2. Menelaah usulan.
    - pelaksana: Kepala Biro Umum
3. Memeriksa kelengkapan usulan.
    - pelaksana: Pejabat Pembuat Komitmen
    - keputusan: Dokumen lengkap?
        - Ya -> 4
        - Tidak lengkap -> 1
4. Memeriksa ketersediaan anggaran.
    - pelaksana: Verifikator Keuangan
    - keputusan: Anggaran tersedia?
        - Ya -> 6
        - Tidak -> 5
5. Mengembalikan usulan.
    - pelaksana: Pejabat Pembuat Komitmen
    - lanjut: selesai
6. Menyusun HPS.
    - pelaksana: Pejabat Pembuat Komitmen
7. Melaksanakan pemilihan penyedia.
    - pelaksana: Pokja Pemilihan
8. Melaksanakan pekerjaan.
    - pelaksana: Penyedia Barang/Jasa
9. Memeriksa hasil pekerjaan.
    - pelaksana: Panitia Penerima Hasil Pekerjaan
10. Mencatat barang.
    - pelaksana: Staf Gudang
"""


# the bundled SOP-KEU-001: lines go down the corridors on both sides of "Sisa dana" under step 4
LINES_ON_BOTH_SIDES_OF_A_DOWNWARD_LABEL = """---
id: SOP-UJI-014
title: Pertanggungjawaban
status: draft
---
## Prosedur

1. Menyusun LPJ.
    - pelaksana: Penanggung Jawab Kegiatan
2. Menyerahkan LPJ.
    - pelaksana: Penanggung Jawab Kegiatan
3. Memverifikasi bukti pengeluaran.
    - pelaksana: Verifikator Keuangan
    - keputusan: Bukti lengkap?
        - Ya -> 4
        - Perlu perbaikan -> 1
4. Menghitung selisih uang muka.
    - pelaksana: Bendahara Pengeluaran
    - keputusan: Hasil perhitungan?
        - Sisa dana -> 5
        - Kurang bayar -> 6
        - Nihil -> 7
5. Menyetorkan sisa uang muka.
    - pelaksana: Penanggung Jawab Kegiatan
    - lanjut: 7
6. Mengajukan pembayaran kekurangan.
    - pelaksana: Bendahara Pengeluaran
7. Membukukan pertanggungjawaban.
    - pelaksana: Bendahara Pengeluaran
8. Mengarsipkan LPJ.
    - pelaksana: Staf Akuntansi
"""


# generated SOPs: step 4 loops back to 3, whose own loop leaves on the left, in the first lane, with
# its label at the edge of the lanes; coming in at 3's top, 4's loop ran up through that label
LOOP_INTO_A_STEP_THAT_LOOPS = """---
id: SOP-UJI-015
title: Verifikasi
status: draft
---
## Prosedur

1. Mengisi formulir permohonan.
    - pelaksana: Pemohon
2. Menerima berkas.
    - pelaksana: Kepala Seksi
3. Memeriksa kelengkapan berkas.
    - pelaksana: Pemohon
    - keputusan: Berkas lengkap?
        - Ya -> 4
        - Tidak -> 2
4. Memeriksa keabsahan data.
    - pelaksana: Petugas Loket
    - keputusan: Data sah?
        - Ya -> 5
        - Tidak -> 3
5. Mencatat permohonan.
    - pelaksana: Petugas Loket
6. Menerbitkan surat.
    - pelaksana: Kepala Seksi
"""


# the bundled SOP-BPM-001: steps 6 and 7 both loop back to 4; 7's loop, on the next track out, ran
# through 6's "Tidak"
TWO_LOOPS_INTO_ONE_STEP = """---
id: SOP-UJI-016
title: Penyusunan SOP
status: draft
---
## Prosedur

1. Membentuk tim penyusun.
    - pelaksana: Pimpinan Unit Kerja
2. Menganalisis proses bisnis.
    - pelaksana: Tim Penyusun SOP
3. Mengidentifikasi kebutuhan SOP.
    - pelaksana: Tim Penyusun SOP
4. Menuliskan uraian prosedur.
    - pelaksana: Tim Penyusun SOP
5. Menyusun diagram alir.
    - pelaksana: Tim Penyusun SOP
6. Mensimulasikan SOP.
    - pelaksana: Tim Penyusun SOP
    - keputusan: Hasil simulasi sesuai?
        - Ya -> 7
        - Tidak -> 4
7. Mereviu kesesuaian SOP.
    - pelaksana: Tim BPM
    - keputusan: Sesuai standar?
        - Ya -> 8
        - Perlu perbaikan -> 4
8. Memeriksa dan memaraf SOP.
    - pelaksana: Pimpinan Unit Kerja
9. Memberikan nomor registrasi.
    - pelaksana: Kepala Bagian Hukum dan Tata Laksana
10. Mengesahkan SOP.
    - pelaksana: Rektor
"""


# the bundled SOP-UMUM-001: step 4's jump to 7 ran down the corridor through the label of 6's loop
A_JUMP_PAST_A_LOOP_LABEL = """---
id: SOP-UJI-017
title: Pengadaan
status: draft
---
## Prosedur

1. Menyusun HPS.
    - pelaksana: Pejabat Pembuat Komitmen
2. Menentukan metode pemilihan.
    - pelaksana: Pejabat Pembuat Komitmen
    - keputusan: Nilai paling banyak Rp200 juta?
        - Pengadaan langsung -> 3
        - Tender -> 5
3. Mengundang calon penyedia.
    - pelaksana: Pejabat Pengadaan
4. Menegosiasikan harga.
    - pelaksana: Pejabat Pengadaan
    - lanjut: 7
5. Mengumumkan tender.
    - pelaksana: Pokja Pemilihan
6. Mengevaluasi penawaran.
    - pelaksana: Pokja Pemilihan
    - keputusan: Ada pemenang?
        - Ya -> 7
        - Tidak, tender gagal -> 5
7. Menetapkan penyedia.
    - pelaksana: Pejabat Pembuat Komitmen
8. Menandatangani kontrak.
    - pelaksana: Penyedia Barang/Jasa
"""


# the bundled draft SOP-BPM-003: step 7's loop back to 3 ran up the corridor through the label of 3's
# branch to 6, which has no other place (the loop cannot go round the right: both right sides are taken)
A_LOOP_BEYOND_A_LABEL = """---
id: SOP-UJI-018
title: Penanganan keluhan
status: draft
---
## Prosedur

1. Menyampaikan keluhan.
    - pelaksana: Pelapor
2. Mencatat keluhan.
    - pelaksana: Staf BPM
3. Mengklasifikasikan keluhan.
    - pelaksana: Staf BPM
    - keputusan: Kategori keluhan?
        - Permintaan informasi -> 4
        - Layanan unit -> 5
        - Pelanggaran berat -> 6
4. Memberikan jawaban langsung.
    - pelaksana: Staf BPM
    - lanjut: 7
5. Menindaklanjuti keluhan.
    - pelaksana: Pimpinan Unit Kerja
    - lanjut: 7
6. Menelaah keluhan pelanggaran berat.
    - pelaksana: Ketua BPM
7. Menutup tiket.
    - pelaksana: Staf BPM
    - keputusan: Pelapor puas?
        - Ya -> selesai
        - Tidak -> 3
"""


@pytest.mark.parametrize("text", [MANY_BRANCHES, BRANCHES_IN_FIRST_LANE, LOOPS_BESIDE_THE_EDGES, LOOP_IN_A_MIDDLE_LANE,
                                  BELOW_A_DECISION_IN_THE_LAST_OF_SIX_LANES, END_BESIDE_AND_A_HANDOVER_IN_THE_LAST_LANE,
                                  A_CORRIDOR_LINE_PAST_A_LABEL, A_SIBLING_PAST_A_DOWNWARD_LABEL,
                                  LINES_ON_BOTH_SIDES_OF_A_DOWNWARD_LABEL, LOOP_INTO_A_STEP_THAT_LOOPS,
                                  TWO_LOOPS_INTO_ONE_STEP, A_JUMP_PAST_A_LOOP_LABEL, A_LOOP_BEYOND_A_LABEL],
                         ids=["last-lane", "first-lane", "loops-at-the-edges", "loop-in-a-middle-lane", "last-of-six",
                              "end-beside-and-handover", "corridor-line-past-a-label", "sibling-past-a-downward-label",
                              "lines-on-both-sides-of-a-downward-label", "loop-into-a-step-that-loops",
                              "two-loops-into-one-step", "a-jump-past-a-loop-label", "a-loop-beyond-a-label"])
def test_branch_labels_are_not_crossed_by_lines_nor_clipped(text):
    """Every branch label is drawn, inside the lanes, and no line runs through it, sideways or
    up and down: a label beside a downward exit ends above the line's turn; a sideways one is
    under a line that turns up (a loop back), above one that turns down, and one too long for the
    room beside an outer lane is wrapped to end before the line coming into its diamond; stacked
    labels of a shared corner name their targets; one that a corridor's line would run through
    moves beyond its own line's corner, and one under a diamond goes to the other side of its line
    or is wrapped narrower between the lines either side.  An end capsule beside a diamond moves clear of
    its label, and a handover's caption (the SOP it hands over to) is drawn whole, on the side
    of its line that has room."""
    from sop_plugin.render.sopap.geometry import LABEL_LINE, label_width

    sop = parse_sop("cabang.md", text)
    lay = sopap.layout(sop, labels={"end": "Selesai"})
    drawn = " ".join(line for e in lay.edges for line in e.label_lines).replace("- ", "")  # hyphenated words
    for s in sop.steps:
        for b in s.decision.branches if s.decision else ():
            assert " ".join(b.label.split()) in drawn, b.label
    boxes = []
    for e in lay.edges:
        if not e.label_lines:
            continue
        width = label_width(e.label_lines)
        n = len(e.label_lines)
        if e.label_at is not None:  # beside a sideways exit
            x0 = e.label_at.x if e.label_anchor == "start" else e.label_at.x - width
            # under the line: from the top of its first line; above: to the descenders of its last
            bottom = e.label_at.y - 9 + n * LABEL_LINE if e.label_below else e.label_at.y + 3
            if e.label_below and e.points[0].y == e.points[1].y:  # under a sideways line, which goes up at its corner
                assert e.points[1].y - e.points[2].y > 0, e.label_lines
        else:  # beside a downward exit
            x0 = e.points[0].x + 3
            bottom = e.points[0].y + 11 + (n - 1) * LABEL_LINE + 3
        boxes.append((e.label_lines, x0, bottom - n * LABEL_LINE, x0 + width, bottom))
    for sym in lay.symbols:  # a handover's caption: the SOP it hands over to
        if sym.caption:
            width = label_width([sym.caption])
            x0 = sym.caption_x if sym.caption_anchor == "start" else sym.caption_x - width
            bottom = sym.cy - sym.h / 2 - 3 + 3
            boxes.append(([sym.caption], x0, bottom - LABEL_LINE, x0 + width, bottom))
    assert boxes
    for lines, x0, y0, x1, y1 in boxes:
        assert 0 <= x0 and x1 <= lay.cols.lanes_width, lines
        for e in lay.edges:
            for a, b in zip(e.points, e.points[1:]):
                if abs(a.y - b.y) < 0.01 and y0 < a.y < y1:  # a sideways run at the label's height
                    assert max(a.x, b.x) <= x0 or min(a.x, b.x) >= x1, (lines, e.src, e.dst, a, b)
                if abs(a.x - b.x) < 0.01 and x0 < a.x < x1:  # a run up or down across the label's width
                    assert max(a.y, b.y) <= y0 or min(a.y, b.y) >= y1, (lines, e.src, e.dst, a, b)
        for sym in lay.symbols:
            if sym.kind is not sopap.Kind.DECISION and lines != [sym.caption]:  # a label may reach over its diamond's corner, clear of its edge
                sx0, sy0, sx1, sy1 = sym.box()
                assert sx1 <= x0 or sx0 >= x1 or sy1 <= y0 or sy0 >= y1, (lines, sym.ref or sym.step)


def test_a_loop_that_would_cross_a_label_goes_up_the_right_side_only_when_that_reads_better():
    """Two loops into one step: the outer one ran through the inner one's label.  The layout made
    again with it up the right side is kept: no label crossed, and no more line crossings.  A
    layout with nothing crossed is the first one made."""
    from sop_plugin.render.sopap.geometry import _layout, _score

    sop = parse_sop("ulang.md", TWO_LOOPS_INTO_ONE_STEP)
    lay = sopap.layout(sop, labels={"end": "Selesai"})
    first = _layout(sop, handover_href=None, labels={"end": "Selesai"}, handover_label=None, other_side=frozenset())
    assert first.crossed and not lay.crossed
    assert _score(lay) < _score(first) and _score(lay)[1] <= _score(first)[1]
    four = next(s for s in lay.symbols if s.step == 4)
    seven = next(e for e in lay.edges if (e.src, e.dst) == ("7", "4"))
    assert seven.points[-1] == four.port(sopap.Side.RIGHT)
    plain = parse_sop("lurus.md", TWO_LOOPS_INTO_ONE_STEP.replace("Perlu perbaikan -> 4", "Perlu perbaikan -> selesai"))
    assert sopap.layout(plain, labels={"end": "Selesai"}).edges == _layout(
        plain, handover_href=None, labels={"end": "Selesai"}, handover_label=None, other_side=frozenset()).edges


def test_a_jump_forward_that_would_cross_a_label_goes_down_the_left_side():
    """Step 4's jump to 7 ran down the corridor right of its lane, through the label of 6's loop:
    made again, it leaves 4 on the left and comes into 7's left side, and nothing is crossed."""
    lay = sopap.layout(parse_sop("lompat.md", A_JUMP_PAST_A_LOOP_LABEL), labels={"end": "Selesai"})
    four, seven = (next(s for s in lay.symbols if s.step == n) for n in (4, 7))
    jump = next(e for e in lay.edges if (e.src, e.dst) == ("4", "7"))
    assert jump.points[0] == four.port(sopap.Side.LEFT) and jump.points[-1] == seven.port(sopap.Side.LEFT)
    assert not lay.crossed


def test_a_line_with_no_other_way_runs_beyond_the_label_it_crossed():
    """Step 7's loop back to 3 ran up the corridor through "Pelanggaran berat", the label of 3's
    branch to 6, and had no other side to take: made again, it runs up just beyond the label's far
    end, through the free part of the first lane, passing no symbol and crossing no more lines."""
    from sop_plugin.render.sopap.geometry import TRACK, _layout, _score, _through_symbols

    sop = parse_sop("keluhan.md", A_LOOP_BEYOND_A_LABEL)
    first = _layout(sop, handover_href=None, labels={"end": "Selesai"}, handover_label=None, other_side=frozenset())
    assert [e.label_lines for e in first.crossed] == [["Pelanggaran", "berat"]]
    lay = sopap.layout(sop, labels={"end": "Selesai"})
    assert not lay.crossed and _score(lay)[1] <= _score(first)[1]
    label = next(e for e in lay.edges if (e.src, e.dst) == ("3", "6")).label_box()
    loop = next(e for e in lay.edges if (e.src, e.dst) == ("7", "3"))
    up = next((a, b) for a, b in zip(loop.points, loop.points[1:]) if a.x == b.x)  # (then the drop into 3's top)
    assert up[0].x == label[0] - TRACK and up[1].y < label[1] < label[3] < up[0].y
    assert not _through_symbols(lay, (7, 3))


def test_a_loop_into_a_step_that_loops_comes_in_from_the_right():
    """A loop back to a step whose own loop leaves on its left goes up the corridor right of the
    lanes and into the step's right side: on the left it would have to pass that line and its
    label to come in at the top."""
    lay = sopap.layout(parse_sop("ulang.md", LOOP_INTO_A_STEP_THAT_LOOPS), labels={"end": "Selesai"})
    three = next(s for s in lay.symbols if s.step == 3)
    into = next(e for e in lay.edges if (e.src, e.dst) == ("4", "3"))
    own = next(e for e in lay.edges if (e.src, e.dst) == ("3", "2"))
    assert own.points[0] == three.port(sopap.Side.LEFT)
    assert into.points[-1] == three.port(sopap.Side.RIGHT)
    assert min(p.x for p in into.points) > three.cx


ARRIVES_WHERE_A_BRANCH_LEAVES = """---
id: SOP-UJI-010
title: Pencairan
status: draft
---
## Prosedur

1. Mengajukan pencairan.
    - pelaksana: Pemohon
2. Memeriksa berkas.
    - pelaksana: Verifikator
    - keputusan: Lengkap?
        - Ya -> 3
        - Tidak -> 4
3. Mencatat berkas.
    - pelaksana: Bendahara
4. Menilai kelayakan.
    - pelaksana: Pemohon
    - keputusan: Layak?
        - Ya -> 5
        - Tidak -> 6
        - Ditunda -> 1
5. Mencairkan dana.
    - pelaksana: Verifikator
6. Mengarsipkan berkas.
    - pelaksana: Bendahara
7. Menelaah ulang.
    - pelaksana: Pemohon
    - lanjut: 4
"""


def test_no_arrow_ends_where_a_line_starts():
    """A jump into a step comes in on the side its own branches do not leave from: a line into
    step 4's right corner (where its "Tidak" leaves) or left corner (where its "Ditunda" loop
    leaves) would end on that branch's start, and the reader could not tell the arrow from the
    branch. Such a line comes in at the step's top, joining the line from above."""
    lay = sopap.layout(parse_sop("cair.md", ARRIVES_WHERE_A_BRANCH_LEAVES), labels={"end": "Selesai"})
    starts = {e.points[0]: e for e in lay.edges if e.points}
    into_four = [e for e in lay.edges if e.dst == "4"]
    assert {e.src for e in into_four} == {"2", "3", "7"}
    four = next(s for s in lay.symbols if s.step == 4)
    for e in lay.edges:
        if e.points and e.arrow:
            other = starts.get(e.points[-1])
            assert other is None or other is e, (e.src, e.dst, "ends where", other.src, other.dst, "starts")
    for e in into_four:  # every one still ends on step 4
        assert e.points[-1] in (four.port(sopap.Side.TOP), four.port(sopap.Side.LEFT), four.port(sopap.Side.RIGHT))
