"""``sop export ID --docx``: the Word document is opened with python-docx and compared with the SOP."""

from __future__ import annotations

import struct

import docx
import pytest
from docx.shared import Cm

from conftest import TODAY, VALID_SOP, mutate, write_tree
from test_checks import LEADER_BLOCK
from sop_plugin.cli import main
from sop_plugin.cli.export_pdf import find_chromium
from sop_plugin.docx_export import build_document
from sop_plugin.pipeline import build
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import Settings

ACTORS = ["Pemohon", "Staf Gudang", "Bendahara", "Pejabat Pengadaan"]


def long_sop(n: int) -> str:
    """VALID_SOP with ``n`` linear steps (varied actors, inputs, durations, outputs, some Markdown)."""
    head, _, _ = VALID_SOP.partition("## Prosedur")
    steps = []
    for k in range(1, n + 1):
        lines = [f"{k}. Kegiatan **nomor {k}** memeriksa berkas <b>&</b> mencatat hasil.",
                 f"    - pelaksana: {ACTORS[k % len(ACTORS)]}"]
        if k % 3:
            lines.append(f"    - kelengkapan: Berkas {k}; Lampiran {k}")
        lines.append(f"    - waktu: {k} menit")
        lines.append(f"    - output: Catatan hasil {k}")
        if k % 5 == 0:
            lines.append(f"    - keterangan: Catatan langkah {k}")
        steps.append("\n".join(lines))
    return head + "## Prosedur\n\n" + "\n\n".join(steps) + "\n"


def procedure_table(document) -> list[list[str]]:
    table = next(t for t in document.tables if len(t.columns) == 7)
    return [[c.text for c in row.cells] for row in table.rows]


def expected_rows(sop) -> list[list[str]]:
    return [[str(s.number), s.activity.replace("**", ""), s.actor or "", "; ".join(s.inputs),
             s.duration_text or "", s.output or ""] for s in sop.procedure.steps]


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium to render the flowchart")
def test_export_docx_tables_match_the_sop_and_flowchart_is_high_resolution(tmp_path, capsys, monkeypatch):
    root = write_tree(tmp_path / "sops", {"biro-umum/panjang.md": long_sop(22)})
    monkeypatch.chdir(tmp_path)  # not the bundled portal's mkdocs.yml (it requires verified signatures)
    out = tmp_path / "out" / "sop.docx"
    assert main(["export", "SOP-UMUM-004", "--sops", str(root), "--docx", str(out), "--today", str(TODAY)]) == 0
    assert f"{out} ditulis" in capsys.readouterr().err  # the site's language, Indonesian by default
    sop = build(Settings(today=TODAY), tmp_path, root=root).published["SOP-UMUM-004"]
    d = docx.Document(str(out))

    section = d.sections[0]
    assert section.page_width > section.page_height
    assert abs(section.page_width - Cm(29.7)) < Cm(0.05) and abs(section.page_height - Cm(21)) < Cm(0.05)

    rows = procedure_table(d)
    assert rows[0][:3] == ["No", "Kegiatan", "Pelaksana"] and rows[0][3:6] == ["Mutu Baku"] * 3
    assert rows[1][3:6] == ["Kelengkapan", "Waktu", "Output"] and rows[0][6] == "Keterangan"
    body = rows[2:]
    assert [r[:6] for r in body] == expected_rows(sop)
    assert len(body) == 22 and body[4][6] == "Catatan langkah 5"
    assert body[0][1] == "Kegiatan nomor 1 memeriksa berkas <b>&</b> mencatat hasil."  # text, not markup

    identity = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert identity["Nomor SOP"] == "SOP-UMUM-004" and identity["Nama SOP"] == "Permintaan Barang Persediaan"
    assert identity["Tanggal Efektif"] == "1 April 2026" and identity["Versi"] == "2"
    assert "Prof. Ahmad Fauzi" in identity["Disahkan oleh"]

    approvals = next(t for t in d.tables if len(t.columns) == 3)
    assert [c.text for c in approvals.rows[0].cells] == ["Disusun oleh", "Diperiksa oleh", "Disahkan oleh"]
    assert [c.text for c in approvals.rows[3].cells] == ["Rina Lestari", "Dewi Anggraini", "Prof. Ahmad Fauzi"]
    sign = approvals.rows[2]
    assert all(c.text == "" for c in sign.cells) and sign.height >= Cm(3)  # room for wet signatures

    images = [r.target_part.blob for r in d.part.rels.values() if "image" in r.reltype]
    assert len(images) >= 2  # 22 steps do not fit one A4 landscape page
    for png in images:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width >= 3000 and height > 300  # 1040 CSS px at 3 device px each
    shapes = d.inline_shapes
    assert all(s.width <= section.page_width - section.left_margin - section.right_margin for s in shapes)


def test_docx_labels_follow_the_page_language_and_decisions_go_to_notes(tmp_path):
    text = mutate(VALID_SOP, "1. Mengisi formulir permintaan barang.", "1. Mengisi *formulir* permintaan barang.")
    root = write_tree(tmp_path / "sops", {"biro-umum/a.md": text})
    portal = build(Settings(today=TODAY, lang="en", audit_git=False), tmp_path, root=root)
    sop = portal.published["SOP-UMUM-004"]
    d = build_document(sop, RenderContext.of(portal))
    rows = procedure_table(d)
    assert rows[0] == ["No", "Activity", "Actors", "Quality standard", "Quality standard", "Quality standard", "Notes"]
    assert rows[1][3:6] == ["Inputs", "Time", "Output"]
    assert rows[2][:6] == ["1", "Mengisi formulir permintaan barang.", "Pemohon",
                           "Formulir permintaan barang; Nota dinas unit", "15 menit", "Formulir permintaan terisi"]
    assert rows[3][6].split("\n") == ["Anggaran tersedia?", "Ya → to step 3", "Tidak → end"]
    assert rows[4][6] == "Gunakan format baku"
    labels = [r.cells[0].text for r in d.tables[0].rows]
    assert "SOP number" in labels and "Nomor SOP" not in labels
    approvals = next(t for t in d.tables if len(t.columns) == 3)
    assert approvals.rows[0].cells[0].text == "Prepared by"
    assert not d.inline_shapes  # no flowchart given: no picture


def test_docx_of_a_draft_without_a_leader_leaves_the_name_to_be_written_in(tmp_path):
    """A draft is exported to Word to be edited and signed; its missing approvals are blanks."""
    text = mutate(mutate(VALID_SOP, LEADER_BLOCK, ""), "status: effective", "status: draft")
    root = write_tree(tmp_path / "sops", {"biro-umum/a.md": text})
    portal = build(Settings(today=TODAY, audit_git=False, include_drafts=True), tmp_path, root=root)
    d = build_document(portal.published["SOP-UMUM-004"], RenderContext.of(portal))
    approvals = next(t for t in d.tables if len(t.columns) == 3)
    names = [c.text for c in approvals.rows[3].cells]
    assert names[:2] == ["Rina Lestari", "Dewi Anggraini"] and names[2].startswith("(....")

