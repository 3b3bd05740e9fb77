"""Printable Monev forms: generated pages, the directive and the footer link."""

from __future__ import annotations

from conftest import VALID_SOP, VALID_UNITS, mutate, write_tree
from sop_plugin.corpus import load_corpus
from sop_plugin.render import forms
from sop_plugin.render.blocks import directives, page_generators
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import Settings


def _ctx(tmp_path, files):
    root = write_tree(tmp_path / "sops", files, units=VALID_UNITS)
    return RenderContext.of(Portal.of(load_corpus(root, Settings())))


def test_one_forms_page_per_sop_with_an_id(tmp_path):
    no_id = VALID_SOP.replace("nomor: SOP-UMUM-004\n", "")
    ctx = _ctx(tmp_path, {"a.md": VALID_SOP, "b.md": no_id})
    pages = page_generators()["monev-forms"](ctx)
    assert [p.src_path for p in pages] == ["sop/sop-umum-004-monev.md"]
    page = pages[0]
    assert page.nav is None
    assert "::: sop-monev-form sop-umum-004" in page.content.splitlines()  # the safe key, not the id text
    assert page.content.splitlines()[:2] == ["---", f"title: {page.title}"]
    assert "exclude: true" in page.content  # printable forms stay out of the search index


def test_monitoring_and_evaluation_forms(tmp_path):
    ctx = _ctx(tmp_path, {"a.md": VALID_SOP})
    html = directives()["sop-monev-form"]("SOP-UMUM-004", ctx)
    sop = ctx.corpus.get("SOP-UMUM-004")
    assert "Formulir Monitoring" in html and "Formulir Evaluasi" in html
    assert html.count("<tr data-step=") == len(sop.steps)
    for s in sop.steps:
        assert s.activity.rstrip(".") in html and s.actor in html
    assert "Dilaksanakan sesuai SOP?" in html and "Tindakan Korektif" in html
    assert html.count("<tr data-question=") == 7
    for q in ("Mampu mendorong peningkatan kinerja?", "Mudah dipahami?", "Mudah dilaksanakan?",
              "Sinergi satu dengan lainnya?"):
        assert q in html
    assert "Catatan / Rekomendasi" in html and "Evaluator (Tim BPM)" in html
    ctx.lang = "en"
    assert "Is it easy to understand?" in directives()["sop-monev-form"]("SOP-UMUM-004", ctx)


def test_unknown_id_and_escaping(tmp_path):
    evil = mutate(VALID_SOP, "1. Mengisi formulir permintaan barang.", "1. Mengisi <script>alert(1)</script> formulir.")
    ctx = _ctx(tmp_path, {"a.md": evil})
    assert "tidak ditemukan" in directives()["sop-monev-form"]("SOP-NOPE-001", ctx)
    assert "<script" not in directives()["sop-monev-form"]("<script>", ctx)
    html = directives()["sop-monev-form"]("SOP-UMUM-004", ctx)
    assert "<script" not in html and "&lt;script&gt;" in html


def test_footer_link_to_the_forms_page(tmp_path):
    ctx = _ctx(tmp_path, {"a.md": VALID_SOP})
    ctx.links.current = "sop/sop-umum-004/"
    sop = ctx.corpus.get("SOP-UMUM-004")
    html = forms.monev_link(sop, ctx)
    assert 'href="../sop-umum-004-monev/"' in html and "Formulir Monev" in html
