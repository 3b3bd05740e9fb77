"""The official paper: a 20-step and a 60-step SOP printed both ways, measured in the PDF.

Both print paths use the one paginator (assets/sop-print.js): Playwright's ``page.pdf`` of the
built portal page (standing in for the browser's Print; the test runs what the page's
``beforeprint`` handler runs) and ``sop export --pdf``.  The PDFs are read with pdfplumber:

* every table page carries the table header and the SOP number (page header margin box) and
  "Halaman x dari y";
* every table page holds at least one step row, and every step is printed exactly once;
* the off-page connectors pair across every break: the letters at the bottom of one page are the
  letters at the top of the next;
* nothing (text or drawing) lies below the bottom margin except the footer.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from browserkit import ARGS, CHROMIUM, require_chromium, serve
from sop_plugin.cli import main
from test_site_build import build
from test_sopap import make_sop

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.browser

PT_PER_MM = 72 / 25.4
PAGE_H = 210 * PT_PER_MM
BOTTOM_LIMIT = PAGE_H - 14 * PT_PER_MM + 1.0   # the @page bottom margin is 14 mm
TOP_LIMIT = 16 * PT_PER_MM - 1.0                # and the top margin 16 mm


def _activity(i: int) -> str:
    # a token per step (K07) to find it in the PDF; some rows long, so breaks depend on real heights
    extra = " Memeriksa kelengkapan berkas dan mencocokkan data dengan sistem informasi kepegawaian." * (i % 5 == 0)
    return f"K{i:02d} kegiatan dikerjakan dengan teliti.{extra}"


def _sop_text(n: int, actors: int, seed: int, sop_id: str) -> str:
    text = make_sop(n, actors, seed=seed, activity=_activity)
    text = text.replace("id: SOP-UJI-001", f"id: {sop_id}").replace("title: Uji Bagan", f"title: Uji Cetak {n} Langkah")
    # long branch labels must print whole
    return text.replace("- Tidak -> ", "- Tidak lengkap, dikembalikan -> ")


OTHER = textwrap.dedent("""\
    ---
    id: SOP-LAIN-002
    title: Lanjutan
    unit: biro-umum
    status: draft
    ---

    ## Prosedur

    1. Menerima berkas lanjutan.
        - pelaksana: Pelaksana A
        - waktu: 10 menit
    """)

CASES = {"SOP-CETAK-020": (20, 4, 3), "SOP-CETAK-060": (60, 8, 11)}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("print")
    sops = {"lain.md": OTHER}
    for sop_id, (n, k, seed) in CASES.items():
        sops[f"{sop_id.lower()}.md"] = _sop_text(n, k, seed, sop_id)
    _build_portal(root, sops, "search")
    return root


def _build_portal(root: Path, sops: dict[str, str], *plugins: str) -> str:
    """A portal of these SOP files (drafts included) built in ``root/site``; the build's log."""
    (root / "sops").mkdir(parents=True)
    (root / "sops" / "units.yml").write_text("biro-umum:\n  name: Biro Umum\n", encoding="utf-8")
    for name, text in sops.items():
        (root / "sops" / name).write_text(text, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Beranda\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Uji\ntheme:\n  name: material\n  font: false\n  language: id\n"
        "plugins:\n" + "".join(f"  - {p}\n" for p in plugins) + "  - sop:\n      include_drafts: true\n",
        encoding="utf-8")
    result = build(root, root / "site", strict=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


@pytest.fixture(scope="module")
def pdfs(project) -> dict[tuple[str, str], tuple[Path, list]]:
    """Every SOP printed both ways: (id, "browser" | "export") -> (pdf, the script's page summary)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    out = {}
    with serve(project / "site") as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1366, "height": 900})
            for sop_id in CASES:
                page.goto(url + f"sop/{sop_id.lower()}/", wait_until="load")
                # what the beforeprint handler runs (page.pdf fires beforeprint and afterprint itself)
                summary = page.evaluate("() => (window.sopPrint.paginate(), window.sopPrint.summary()[0])")
                pdf = project / f"{sop_id}-browser.pdf"
                page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True,
                         prefer_css_page_size=True)
                out[(sop_id, "browser")] = (pdf, summary)
        finally:
            b.close()
    for sop_id in CASES:
        pdf = project / f"{sop_id}-export.pdf"
        html = project / f"{sop_id}-export.html"
        rc = main(["export", sop_id, "--sops", str(project / "sops"), "--pdf", str(pdf), "--html", str(html)])
        assert rc == 0
        out[(sop_id, "export")] = (pdf, None)
    return out


def _words(page) -> list[dict]:
    """The page's words, without the watermark (set in 30 pt type; nothing else is near that size)."""
    plain = page.filter(lambda o: o.get("object_type") != "char" or o.get("size", 0) < 20)
    return plain.extract_words(keep_blank_chars=False, use_text_flow=False)


@pytest.mark.parametrize("sop_id", list(CASES))
@pytest.mark.parametrize("way", ["browser", "export"])
def test_printed_table_pages(pdfs, sop_id, way):
    pdf, summary = pdfs[(sop_id, way)]
    n = CASES[sop_id][0]
    seen: list[int] = []
    table_pages = []
    with pdfplumber.open(str(pdf)) as doc:
        total = len(doc.pages)
        for number, page in enumerate(doc.pages, start=1):
            words = _words(page)
            text = " ".join(w["text"] for w in words)
            assert abs(page.height - PAGE_H) < 2 and page.width > page.height  # A4 landscape
            # page header and footer on every page (margin boxes)
            head = " ".join(w["text"] for w in words if w["bottom"] < TOP_LIMIT)
            assert sop_id in head and "Uji Cetak" in head, (number, head)
            foot = " ".join(w["text"] for w in words if w["top"] > BOTTOM_LIMIT)
            assert foot == f"Halaman {number} dari {total}", (number, foot)
            # nothing below the bottom margin but the footer: no text, no line, no box
            for obj in page.rects + page.lines + page.curves:
                assert obj["bottom"] <= BOTTOM_LIMIT, (number, obj["bottom"])
            steps = [int(w["text"][1:]) for w in words if re.fullmatch(r"K\d\d", w["text"])]
            if "Kelengkapan" not in text or "Keterangan" not in text:
                assert not steps
                continue
            assert "Pelaksana" in text and "Mutu" in text and "Kegiatan" in text  # the header on every table page
            assert steps, f"page {number} has no step row"
            seen += steps
            table_pages.append((number, page, words, steps))
    assert sorted(seen) == list(range(1, n + 1))  # each step printed once, in order
    assert seen == sorted(seen)
    assert len(table_pages) >= (2 if n == 20 else 4)
    # connectors pair across every break: letters under the last step row / above the first
    pairs = []
    with pdfplumber.open(str(pdf)) as doc:
        for number, _, words, steps in table_pages:
            page = doc.pages[number - 1]
            tokens = [w for w in words if re.fullmatch(r"K\d\d", w["text"])]
            first_top = min(w["top"] for w in tokens)
            last_bottom = max(w["bottom"] for w in tokens)
            header_bottom = max(w["bottom"] for w in words if w["text"] in ("Kelengkapan", "Output"))
            letters = [w for w in words if re.fullmatch(r"[A-Z]{1,2}", w["text"])]
            top = sorted(w["text"] for w in letters if header_bottom < w["top"] < first_top)
            bottom = sorted(w["text"] for w in letters if w["top"] > last_bottom + 20)
            pairs.append((top, bottom))
    for k in range(len(pairs) - 1):
        assert pairs[k][1] == pairs[k + 1][0], (k, pairs)
    assert pairs[0][0] == [] and pairs[-1][1] == []
    used = [x for _, bottom in pairs for x in bottom]
    assert used and len(used) == len(set(used))  # lines do cross the breaks; every letter used once
    if summary is not None:  # the page's script agrees with what was printed
        assert [[s for s in p["steps"] if s] for p in summary] == [s for *_, s in table_pages]
        assert [(sorted(p["top"]), sorted(p["bottom"])) for p in summary] == pairs


def test_branch_labels_print_whole(pdfs):
    pdf, _ = pdfs[("SOP-CETAK-020", "export")]
    with pdfplumber.open(str(pdf)) as doc:
        text = "".join(c["text"] for page in doc.pages for c in page.chars)  # in drawing order
    assert "…" not in text
    assert "Tidaklengkap,dikembalikan" in text.replace(" ", "")


def test_export_refuses_an_sop_with_errors(tmp_path, capsys):
    require_chromium()
    root = tmp_path / "sops"
    root.mkdir()
    (root / "units.yml").write_text("biro-umum:\n  name: Biro Umum\n", encoding="utf-8")
    (root / "a.md").write_text(_sop_text(8, 2, 1, "SOP-RUSAK-001"), encoding="utf-8")  # hands over to a missing SOP
    out = tmp_path / "a.pdf"
    rc = main(["export", "SOP-RUSAK-001", "--sops", str(root), "--pdf", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and not out.exists()
    assert "SOP204" in err and "a.md:" in err and "--force" in err
    rc = main(["export", "SOP-RUSAK-001", "--sops", str(root), "--pdf", str(out), "--force"])
    assert rc == 0
    with pdfplumber.open(str(out)) as doc:
        for page in doc.pages:  # the watermark is on every page
            mark = "".join(c["text"] for c in page.chars if c["size"] >= 20)
            assert "MENGANDUNGKESALAHAN" in mark.replace(" ", ""), mark


# Every printed table page, measured as printed (print media), from the top of its table (of the
# SOP-AP block on the first page) to the end of its last row, connector or legend.
_CHUNK_HEIGHTS = """(pageH) => {
  document.documentElement.style.setProperty('--sop-print-page-h', pageH + 'px');
  window.sopPrint.paginate();
  const root = document.querySelector('[data-sopap]');
  const tables = [...root.querySelectorAll('table.sopap-table')];
  const legend = root.querySelector('.sopap-legend');
  return tables.map((t, k) => {
    const top = k === 0 ? root.getBoundingClientRect().top : t.getBoundingClientRect().top;
    const end = k === tables.length - 1 && legend ? legend.getBoundingClientRect().bottom : t.getBoundingClientRect().bottom;
    return {height: end - top, steps: t.querySelectorAll('tr.sopap-row').length,
            connectors: t.querySelectorAll('tr.sopap-connector-row').length};
  });
}"""


def test_every_printed_table_page_fits_whatever_the_page_height(project):
    """The paginator plans with the heights the rows print at, connector rows included: swept over
    page heights, no planned page is taller than the page (a page a few pixels too tall prints its
    last row, or its off-page connector, on a page of its own)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with serve(project / "site") as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url + "sop/sop-cetak-060/", wait_until="load")
            page.emulate_media(media="print")
            checked = 0
            for page_h in range(420, 700, 7):
                chunks = page.evaluate(_CHUNK_HEIGHTS, page_h)
                assert all(c["steps"] for c in chunks), (page_h, chunks)
                over = [c for c in chunks if c["height"] > page_h]
                assert not over, (page_h, over)
                checked += sum(c["connectors"] for c in chunks)
            assert checked > 100  # the sweep did print pages with connectors
        finally:
            b.close()


def _tall_activity(i: int) -> str:
    if i == 5:  # a row far taller than a printed page
        return "K05 memeriksa berkas. " + " ".join(f"Rincian {k} dicatat dalam buku register unit." for k in range(70))
    return f"K{i:02d} kegiatan dikerjakan."


def test_a_step_taller_than_a_page_starts_under_its_connector_with_its_symbol(tmp_path):
    """A row taller than a page cannot stay whole. It starts on the page after the previous
    step's, right under the off-page connector (no page with only a header and a connector),
    and its symbol is drawn beside its first lines, not pushed onto a later page."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    root = tmp_path / "p"
    log = _build_portal(root, {"tinggi.md": make_sop(9, 3, seed=2, activity=_tall_activity, handover_every=0)})
    assert "SOP320" in log  # the author is told
    pdf = tmp_path / "tinggi.pdf"
    with serve(root / "site") as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url + "sop/sop-uji-001/", wait_until="load")
            page.evaluate("() => window.sopPrint.paginate()")
            page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
        finally:
            b.close()
    with pdfplumber.open(str(pdf)) as doc:
        pages = [_words(pg) for pg in doc.pages]
        lanes = {}  # the lanes' x range on each table page: around the actors' headings ("Pelaksana A" ...)
        for n, words in enumerate(pages):
            row = [w for w in words if w["text"] == "Kelengkapan"]
            heads = [w for w in words if row and w["text"] in "ABC" and abs(w["top"] - row[0]["top"]) < 15]
            if heads:
                lanes[n] = (min(w["x0"] for w in heads) - 60, max(w["x1"] for w in heads) + 60)
    on = {tok: [n for n, words in enumerate(pages) if any(w["text"] == tok for w in words)] for tok in ("K04", "K05")}
    assert on["K05"] == [on["K04"][0] + 1], on  # no page in between
    n = on["K05"][0]
    x0, x1 = lanes[n]
    k05 = next(w for w in pages[n] if w["text"] == "K05")
    # the diamond's number, in the lanes, level with the step's first line
    assert any(w["text"] == "5" and x0 < w["x0"] < x1 and abs(w["top"] - k05["top"]) < 40 for w in pages[n]), n
    for later in range(n + 1, len(pages)):
        assert not any(w["text"] == "5" and later in lanes and lanes[later][0] < w["x0"] < lanes[later][1]
                       for w in pages[later])
