"""``sop new``: numbering, team and roles from units.yml, lint-clean drafts, and ``--from`` new versions."""

from __future__ import annotations

import pytest

from conftest import TODAY, VALID_SOP, VALID_UNITS, lint, mutate
from sop_plugin.cli import main
from sop_plugin.corpus import load_corpus
from sop_plugin.model import Severity, Status
from sop_plugin.parsing import parse_sop
from sop_plugin.parsing.units import parse_units
from sop_plugin.signing import content_parts

UNITS = VALID_UNITS + """\
  penomoran: KEU/SOP/{n:02}
  tim:
    penulis: Nur Aini, S.E.
    pengawas: Drs. Bambang Sutrisno
rektorat:
  name: Rektorat
  roles: [Rektor]
"""


def new(root, *args):
    return main(["new", "--dir", str(root), "--today", TODAY.isoformat(), *args])


def problems(root, path):
    return [d for d in lint(root) if d.file.endswith(path.name) and d.severity is not Severity.INFO]


@pytest.fixture
def root(sop_tree):
    other = VALID_SOP.replace("nomor: SOP-UMUM-004", "nomor: SOP-UMUM-011")
    return sop_tree({"biro-umum/a.md": VALID_SOP, "biro-umum/b.md": other}, units=UNITS)


def test_new_sop_takes_the_next_number_of_the_unit_and_lints_clean(root, capsys):
    assert new(root, "--unit", "biro-umum", "--title", "Pengelolaan Arsip Dinamis") == 0
    path = root / "biro-umum" / "pengelolaan-arsip-dinamis.md"
    assert "SOP-UMUM-012" in capsys.readouterr().out
    sop = parse_sop(str(path), path.read_text(encoding="utf-8"))
    assert (sop.id, sop.title, sop.unit, sop.version, sop.status) == (
        "SOP-UMUM-012", "Pengelolaan Arsip Dinamis", "biro-umum", 1, Status.DRAFT)
    assert sop.created == TODAY and sop.revisions[0].version == 1
    # every section of the format, and steps whose actors are the unit's roles
    assert [s.heading for s in sop.sections][:3] == ["Tujuan", "Ruang Lingkup", "Definisi"]
    assert sop.procedure is not None and len(sop.steps) == 2
    assert {s.actor for s in sop.steps} <= {"Pemohon", "Staf Gudang", "Bendahara", "Pejabat Pengadaan"}
    assert "# Pelaksana di unit ini: Pemohon, Staf Gudang, Bendahara, Pejabat Pengadaan" in path.read_text(
        encoding="utf-8")
    assert problems(root, path) == []
    # a second one takes the number after it
    assert new(root, "--unit", "biro-umum", "--title", "Pengelolaan Arsip Dinamis") == 0
    second = root / "biro-umum" / "pengelolaan-arsip-dinamis-2.md"
    assert parse_sop(str(second), second.read_text(encoding="utf-8")).id == "SOP-UMUM-013"
    assert problems(root, second) == []


def test_numbering_pattern_and_default_team_from_units_yml(root):
    assert new(root, "--unit", "keuangan", "--title", "Verifikasi SPJ Perjalanan Dinas") == 0
    path = root / "keuangan" / "verifikasi-spj-perjalanan-dinas.md"
    sop = parse_sop(str(path), path.read_text(encoding="utf-8"))
    assert sop.id == "KEU/SOP/01"
    assert (sop.team.writer, sop.team.supervisor, sop.team.field_executor) == (
        "Nur Aini, S.E.", "Drs. Bambang Sutrisno", None)
    assert {s.actor for s in sop.steps} == {"Verifikator Keuangan"}
    assert problems(root, path) == []


def test_unit_without_numbering_or_sops_gets_a_default_pattern(root):
    assert new(root, "--unit", "rektorat", "--title", "Penetapan Kebijakan Mutu", "-o",
               str(root / "rektorat" / "kebijakan.md")) == 0
    path = root / "rektorat" / "kebijakan.md"
    assert parse_sop(str(path), path.read_text(encoding="utf-8")).id == "SOP-REKTORAT-001"
    assert problems(root, path) == []


def test_title_with_yaml_and_markdown_characters_is_quoted(root):
    title = 'Peminjaman "Aula": #1 & <b>lainnya</b>'
    assert new(root, "--unit", "biro-umum", "--title", title) == 0
    path = next((root / "biro-umum").glob("peminjaman-aula*.md"))
    assert parse_sop(str(path), path.read_text(encoding="utf-8")).title == title
    assert problems(root, path) == []


def test_usage_errors(root, capsys):
    for args in (["--unit", "tidak-ada", "--title", "X"], ["--unit", "biro-umum"],
                 ["--unit", "biro-umum", "--title", "X", "--id", "SOP-UMUM-004"],
                 ["--from", "SOP-TIDAK-ADA"]):
        with pytest.raises(SystemExit) as exc:
            new(root, *args)
        assert exc.value.code == 2
    assert "known units: biro-umum, keuangan, rektorat" in capsys.readouterr().err


def test_from_starts_the_next_version(root, capsys):
    path = root / "biro-umum" / "a.md"
    before = parse_sop(str(path), path.read_text(encoding="utf-8"))
    assert new(root, "--from", "SOP-UMUM-004", "--summary", "Menambah verifikasi anggaran oleh Bendahara") == 0
    text = path.read_text(encoding="utf-8")
    sop = parse_sop(str(path), text)
    assert (sop.version, sop.status, sop.approvals, sop.effective, sop.revised) == (3, Status.DRAFT, [], None, TODAY)
    assert [(r.version, r.summary) for r in sop.revisions] == [
        (2, "Menambah pemeriksaan anggaran"), (3, "Menambah verifikasi anggaran oleh Bendahara")]
    assert "pengesahan" not in text and "tanggal_efektif" not in text and "&id" not in text
    # everything else is kept: content, simulations, socialisation, Indonesian keys
    a, b = content_parts(before), content_parts(sop)
    assert (a.steps, a.sections) == (b.steps, b.sections)
    assert sop.simulations and sop.socialization and "riwayat_revisi:" in text
    assert problems(root, path) == []
    # a draft can be re-versioned too (with a note that version 3 was never approved)
    capsys.readouterr()
    assert new(root, "--from", "SOP-UMUM-004", "--lang", "en") == 0
    assert "version 3 is still a draft" in capsys.readouterr().err
    sop = parse_sop(str(path), path.read_text(encoding="utf-8"))
    assert sop.version == 4 and [r.version for r in sop.revisions] == [2, 3, 4]
    assert problems(root, path) == []


def test_bad_numbering_and_team_in_units_yml_are_reported():
    units, diags = parse_units("a:\n  name: A\n  numbering: SOP-A\n  team: [x]\n"
                               "b:\n  name: B\n  penomoran: SOP-B-{nomor:03}\n  tim: {penulis: Ani, ketua: Budi}\n",
                               "units.yml")
    assert [d.code for d in diags] == ["SOP206"] * 3
    assert "one '{n}'" in diags[0].message and "'team' must map" in diags[1].message
    assert "unknown team key 'ketua'" in diags[2].message
    assert units["b"].numbering == "SOP-B-{nomor:03}" and units["b"].team.writer == "Ani"


def test_sample_corpus_units_still_load():
    corpus = load_corpus("sops")
    assert corpus.diagnostics == []


def test_from_follows_the_spelling_of_the_previous_revision_entry(sop_tree):
    text = VALID_SOP.replace("  - {versi: 2, tanggal: 2026-03-02, ringkasan: Menambah pemeriksaan anggaran}",
                             "  - version: 2\n    date: 2026-03-02\n    summary: Menambah pemeriksaan anggaran")
    root = sop_tree({"biro-umum/a.md": text})
    assert new(root, "--from", "SOP-UMUM-004") == 0
    after = (root / "biro-umum" / "a.md").read_text(encoding="utf-8")
    assert "  - version: 3\n    date: 2026-06-01\n    summary: Uraikan perubahan pada versi ini\n" in after
    assert "status: draf\n" in after


def test_runs_inside_the_sop_folder_without_dir(root, monkeypatch):
    monkeypatch.chdir(root)
    assert main(["new", "--unit", "biro-umum", "--title", "Penerimaan Tamu Dinas", "--today", "2026-06-01"]) == 0
    assert (root / "biro-umum" / "penerimaan-tamu-dinas.md").is_file()


def test_a_refusal_is_in_the_site_language_indonesian_by_default(root, capsys):
    path = root / "biro-umum" / "a.md"
    path.write_text(mutate(VALID_SOP, "    - waktu: 30 menit", "    - wkatu: 30 menit"), encoding="utf-8")
    before = path.read_bytes()
    capsys.readouterr()
    assert new(root, "--from", "SOP-UMUM-004") == 1
    err = capsys.readouterr().err.splitlines()
    assert "SOP303" in err[0] and "isian 'wkatu' tidak dikenal" in err[0]
    assert err[-1].startswith("sop new: ditolak: versi 3 tidak akan lolos 'sop lint' tanpa temuan; ")
    assert err[-1].endswith("a.md tidak diubah")
    assert new(root, "--from", "SOP-UMUM-004", "--lang", "en") == 1
    err = capsys.readouterr().err.splitlines()
    assert "unknown field 'wkatu'" in err[0] and err[-1].startswith("sop new: refused: version 3 would not lint clean; ")
    assert path.read_bytes() == before
    # what it writes, in the same language
    assert new(root, "--unit", "biro-umum", "--title", "Penerimaan Tamu") == 0
    assert capsys.readouterr().out.endswith(": SOP-UMUM-012 Penerimaan Tamu (draf, versi 1)\n")
