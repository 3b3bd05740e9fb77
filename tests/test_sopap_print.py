"""Printing the SOP-AP document: A4 landscape PDFs from Chromium, and the table on screen."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browserkit import ARGS, CHROMIUM, require_chromium
from sop_plugin.cli import main
from sop_plugin.cli.export_pdf import standalone_html
from sop_plugin.model import Corpus
from sop_plugin.parsing import parse_sop
from sop_plugin.render import sopap
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import Institution, Settings
from test_sopap import MANY_BRANCHES, make_sop

pytestmark = pytest.mark.browser


def _need_poppler() -> None:
    if not shutil.which("pdfinfo") or not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed")


def _ctx(sop, **settings) -> RenderContext:
    return RenderContext.of(Portal.of(Corpus(root=".", sops=[sop]),
                                      Settings(institution=Institution(name="Universitas Uji"), **settings)))


def _pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    out = []
    for i in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        out.append(" ".join(text.split()))
    return out


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_forty_steps_print_as_a4_landscape_with_repeated_header(browser, tmp_path):
    _need_poppler()
    sop = parse_sop("uji.md", make_sop(40, 5, seed=2, activity=lambda i: f"Kegiatan nomor {i} dikerjakan teliti."))
    ctx = _ctx(sop)
    doc = standalone_html(sop, ctx)
    html = tmp_path / "doc.html"
    html.write_text(doc, encoding="utf-8")
    page = browser.new_page()
    page.goto(html.as_uri())
    summary = page.evaluate("() => (window.sopPrint.paginate(), window.sopPrint.summary()[0])")
    pdf = tmp_path / "doc.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    page.close()

    sizes = _page_sizes(pdf)
    assert sizes and all(abs(w - 842) < 2 and abs(h - 595) < 2 for w, h in sizes), sizes
    texts = _pages(pdf)
    # page 1: identity + lembar pengesahan; then one page per table page of the print script, no overflow pages
    assert len(texts) == 1 + len(summary), (len(texts), summary)
    assert len(summary) >= 2
    assert "Nomor SOP" in texts[0] and "Disusun oleh" in texts[0]
    for t in texts[1:]:
        assert "Kegiatan" in t and "Pelaksana" in t and "Mutu Baku" in t  # header repeated on every page
        assert "SOP-UJI-001" in t and re.search(r"Halaman \d+ dari \d+", t)  # page header and footer
    everything = " ".join(texts)
    for i in range(1, 41):
        assert re.search(rf"Kegiatan nomor {i} dikerjakan", everything), f"step {i} missing from the PDF"
    # each step lands on exactly the page the script put it on; connector letters pair across breaks
    for k, chunk in enumerate(summary):
        assert chunk["steps"], f"table page {k + 1} without a step row"
        for n in chunk["steps"]:
            assert re.search(rf"Kegiatan nomor {n} dikerjakan", texts[1 + k])
        for label in chunk["bottom"]:
            assert re.search(rf"\b{label}\b", texts[1 + k]) and re.search(rf"\b{label}\b", texts[2 + k])
        if k + 1 < len(summary):
            assert sorted(chunk["bottom"]) == sorted(summary[k + 1]["top"])


def test_rows_per_page_caps_the_printed_rows(browser, tmp_path):
    sop = parse_sop("uji.md", make_sop(40, 5, seed=7))
    html = tmp_path / "doc.html"
    html.write_text(standalone_html(sop, _ctx(sop, sopap_rows_per_page=8)), encoding="utf-8")
    page = browser.new_page()
    page.goto(html.as_uri())
    summary = page.evaluate("() => (window.sopPrint.paginate(), window.sopPrint.summary()[0])")
    page.close()
    assert [len(c["steps"]) for c in summary] == [8, 8, 8, 8, 8]
    letters = [x for c in summary for x in c["bottom"]]
    assert letters == [chr(65 + i) for i in range(len(letters))]  # A, B, C ... each once
    for a, b in zip(summary, summary[1:]):
        assert sorted(a["bottom"]) == sorted(b["top"])


def test_sop_export_pdf_command(tmp_path, capsys):
    require_chromium()
    _need_poppler()
    root = tmp_path / "sops"
    root.mkdir()
    (root / "uji.md").write_text(make_sop(12, 3, handover_every=0), encoding="utf-8")
    (root / "units.yml").write_text("biro-umum:\n  name: Biro Umum\n", encoding="utf-8")
    out = tmp_path / "out" / "uji.pdf"
    html = tmp_path / "uji.html"
    rc = main(["export", "SOP-UJI-001", "--sops", str(root), "--pdf", str(out), "--html", str(html)])
    assert rc == 0
    assert out.read_bytes().startswith(b"%PDF")
    sizes = _page_sizes(out)
    assert all(abs(w - 842) < 2 and abs(h - 595) < 2 for w, h in sizes)
    text = " ".join(_pages(out))
    assert "SOP-UJI-001" in text and "Lembar Pengesahan" in text
    doc = html.read_text(encoding="utf-8")
    assert "<link" not in doc and "<script src" not in doc and "@page" in doc  # self-contained, CSS inline
    assert "window.sopPrint" in doc  # the print script inline


def test_export_usage_errors(tmp_path):
    root = tmp_path / "sops"
    root.mkdir()
    (root / "uji.md").write_text(make_sop(3, 1), encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["export", "SOP-UJI-001", "--sops", str(root)])  # no output chosen
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["export", "SOP-NOPE-001", "--sops", str(root), "--html", str(tmp_path / "x.html")])
    assert e.value.code == 2


def test_sixty_steps_on_screen_continuous_and_not_overlapping(browser, tmp_path):
    sop = parse_sop("big.md", make_sop(60, 8, seed=11))
    html = sopap.sopap_html(sop, _ctx(sop))
    assets = Path(sopap.__file__).parents[2] / "assets"
    css = "".join((assets / name).read_text(encoding="utf-8") for name in ("sop-sopap.css", "sop-print.css"))
    f = tmp_path / "screen.html"
    f.write_text(f"<!doctype html><meta charset=utf-8><style>{css}</style><body>{html}"
                 f"<script src='{(assets / 'sop-print.js').as_uri()}'></script>", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900}, java_script_enabled=True)
    page.goto(f.as_uri())
    page.evaluate("() => window.sopPrint.paginate()")  # as before printing
    res = page.evaluate("""() => {
      const rows = [...document.querySelectorAll('tr.sopap-row')].map(tr => {
        const td = tr.querySelector('td.sopap-lanes'), svg = td.querySelector('svg');
        return {td: td.getBoundingClientRect().height, svg: svg.getBoundingClientRect().height,
                tdTop: td.getBoundingClientRect().top, svgTop: svg.getBoundingClientRect().top};
      });
      const conn = [...document.querySelectorAll('.sopap-connector-row')].filter(r => r.offsetParent !== null).length;
      const heads = [...document.querySelectorAll('.sopap-table thead')].filter(h => h.offsetParent !== null).length;
      const boxes = [...document.querySelectorAll('tr.sopap-row g.sopap-sym')].map(g => {
        const r = g.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];});
      const tables = [...document.querySelectorAll('.sopap-table')].map(t => t.getBoundingClientRect());
      let gaps = 0;
      for (let i = 1; i < tables.length; i++) gaps += Math.abs(tables[i].top - tables[i-1].bottom);
      return {rows, conn, heads, boxes, gaps, n: tables.length};
    }""")
    page.close()
    assert res["n"] > 1  # printed as several pages ...
    assert res["conn"] == 0 and res["heads"] == 1  # ... but on screen one continuous table
    assert res["gaps"] < 1
    for r in res["rows"]:
        assert abs(r["td"] - r["svg"]) < 1.5 and abs(r["tdTop"] - r["svgTop"]) < 1.5  # lines reach across each row
    boxes = res["boxes"]
    assert len(boxes) >= 60
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5), (a, b)


def test_every_branch_of_a_many_way_decision_is_labelled_legibly(browser, tmp_path):
    """A decision has three ports. With five branches, three leave through one port: their labels
    are stacked there, each naming where its line goes, and no label is written over another,
    over the diamond, or past the edge of the lanes (where the drawing is clipped)."""
    sop = parse_sop("pengaduan.md", MANY_BRANCHES)
    html = sopap.sopap_html(sop, _ctx(sop))
    assets = Path(sopap.__file__).parents[2] / "assets"
    css = "".join((assets / name).read_text(encoding="utf-8") for name in ("sop-sopap.css", "sop-print.css"))
    f = tmp_path / "cabang.html"
    f.write_text(f"<!doctype html><meta charset=utf-8><style>{css}</style><body>{html}", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f.as_uri())
    res = page.evaluate("""() => {
      const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
      const row = document.querySelector('tr.sopap-row[data-step="2"]');
      const svg = row.querySelector('svg.sopap-svg');
      return {lines: [...row.querySelectorAll('text.sopap-label tspan')].map(t => [t.textContent, box(t)]),
              diamond: box(row.querySelector('g.sopap-sym[data-kind="decision"] .sopap-shape')),
              lanes: box(svg.parentElement)};
    }""")
    page.close()
    # the two ports a branch has to itself keep the bare label; the shared one names the targets (its
    # lines wrapped to end before the line coming into the diamond, a long word hyphenated)
    read = " | ".join(t for t, _ in res["lines"]).replace("- | ", "").replace(" | → ", " → ").split(" | ")
    assert sorted(read) == sorted(["Akademik", "Sarana prasarana", "Keuangan → 4", "Kepegawaian → 6", "Lainnya → 7"])
    boxes = [b for _, b in res["lines"]]
    left, top, right, bottom = res["lanes"]
    d = res["diamond"]
    for i, a in enumerate(boxes):
        assert left - 0.5 <= a[0] and a[2] <= right + 0.5, (res["lines"][i], res["lanes"])
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5), (a, b)
        # nothing over the diamond's box, but the bottom exit's label beside its line
        assert not (a[0] < d[2] - 0.5 and d[0] < a[2] - 0.5 and a[1] < d[3] - 0.5 and d[1] < a[3] - 0.5), (a, d)
