"""The portal views, built as real MkDocs sites from a small corpus with known content.

The corpus (``CORPUS``) is designed so that every number below can be
checked by hand; "today" is pinned to 2027-01-15 with the default 30-day
review window.

=========  ==========  ======  =========================================================
SOP        status      unit    what it is there for
=========  ==========  ======  =========================================================
A-001      effective   umum    next review 2027-01-10: overdue (-5 d); hand-offs umum→keu, keu→umum
A-002      effective   keu     next review 2027-02-01: upcoming (17 d); never socialised;
                               hands over to A-001; related to A-001; keu→umum hand-off
A-003      effective   bpm     open Monev finding (2026-03-01 revise after the 2025-05-01 revision);
                               an older answered one; bpm→umum hand-off; review 2027-03-01 (not due)
A-004      draft       umum    only in preview builds ("Petugas Draf")
A-005      effective   umum    confidential: never in a public build ("Agen Rahasia")
A-006      retired     umum    superseded by A-001; its steps count for no role
A-007      approved    keu     takes effect 2027-03-01
rusak.md   (broken)            no front matter: must not break the portal
=========  ==========  ======  =========================================================
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

UNITS = """\
umum:
  name: Biro Umum
  duties: [Mengelola persediaan barang]
  authority: [Menyerahkan barang persediaan]
  roles: [Pemohon, Staf Gudang]
  demand: [Pemenuhan barang persediaan]
  enablers: [Aplikasi Gudang Terpadu]
keu:
  name: Biro Keuangan
  parent: umum
  roles: [Bendahara, Verifikator Keuangan]
bpm:
  name: Badan Penjaminan Mutu
  roles: [Auditor Mutu]
"""

APPROVALS = [
    {"role": "maker", "name": "Rina", "position": "Analis", "date": "2025-04-01"},
    {"role": "reviewer", "name": "Dewi", "position": "Kasubbag", "date": "2025-04-02"},
    {"role": "leader", "name": "Ahmad", "position": "Kepala Biro", "date": "2025-04-03"},
]


def sop(front: dict, steps: list[dict]) -> str:
    front = {"version": 1, "created": "2025-03-01", "approvals": APPROVALS,
             "simulations": [{"date": "2025-03-20", "participants": ["Tim"], "result": "pass"}], **front}
    lines = ["---", yaml.safe_dump(front, allow_unicode=True, sort_keys=False).strip(), "---", "",
             "## Tujuan", "", f"Tujuan {front['title']}.", "", "## Prosedur", ""]
    for i, st in enumerate(steps, start=1):
        lines.append(f"{i}. {st['activity']}")
        for key in ("actor", "inputs", "duration", "output", "decision", "sop", "next"):
            if key in st:
                if key == "decision":
                    q, branches = st[key]
                    lines.append(f"    - decision: {q}")
                    lines.extend(f"        - {b}" for b in branches)
                else:
                    lines.append(f"    - {key}: {st[key]}")
        lines.append("")
    return "\n".join(lines) + "\n"


CORPUS = {
    "umum/a001.md": sop(
        {"id": "SOP-A-001", "title": "Permintaan Barang Gudang", "unit": "umum", "status": "effective",
         "effective": "2026-01-10", "socialization": [{"date": "2026-01-20", "audience": ["umum"]}],
         "review": {"interval_months": 12}},
        [{"activity": "Mengisi formulir.", "actor": "Pemohon", "inputs": "Formulir Permintaan; Nota Dinas",
          "duration": "15 menit", "output": "Formulir terisi"},
         {"activity": "Memeriksa anggaran.", "actor": "Bendahara", "duration": "1-2 jam",
          "decision": ("Anggaran tersedia?", ["Ya (80%) -> 3", "Tidak -> selesai"])},
         {"activity": "Menyerahkan barang.", "actor": "Staf Gudang", "duration": "30 menit",
          "output": "Tanda Terima"}]),
    "keu/a002.md": sop(
        {"id": "SOP-A-002", "title": "Pencairan Dana Kegiatan", "unit": "keu", "status": "effective",
         "effective": "2026-02-01", "review": {"interval_months": 12}, "related": ["SOP-A-001"]},
        [{"activity": "Memverifikasi permintaan.", "actor": "Verifikator Keuangan",
          "inputs": "formulir   PERMINTAAN", "duration": "1 jam", "output": "SPM"},
         {"activity": "Mentransfer dana.", "actor": "Bendahara", "inputs": "SPM", "duration": "1 hari",
          "output": "Bukti Transfer", "sop": "SOP-A-001"},
         {"activity": "Menerima dana.", "actor": "Pemohon", "duration": "10 menit"}]),
    "bpm/a003.md": sop(
        {"id": "SOP-A-003", "title": "Audit Mutu Internal", "unit": "bpm", "status": "effective",
         "effective": "2025-06-01", "review": {"interval_months": 12},
         "socialization": [{"date": "2025-06-05", "audience": ["bpm"]}],
         "revisions": [{"version": 1, "date": "2025-05-01", "summary": "Awal"}],
         "monitoring": [{"date": "2025-04-01", "by": "Tim BPM", "finding": "Sudah dijawab", "recommendation": "revise"},
                        {"date": "2026-03-01", "by": "Tim BPM", "finding": "Langkah 2 terlalu lama",
                         "recommendation": "revise"}]},
        [{"activity": "Mengaudit gudang.", "actor": "Auditor Mutu", "duration": "2 jam", "output": "Laporan Audit"},
         {"activity": "Menindaklanjuti temuan.", "actor": "Staf Gudang", "inputs": "Laporan audit",
          "duration": "1 hari"}]),
    "umum/a004.md": sop(
        {"id": "SOP-A-004", "title": "Rancangan Peminjaman Kendaraan", "unit": "umum", "status": "draft"},
        [{"activity": "Mengajukan pinjaman.", "actor": "Petugas Draf", "inputs": "Dokumen Draf Khusus",
          "duration": "5 menit"}]),
    "umum/a005.md": sop(
        {"id": "SOP-A-005", "title": "Penanganan Sandi Negara", "unit": "umum", "status": "effective",
         "effective": "2026-12-01", "confidential": True,
         "socialization": [{"date": "2026-12-02", "audience": ["umum"]}]},
        [{"activity": "Menerima berkas.", "actor": "Agen Rahasia", "inputs": "Berkas Sandi Negara",
          "duration": "5 menit"},
         {"activity": "Membayar.", "actor": "Bendahara", "duration": "5 menit"}]),
    "umum/a006.md": sop(
        {"id": "SOP-A-006", "title": "Permintaan Barang Manual", "unit": "umum", "status": "retired",
         "effective": "2024-01-10", "superseded_by": "SOP-A-001"},
        [{"activity": "Mengisi buku.", "actor": "Pemohon", "inputs": "Buku Permintaan", "duration": "5 menit"},
         {"activity": "Memeriksa buku.", "actor": "Bendahara", "duration": "5 menit"}]),
    "keu/a007.md": sop(
        {"id": "SOP-A-007", "title": "Pembayaran Honor", "unit": "keu", "status": "approved",
         "effective": "2027-03-01"},
        [{"activity": "Membayar honor.", "actor": "Bendahara", "inputs": "Daftar Honor", "duration": "1 jam",
          "output": "SPM"}]),
    "umum/rusak.md": "ini bukan SOP: tidak ada front matter\n",
}

OVERRIDES = Path(__file__).resolve().parent.parent / "overrides"


def build_site(root: Path, *, include_drafts: bool = False, public: bool = False, lang: str = "id",
               corpus: dict[str, str] | None = None, units: str = UNITS, nav: list | None = None) -> Path:
    """Write corpus + docs + mkdocs.yml below ``root`` and build the site; returns the site dir."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    sops = root / "sops"
    for rel, text in (CORPUS if corpus is None else corpus).items():
        p = sops / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (sops / "units.yml").write_text(units, encoding="utf-8")
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("---\ntitle: Beranda\n---\n\n# Portal Uji\n\n::: sop-home\n", encoding="utf-8")
    (docs / "panduan.md").write_text("# Panduan\n\nTeks panduan.\n", encoding="utf-8")
    config = {
        "site_name": "Portal Uji",
        "docs_dir": "docs",
        "use_directory_urls": True,
        # the portal's theme overrides and search (Pagefind, built after the site), as in mkdocs.yml
        "theme": {"name": "material", "language": "id", "font": False, "custom_dir": str(OVERRIDES),
                  "features": ["navigation.instant", "navigation.tabs"]},
        "plugins": [{"sop": {"sops_dir": "sops", "lang": lang, "include_drafts": include_drafts, "public": public,
                             "today": "2027-01-15", "simulate": {"enabled": False},
                             "institution": {"name": "Universitas Uji"}}}],
        "markdown_extensions": ["attr_list", "tables", {"toc": {"permalink": True}}],
    }
    if nav is not None:
        config["nav"] = nav
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    site = root / "site"
    cfg = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    build(cfg)
    return site


@pytest.fixture(scope="module")
def prod(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("prod"))


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("public"), public=True)


@pytest.fixture(scope="module")
def preview_en(tmp_path_factory) -> Path:
    return build_site(tmp_path_factory.mktemp("preview"), include_drafts=True, lang="en")


# -- a tiny HTML reader ------------------------------------------------------------------


class Rows(HTMLParser):
    """Collects the attributes and text of every element matching a predicate."""

    def __init__(self, want):
        super().__init__()
        self.want = want
        self.found: list[dict] = []
        self._stack: list[tuple[str, dict | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rec = None
        if self.want(tag, a):
            rec = {"tag": tag, **a, "_text": ""}
            self.found.append(rec)
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._stack.append((tag, rec))

    def handle_endtag(self, tag):
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, rec in self._stack:
            if rec is not None:
                rec["_text"] += data


def find(html: str, want) -> list[dict]:
    p = Rows(want)
    p.feed(html)
    return p.found


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def section(html: str, css_class: str) -> str:
    """The HTML of the first table with ``css_class``."""
    m = re.search(r'<table class="[^"]*\b' + re.escape(css_class) + r'\b.*?</table>', html, re.S)
    assert m, f"no table .{css_class}"
    return m.group(0)


def site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                     if p.is_file() and p.suffix in (".html", ".json", ".xml", ".js", ".txt"))


# -- catalogue ----------------------------------------------------------------------------


def test_catalogue_lists_in_force_and_approved_and_retired_separately(prod):
    html = page(prod, "katalog")
    main = find(section(html, "sop-catalogue-table"), lambda t, a: t == "tr" and "data-id" in a)
    assert {r["data-id"]: r["data-status"] for r in main} == {
        "SOP-A-001": "effective", "SOP-A-002": "effective", "SOP-A-003": "effective",
        "SOP-A-005": "effective", "SOP-A-007": "approved"}
    retired = find(section(html, "sop-retired-table"), lambda t, a: t == "tr" and "data-id" in a)
    assert [r["data-id"] for r in retired] == ["SOP-A-006"]
    assert "SOP-A-001" in retired[0]["_text"]  # successor
    row = next(r for r in main if r["data-id"] == "SOP-A-001")
    assert "10 Januari 2026" in row["_text"] and "10 Januari 2027" in row["_text"]  # effective, next review
    assert "Biro Umum" in row["_text"]
    approved = next(r for r in main if r["data-id"] == "SOP-A-007")
    assert "berlaku mulai 1 Maret 2027" in approved["_text"]
    assert 'href="../sop/sop-a-001/"' in html
    assert "SOP-A-004" not in html


def test_catalogue_script_and_filters_are_shipped(prod):
    html = page(prod, "katalog")
    assert 'data-filter="unit"' in html and 'data-filter="status"' in html and 'data-filter="text"' in html
    units = find(html, lambda t, a: t == "option" and a.get("value") in ("umum", "keu", "bpm"))
    assert sorted(o["value"] for o in units) == ["bpm", "keu", "umum"]
    assert "assets/sop/sop-catalogue.js" in html
    assert (prod / "assets/sop/sop-catalogue.js").is_file()
    # a row names its actors and documents once, in data-actors and data-docs: the script adds them to
    # what the text filter searches (at 1,000 SOPs of 95 documents each, naming them twice in data-text
    # made the catalogue 3.8 MB)
    rows = find(html, lambda t, a: t == "tr" and "data-text" in a and "data-docs" in a)
    assert len(rows) == 5 and any("bukti transfer" in r["data-docs"] for r in rows)
    named = 0
    for r in rows:
        for name in json.loads(r["data-docs"]) + json.loads(r["data-actors"]):
            if name.lower() not in r["_text"].lower():  # not in the SOP's number, title or unit either
                assert name.lower() not in r["data-text"], (name, r["data-text"])
                named += 1
    assert named > 10


# -- home --------------------------------------------------------------------------------


def test_home_counts_and_due(prod):
    html = page(prod, "")
    status = dict(re.findall(r'<tr data-status="(\w+)">.*?<td class="sop-num">(\d+)</td>', html))
    assert status == {"effective": "4", "approved": "1", "retired": "1"}
    counts = {r["data-count"]: r["_text"] for r in find(html, lambda t, a: "data-count" in a)}
    assert counts == {"overdue": "1", "upcoming": "1", "not_socialised": "1", "findings": "1", "total": "6"}
    units = dict(re.findall(r'<tr data-unit="(\w+)">.*?<td class="sop-num">(\d+)</td>', html))
    assert units == {"umum": "3", "keu": "2", "bpm": "1"}
    assert 'action="katalog/"' in html and 'for="__search"' in html
    # what is new: the newest dated event first (A-005 took effect 2026-12-01)
    recent = re.findall(r'<time datetime="([\d-]+)">', html)
    assert recent == sorted(recent, reverse=True) and recent[0] == "2026-12-01"


# -- units ------------------------------------------------------------------------------------


def test_units_index_counts_handoffs(prod):
    html = page(prod, "unit")
    # hand-offs by hand: A-001 1->2 umum->keu, 2->3 keu->umum; A-002 2->3 keu->umum; A-003 1->2 bpm->umum;
    # A-005 1->2 umum->keu (Agen Rahasia is in no unit's roles: an actor of an SOP of umum works in umum,
    # the same rule as the SOP page's analysis)
    cells = {}
    for key in ("umum", "keu", "bpm"):
        m = re.search(r'<tr data-unit="' + key + r'">(.*?)</tr>', html, re.S)
        cells[key] = dict(re.findall(r'data-count="(\w+)">(\d+)<', m.group(1)))
    assert cells == {"umum": {"sops": "3", "out": "2", "in": "3"},
                     "keu": {"sops": "2", "out": "2", "in": "2"},
                     "bpm": {"sops": "1", "out": "1", "in": "0"}}
    source = re.search(r'<pre class="sop-mermaid-source"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert "flowchart LR" in source
    node = dict((name, n) for n, name in re.findall(r'(u\d+)\[&#34;(.*?)&#34;\]', source))
    edges = set(re.findall(r'(u\d+) --&gt;\|&#34;(\d+)&#34;\| (u\d+)', source))
    u, k, b = node["Biro Umum"], node["Biro Keuangan"], node["Badan Penjaminan Mutu"]
    assert edges == {(u, "2", k), (k, "2", u), (b, "1", u)}
    assert f'click {u} href' in source


def test_unit_page(prod):
    html = page(prod, "unit/umum")
    for text in ("Mengelola persediaan barang", "Menyerahkan barang persediaan", "Pemenuhan barang persediaan",
                 "Aplikasi Gudang Terpadu", "Staf Gudang"):
        assert text in html
    out = dict(re.findall(r'<tr data-unit="(\w+)">.*?data-count="handoffs">(\d+)<',
                          section(html, "sop-handoffs-out"), re.S))
    inc = dict(re.findall(r'<tr data-unit="(\w+)">.*?data-count="handoffs">(\d+)<',
                          section(html, "sop-handoffs-in"), re.S))
    assert out == {"keu": "2"} and inc == {"keu": "2", "bpm": "1"}
    sops = [r["data-id"] for r in find(html, lambda t, a: t == "li" and "data-id" in a)]
    assert sops == ["SOP-A-001", "SOP-A-005", "SOP-A-006"]
    assert 'href="../../sop/sop-a-001/#step-2"' in html


# -- roles and documents --------------------------------------------------------------------------


def test_role_page_lists_every_step_with_anchor(prod):
    html = page(prod, "peran/bendahara")
    tables = find(html, lambda t, a: t == "table" and "data-sop" in a)
    assert [t["data-sop"] for t in tables] == ["SOP-A-001", "SOP-A-002", "SOP-A-005", "SOP-A-007"]
    steps = re.findall(r'<table[^>]*data-sop="([\w-]+)".*?</table>', html, re.S)
    rows = [(sid, n) for sid, body in zip(steps, re.findall(r'<table[^>]*data-sop.*?</table>', html, re.S))
            for n in re.findall(r'<tr data-step="(\d+)">', body)]
    assert rows == [("SOP-A-001", "2"), ("SOP-A-002", "2"), ("SOP-A-005", "2"), ("SOP-A-007", "1")]
    assert 'href="../../sop/sop-a-002/#step-2"' in html
    assert "1 hari" in html and "SPM" in html and "Bukti Transfer" in html
    assert "SOP-A-006" not in html  # retired: nobody performs it any more
    roles = page(prod, "peran")
    counts = dict(re.findall(r'<tr data-role="([\w-]+)">.*?data-count="steps">(\d+)<', roles, re.S))
    assert counts["bendahara"] == "4" and counts["pemohon"] == "2" and counts["staf-gudang"] == "2"


def test_documents_grouped_case_insensitively(prod):
    html = page(prod, "dokumen")
    docs = {r["data-doc"]: r for r in find(html, lambda t, a: t == "tr" and "data-doc" in a)}
    assert set(docs) == {"formulir permintaan", "nota dinas", "formulir terisi", "tanda terima", "spm",
                         "bukti transfer", "laporan audit", "daftar honor", "berkas sandi negara"}
    row = re.search(r'data-doc="formulir permintaan">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'data-count="(\w+)" data-n="(\d+)"', row) == [("needed", "2"), ("produced", "0")]
    spm = re.search(r'data-doc="spm">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'data-count="(\w+)" data-n="(\d+)"', spm) == [("needed", "1"), ("produced", "2")]
    assert "sop-a-002/#step-1" in spm and "sop-a-007/#step-1" in spm


# -- relations and Monev -----------------------------------------------------------------------------


def test_relations(prod):
    html = page(prod, "relasi")
    rels = {(r["data-kind"], r["data-from"], r["data-to"])
            for r in find(html, lambda t, a: t == "tr" and "data-kind" in a)}
    assert rels == {("handover", "SOP-A-002", "SOP-A-001"), ("related", "SOP-A-002", "SOP-A-001"),
                    ("superseded_by", "SOP-A-006", "SOP-A-001")}
    source = re.search(r'<pre class="sop-mermaid-source"[^>]*>(.*?)</pre>', html, re.S).group(1)
    assert source.count("click n") == 3 and "-.-&gt;" in source


def test_monev_dashboard(prod):
    html = page(prod, "monev")
    def ids(cls):
        return [(r["data-id"], r.get("data-days")) for r in
                find(section(html, cls), lambda t, a: t == "tr" and "data-id" in a)]
    assert ids("sop-due-overdue") == [("SOP-A-001", "-5")]
    assert ids("sop-due-upcoming") == [("SOP-A-002", "17")]
    assert [i for i, _ in ids("sop-due-not_socialised")] == ["SOP-A-002"]
    findings = find(section(html, "sop-findings"), lambda t, a: t == "tr" and "data-id" in a)
    assert [(f["data-id"]) for f in findings] == ["SOP-A-003"]
    assert "Langkah 2 terlalu lama" in html and "Sudah dijawab" not in html
    problems = section(html, "sop-problems-table")
    assert "umum/rusak.md:1" in problems  # the broken file is reported with file:line and code
    assert re.search(r'data-code="SOP\d+"', problems)


# -- navigation ----------------------------------------------------------------------------------------


def test_navigation_groups(prod):
    html = page(prod, "")
    tabs = re.search(r'<nav class="md-tabs".*?</nav>', html, re.S).group(0)
    titles = [re.sub(r"\s+", " ", t).strip() for t in re.findall(r'class="md-tabs__link[^"]*">(.*?)</a>', tabs, re.S)]
    assert titles == ["Beranda", "Katalog SOP", "Unit kerja", "Peran", "Dokumen", "Relasi SOP", "Monev", "Panduan"]
    nav = html[html.index("md-nav--primary"):html.index('class="md-content"')]
    assert 'href="unit/umum/"' in nav and 'href="unit/bpm/"' in nav
    assert "sop/sop-a-001/" not in nav and "peran/bendahara/" not in nav


# -- production, public, preview, language ------------------------------------------------------------------


def test_production_build_has_no_draft(prod):
    assert not (prod / "sop/sop-a-004").exists()
    # the views that would list a draft were built and list the published SOPs (a crashed view lists nothing)
    assert "SOP-A-001" in page(prod, "katalog") and "Pemohon" in page(prod, "peran")
    assert "Formulir Permintaan" in page(prod, "dokumen")
    text = site_text(prod)
    assert "sop-banner-problems" not in "".join(page(prod, p) for p in ("katalog", "peran", "dokumen", "unit"))
    for secret in ("SOP-A-004", "Petugas Draf", "Dokumen Draf Khusus", "Rancangan Peminjaman"):
        assert secret not in text, secret
    assert (prod / "sop/sop-a-005/index.html").is_file()  # confidential SOPs are in internal builds


def test_public_build_has_no_confidential_sop_anywhere(public):
    assert not (public / "sop/sop-a-005").exists()
    text = site_text(public)
    for secret in ("SOP-A-005", "Agen Rahasia", "Berkas Sandi Negara", "Penanganan Sandi Negara", "sop-a-005"):
        assert secret not in text, secret
    assert "SOP-A-001" in text  # the rest is there
    html = page(public, "")
    status = dict(re.findall(r'<tr data-status="(\w+)">.*?<td class="sop-num">(\d+)</td>', html))
    assert status["effective"] == "3"


def test_search_index_contains_sop_texts(prod, public):
    from test_search import fragments

    pages = {f["url"]: f for f in fragments(prod)}
    a002 = pages["/sop/sop-a-002/"]
    text = a002["meta"]["title"] + " " + a002["content"]
    for needle in ("SOP-A-002", "Pencairan Dana Kegiatan", "Verifikator Keuangan", "Bukti Transfer"):
        assert needle in text, needle
    assert not any(u.startswith("/sop/sop-a-004/") for u in pages)
    pub = fragments(public)
    assert not any("sop-a-005" in f["url"] or "Agen Rahasia" in f["content"] for f in pub)


def test_preview_build_in_english(preview_en, prod):
    assert (preview_en / "sop/sop-a-004/index.html").is_file()
    html = page(preview_en, "katalog")
    main = find(section(html, "sop-catalogue-table"), lambda t, a: t == "tr" and "data-id" in a)
    assert {r["data-id"]: r["data-status"] for r in main}["SOP-A-004"] == "draft"
    assert "SOPs in force and drafts" in html and "Preview build" in html
    assert "What is new" in page(preview_en, "") and "Terbaru" not in page(preview_en, "")
    assert "Terbaru" in page(prod, "") and "What is new" not in page(prod, "")
    assert "Reviews overdue" in page(preview_en, "monev")
    assert "Draf Khusus" in page(preview_en, "dokumen")


def test_an_sop_with_many_problems_still_has_one_title(tmp_path):
    """The head of an SOP page (its <h1>) holds the problems banner; with many findings it is large,
    and a large fragment waits on disk until the page is written.  The title must not: the theme
    adds a second <h1> to a page in which it finds none."""
    steps = [{"activity": f"Langkah {i}.", "actor": "Staf Gudang", "duration": f"sebentar {i}"} for i in range(1, 13)]
    corpus = {**CORPUS, "umum/a009.md": sop({"id": "SOP-A-009", "title": "Penyimpanan Arsip", "unit": "umum",
                                             "status": "effective", "effective": "2026-01-05",
                                             "socialization": [{"date": "2026-01-06", "audience": ["umum"]}]},
                                            steps)}
    site = build_site(tmp_path, corpus=corpus)
    html = page(site, "sop/sop-a-009")
    head = html[html.index('<div class="sop-head'):html.index('data-sop-print-frame')]
    assert len(head) > 2048 and head.count("SOP305") >= 12  # the check is not idle: a large head
    titles = {rel.parent.relative_to(site).as_posix(): rel.read_text(encoding="utf-8").count("<h1")
              for rel in site.rglob("index.html") if "assets" not in rel.parts}
    assert titles["sop/sop-a-009"] == 1
    assert {rel: n for rel, n in titles.items() if n != 1} == {}


def test_one_broken_view_does_not_blank_the_portal(tmp_path):
    """A corpus with only broken files and odd names still builds every view."""
    corpus = {"x/rusak.md": "---\n: [\n---\n", "x/b.md": sop(
        {"id": "SOP-B-001", "title": "<script>alert(1)</script>", "unit": "tidak-ada", "status": "effective",
         "effective": "2026-01-01"},
        [{"activity": "Langkah <b>tebal</b>.", "actor": "Orang \"Aneh\" <x>", "inputs": "<img src=x onerror=alert(1)>",
          "duration": "abc"}])}
    site = build_site(tmp_path, corpus=corpus, units="{}\n")
    for path in ("", "katalog", "unit", "peran", "dokumen", "relasi", "monev"):
        html = page(site, path)
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "sop-banner-problems\">Tampilan" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page(site, "katalog")


def test_explicit_nav_keeps_the_authors_order_and_expands_units(tmp_path):
    site = build_site(tmp_path, nav=[{"Mulai": "index.md"}, {"Panduan": "panduan.md"}, {"Daftar": "katalog.md"},
                                     {"Unit": "unit/index.md"}])
    html = page(site, "")
    tabs = re.search(r'<nav class="md-tabs".*?</nav>', html, re.S).group(0)
    titles = [re.sub(r"\s+", " ", t).strip() for t in re.findall(r'class="md-tabs__link[^"]*">(.*?)</a>', tabs, re.S)]
    assert titles == ["Mulai", "Panduan", "Daftar", "Unit"]
    nav = html[html.index("md-nav--primary"):html.index('class="md-content"')]
    assert 'href="unit/keu/"' in nav and "monev/" not in nav


def test_documents_and_role_listings_are_split_into_pages(tmp_path, monkeypatch):
    """Big listings are paginated (weight: no page but the catalogue passes ~500 kB at 1,000 SOPs)."""
    from sop_plugin.render.portal import views

    monkeypatch.setattr(views, "DOCUMENT_REFS_PER_PAGE", 4)
    monkeypatch.setattr(views, "ROLE_STEPS_PER_PAGE", 1)
    site = build_site(tmp_path)
    docs, n = [], 1
    while (site / ("dokumen" if n == 1 else f"dokumen/{n}") / "index.html").is_file():
        html = page(site, "dokumen" if n == 1 else f"dokumen/{n}")
        assert 'class="sop-pager"' in html and 'aria-current="page"' in html
        docs += re.findall(r'<tr id="doc-[^"]*" data-doc="([^"]*)"', html)
        n += 1
    assert n > 3, "the documents listing is split"
    assert len(docs) == len(set(docs)) and {"spm", "bukti transfer", "formulir permintaan"} <= set(docs)
    first = page(site, "peran/bendahara")
    second = page(site, "peran/bendahara/2")
    assert 'href="2/"' in first and "(halaman 2)" in second
    # each pager link names the first and last SOP of its page
    assert 'title="SOP-A-001 – SOP-A-001">1<' in first and 'title="SOP-A-002 – SOP-A-002">2<' in first
    groups = re.findall(r'<table class="[^"]*\bsop-role-steps" data-sop="([^"]+)"', first + second)
    assert groups == ["SOP-A-001", "SOP-A-002"], groups


def test_monev_problem_list_is_capped_and_says_how_many_more(tmp_path):
    """Thousands of SOPs must not make the dashboard megabytes long: the list stops, the count stays."""
    from sop_plugin.corpus import load_corpus
    from sop_plugin.model import Diagnostic, Severity
    from sop_plugin.pipeline import Portal
    from sop_plugin.render.blocks import directives
    from sop_plugin.render.context import RenderContext
    from sop_plugin.render.portal.views import MONEV_PROBLEMS
    from sop_plugin.settings import Settings

    root = tmp_path / "sops"
    for rel, text in CORPUS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "units.yml").write_text(UNITS, encoding="utf-8")
    portal = Portal.of(load_corpus(root, Settings()))
    path = portal.published["SOP-A-001"].path
    extra = MONEV_PROBLEMS + 37
    portal.diagnostics.extend(Diagnostic(path, n, "SOP999", Severity.WARNING, f"temuan {n}") for n in range(extra))
    from sop_plugin.render.portal.data import visible_diagnostics

    ctx = RenderContext.of(portal)
    total = len(visible_diagnostics(ctx)[0])
    html = directives()["sop-monev"]("", ctx)
    assert html.count('<tr class="sop-problem-') == MONEV_PROBLEMS
    more = int(re.search(r'data-more="(\d+)"', html).group(1))
    assert more == total - MONEV_PROBLEMS >= 37 and "jalankan" in html


def test_a_step_with_two_outputs_produces_two_documents():
    """``output: HPS; Rancangan kontrak`` (as the guide writes it) produces HPS and the draft contract,
    so the step that later needs HPS is linked to the one that made it."""
    from sop_plugin.model import Corpus
    from sop_plugin.parsing import parse_sop
    from sop_plugin.render.portal.data import actors_and_documents, build_index

    sop = parse_sop("a.md", "---\nid: SOP-X-001\ntitle: Pengadaan\nstatus: effective\n---\n## Prosedur\n\n"
                    "1. Menyusun HPS dan rancangan kontrak.\n    - pelaksana: PPK\n"
                    "    - output: HPS; Rancangan kontrak\n\n"
                    "2. Memilih penyedia.\n    - pelaksana: Pokja\n    - kelengkapan: HPS\n")
    docs = {d.key: d for d in build_index(Corpus(root=".", sops=[sop]), [sop]).documents}
    assert set(docs) == {"hps", "rancangan kontrak"}
    assert [r.step.number for r in docs["hps"].produced_by] == [1]
    assert [r.step.number for r in docs["hps"].needed_by] == [2]
    assert set(actors_and_documents(sop)[1]) == {"hps", "rancangan kontrak"}
