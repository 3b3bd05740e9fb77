"""The diagnostics of reading a file (front matter, size, folder, internal errors) can be shown in
Indonesian: message and hint are catalogue messages, and the English is what it always was."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_plugin import guard, limits
from sop_plugin.corpus import load_corpus
from sop_plugin.i18n import msg
from sop_plugin.parsing import oversized, parse_sop

BODY = "\n## Prosedur\n\n1. Langkah\n   - pelaksana: A\n"


@pytest.mark.parametrize("front, code, indonesian", [
    ("judl: X\n", "SOP102", "kunci 'judl' tidak dikenal"),
    ("title: A\njudul: B\n", "SOP105", "'judul' mengulang 'title / judul'"),
    ("title: [a, b]\n", "SOP103", "'title' harus berupa teks, bukan daftar"),
    ("related: 3\n", "SOP103", "'related' harus berupa daftar, bukan angka"),
    ("related: [[1]]\n", "SOP103", "'butir related' harus berupa teks, bukan daftar"),
    ("created: kemarin\n", "SOP108", "'created' bukan tanggal yang sah: 'kemarin'"),
    ("created: 1800-01-01\n", "SOP112", "'created' berisi 1800-01-01, di luar rentang tahun 1900-2999"),
    ("version: 2.5\n", "SOP103", "'version' harus berupa bilangan bulat, bukan bilangan pecahan"),
    ("version: 2000000\n", "SOP112", "'version' paling besar 1.000.000, bukan 2000000"),
    ("version: -1\n", "SOP103", "'version' paling kecil 0, bukan -1"),
    ("status: selesai\n", "SOP107", "status bernilai 'selesai', yang bukan salah satu dari draft,"),
    ("confidential: 'ya'\n", "SOP115", "'confidential' harus bernilai true atau false, bukan 'ya'"),
    ("review: 3\n", "SOP103", "'review' harus berupa baris-baris 'kunci: nilai'"),
    ("approvals:\n  - peran: raja\n", "SOP109", "'role' bernilai 'raja', yang bukan salah satu dari maker,"),
    ("approvals: 1\n", "SOP103", "'approvals' harus berupa daftar catatan"),
    ("a: [\n", "SOP101", "front matter bukan YAML yang sah: "),
])
def test_front_matter_diagnostics_in_indonesian(front, code, indonesian):
    sop = parse_sop("x.md", "---\n" + front + "---\n" + BODY)
    found = [d for d in sop.diagnostics if d.code == code]
    assert found, [d.format() for d in sop.diagnostics]
    d = found[0]
    assert d.translatable
    assert d.in_lang("en") == d and d.in_lang("en").hint == d.hint
    assert indonesian in d.in_lang("id").message


def test_every_diagnostic_of_a_bad_front_matter_is_translatable():
    front = ("judl: X\ntitle: [a]\nversi: x\nstatus: 3\ntanggal_pembuatan: 2026-02-30\nrahasia: 1\n"
             "tim: [a]\nreviu:\n  interval_bulan: 0\npengesahan:\n  - peran: x\n    tanggal: 9999-01-01\n"
             "monev: 3\nunit: a\nunit: b\n")
    sop = parse_sop("x.md", "---\n" + front + "---\n" + BODY)
    mine = [d for d in sop.diagnostics if d.code.startswith("SOP1")]
    assert len(mine) >= 10
    assert all(d.translatable for d in mine), [d.format() for d in mine if not d.translatable]


def test_file_level_diagnostics():
    assert parse_sop("x.md", "no front matter").diagnostics[0].in_lang("id").message == (
        "berkas ini tidak memiliki front matter")
    unclosed = parse_sop("x.md", "---\nid: x\n").diagnostics[0].in_lang("id")
    assert (unclosed.message, unclosed.hint) == ("front matter tidak pernah ditutup",
                                                 "akhiri isian YAML dengan baris '---'")
    big = oversized("x.md", 2_500_000).diagnostics[0]
    assert big.message == "the file is 2.5 MB; an SOP file may be at most 1.0 MB"
    assert big.in_lang("id").message == "berkas ini berukuran 2,5 MB; ukuran berkas SOP paling besar 1,0 MB"


@pytest.mark.parametrize("n, en, id_", [
    (0, "0 bytes", "0 byte"), (999, "999 bytes", "999 byte"), (1_000, "1 KB", "1 KB"),
    (150_000, "150 KB", "150 KB"), (999_999, "1000 KB", "1000 KB"), (1_000_000, "1.0 MB", "1,0 MB"),
    (2_549_999, "2.5 MB", "2,5 MB"),
])
def test_sizes_in_decimal_units_with_each_language_s_decimal_sign(n, en, id_):
    assert (limits.size_msg(n).text("en"), limits.size_msg(n).text("id")) == (en, id_)


def test_unreadable_files_in_indonesian(tmp_path: Path):
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "bad.md").write_bytes(b"\xff\xfe---\n")
    corpus = load_corpus(sops, display_base=tmp_path)
    d = corpus.sops[0].diagnostics[0]
    assert d.message == "cannot read the file: the file is not UTF-8 text (invalid start byte at byte 0)"
    assert d.in_lang("id").message == (
        "berkas tidak dapat dibaca: berkas ini bukan teks UTF-8 (invalid start byte pada byte 0)")
    assert d.in_lang("id").hint == "simpan berkas sebagai teks UTF-8"


def _boom():
    raise ValueError("injected")


def test_internal_errors_in_indonesian():
    _, d = guard.guarded("x.md", 2, msg("diag.guard.stage_analysing"), _boom)
    assert d.code == "SOP900" and d.message == "internal error while analysing the procedure (ValueError: injected)"
    assert d.in_lang("id").message == "kesalahan internal saat menganalisis prosedur (ValueError: injected)"
    _, d = guard.guarded("x.md", 2, guard.directive_stage("sop-unit", "biro-umum"), _boom)
    assert d.message == "internal error while rendering '::: sop-unit biro-umum' (ValueError: injected)"
    assert d.in_lang("id").message == "kesalahan internal saat menampilkan '::: sop-unit biro-umum' (ValueError: injected)"
