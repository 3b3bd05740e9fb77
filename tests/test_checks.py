"""One failing fixture per validator rule: the code, its severity and the exact line.

Each case mutates the valid fixture (see conftest) in one place and asserts
the complete list of findings (file, line, code, severity), apart from the
fixture's "not bound to the content" warnings (SOP406), which are tested
on their own.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import TODAY, VALID_LINES, VALID_SOP, VALID_UNITS, line_of, lint, mutate
from sop_plugin import codes
from sop_plugin.model import Severity

E, W, I = "error", "warning", "info"
FILE = "biro-umum/a.md"

LEADER_BLOCK = "  - peran: pimpinan\n    nama: Prof. Ahmad Fauzi\n    jabatan: Kepala Biro Umum\n    tanggal: 2026-03-10\n"
BODY_START = VALID_SOP.index("## Prosedur")


def findings(diags, *, keep_unsigned: bool = False) -> list[tuple[str, int, str, str]]:
    return [(d.file, d.line, d.code, d.severity.value) for d in diags if keep_unsigned or d.code != "SOP406"]


def run(sop_tree, text: str, extra: dict[str, str] | None = None, units: str | None = VALID_UNITS, **kw):
    root = sop_tree({FILE: text, **(extra or {})}, units=units)
    return lint(root, **kw)


def other_sop(sop_id: str, status: str = "draft", extra: str = "") -> str:
    return (f"---\nid: {sop_id}\ntitle: Lain\nunit: biro-umum\nstatus: {status}\n{extra}---\n\n"
            "## Prosedur\n\n1. Menerima berkas.\n    - pelaksana: Pemohon\n")


def test_valid_fixture_has_no_findings_but_the_unsigned_warnings(sop_tree):
    diags = run(sop_tree, VALID_SOP)
    assert findings(diags) == []
    assert findings(diags, keep_unsigned=True) == [
        (FILE, VALID_LINES[f"approvals.{i}"], "SOP406", W) for i in range(3)]


# (id, mutated text, expected findings as (line, code, severity)), all in FILE
CASES = [
    # -- SOP1xx: schema --
    ("unknown-key", mutate(VALID_SOP, "peralatan:", "peralatann:"), [(12, "SOP102", E)]),
    ("bad-type", mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "pencatatan: {a: 1}"), [(14, "SOP103", E)]),
    ("bad-type-version", mutate(VALID_SOP, "versi: 2\n", "versi: dua\n"), [(5, "SOP103", E)]),
    ("missing-title", mutate(VALID_SOP, "judul: Permintaan Barang Persediaan", "# tanpa judul"), [(1, "SOP104", E)]),
    ("missing-version-when-effective", mutate(VALID_SOP, "versi: 2\n", "# versi\n"), [(1, "SOP104", E)]),
    ("approval-without-name", mutate(VALID_SOP, "    nama: Rina Lestari\n", "    # nama\n"), [(21, "SOP104", E)]),
    ("approval-without-position", mutate(VALID_SOP, "    jabatan: Analis Pengadaan\n", "    # jabatan\n"),
     [(21, "SOP104", E)]),
    ("approval-without-role", mutate(VALID_SOP, "  - peran: pembuat\n    nama", "  - nama"),
     [(20, "SOP401", E), (21, "SOP104", E)]),
    ("duplicate-key", mutate(VALID_SOP, "peringatan: [Barang tidak boleh diserahkan tanpa tanda terima]",
                             "peralatan: [Meja]"), [(13, "SOP105", E)]),
    ("duplicate-alias-key", mutate(VALID_SOP, "peringatan: [Barang tidak boleh diserahkan tanpa tanda terima]",
                                   "equipment: [Meja]"), [(13, "SOP105", E)]),
    ("bad-id", mutate(VALID_SOP, "nomor: SOP-UMUM-004", "nomor: UMUM 4"), [(2, "SOP106", E)]),
    ("bad-status", mutate(VALID_SOP, "status: effective", "status: aktif"), [(6, "SOP107", E)]),
    ("bad-date", mutate(VALID_SOP, "tanggal_pembuatan: 2026-01-10", "tanggal_pembuatan: 2026-13-45"),
     [(7, "SOP108", E)]),
    ("bad-enum", mutate(VALID_SOP, "hasil: pass", "hasil: ok"), [(34, "SOP405", E), (37, "SOP109", E)]),
    ("date-order", mutate(VALID_SOP, "tanggal_revisi: 2026-03-02", "tanggal_revisi: 2025-12-01"),
     [(8, "SOP110", E)]),
    # -- SOP2xx: references --
    ("unknown-unit", mutate(VALID_SOP, "unit_kerja: biro-umum", "unit_kerja: biro-umm"), [(4, "SOP202", E)]),
    ("unknown-related", mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-UMUM-005]"),
     [(14, "SOP203", E)]),
    ("unknown-handover", mutate(VALID_SOP, "    - output: Tanda terima barang\n", "    - sop: SOP-KEU-009\n"),
     [(82, "SOP204", E)]),
    ("unknown-successor", mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "digantikan_oleh: SOP-UMUM-099"),
     [(14, "SOP205", E)]),
    ("actor-in-no-unit", mutate(VALID_SOP, "pelaksana: Pemohon", "pelaksana: Tamu"), [(60, "SOP207", I)]),
    # -- SOP3xx: procedure and flow --
    ("no-procedure", mutate(VALID_SOP, "## Prosedur", "## Langkah"), [(47, "SOP300", E)]),
    ("many-procedures", mutate(VALID_SOP, "## Catatan", "## Procedure"), [(84, "SOP301", E)]),
    ("empty-procedure", VALID_SOP[:BODY_START] + "## Prosedur\n\nBelum ditulis.\n", [(54, "SOP302", E)]),
    ("unknown-step-field", mutate(VALID_SOP, "    - output: Catatan ketersediaan anggaran", "    - hasil: Catatan"),
     [(68, "SOP303", E)]),
    ("missing-actor", mutate(VALID_SOP, "    - pelaksana: Staf Gudang", "    - keterangan: belum ditentukan"),
     [(79, "SOP304", E)]),
    ("bad-duration", mutate(VALID_SOP, "waktu: 1 hari", "waktu: sehari"), [(75, "SOP305", E)]),
    ("dangling-branch", mutate(VALID_SOP, "Ya (80%) -> 3", "Ya (80%) -> 7"),
     [(70, "SOP306", E), (73, "SOP307", E), (79, "SOP307", E)]),
    ("dangling-next", mutate(VALID_SOP, "lanjut: serah", "lanjut: serahkan"), [(77, "SOP306", E), (79, "SOP307", E)]),
    ("unreachable", mutate(VALID_SOP, "Ya (80%) -> 3", "Ya (80%) -> 4"), [(73, "SOP307", E)]),
    ("loop-without-exit", mutate(mutate(VALID_SOP, "Tidak -> selesai", "Tidak -> 1"),
                                 "    - output: Tanda terima barang\n", "    - lanjut: #cek-anggaran\n"),
     [(56, "SOP308", E), (65, "SOP308", E), (73, "SOP308", E), (79, "SOP308", E)]),
    ("few-branches", mutate(mutate(VALID_SOP, "        - Tidak -> selesai\n", ""), "Ya (80%)", "Ya"),
     [(69, "SOP309", E)]),
    ("probabilities-not-100", mutate(VALID_SOP, "Tidak -> selesai", "Tidak (10%) -> selesai"), [(69, "SOP310", E)]),
    ("probabilities-over-100", mutate(VALID_SOP, "Ya (80%)", "Ya (120%)"), [(70, "SOP310", E)]),
    ("bad-branch", mutate(VALID_SOP, "        - Tidak -> selesai\n", "        - Tidak -> selesai\n        - Entah\n"),
     [(72, "SOP311", E)]),
    ("duplicate-anchor", mutate(VALID_SOP, "3. Menyusun dokumen pemesanan.", "3. Menyusun dokumen pemesanan. {#Cek-Anggaran}"),
     [(73, "SOP312", E)]),
    ("next-and-decision", mutate(VALID_SOP, "    - output: Catatan ketersediaan anggaran\n", "    - lanjut: 3\n"),
     [(68, "SOP313", E)]),
    ("step-item-not-a-field", mutate(VALID_SOP, "    - output: Formulir permintaan terisi", "    - formulir terisi"),
     [(63, "SOP314", E)]),
    ("empty-step-field", mutate(VALID_SOP, "    - output: Formulir permintaan terisi", "    - output:"),
     [(63, "SOP315", E)]),
    ("duplicate-step-field", mutate(VALID_SOP, "    - output: Formulir permintaan terisi", "    - actor: Bendahara"),
     [(63, "SOP316", E)]),
    ("numbering", mutate(VALID_SOP, "4. Menyerahkan", "5. Menyerahkan"), [(79, "SOP317", W)]),
    ("overlong-step", mutate(VALID_SOP, "    - kelengkapan: Formulir permintaan barang; Nota dinas unit",
                             "    - kelengkapan: " + "; ".join(f"Lampiran {k} berkas pendukung" for k in range(20))),
     [(61, "SOP320", W)]),
    ("step-without-activity", mutate(VALID_SOP, "3. Menyusun dokumen pemesanan.\n    - pelaksana",
                                     "3. - pelaksana"), [(73, "SOP104", E)]),
    # -- SOP4xx: approvals --
    ("missing-leader", mutate(VALID_SOP, LEADER_BLOCK, ""), [(20, "SOP401", E)]),
    ("duplicate-role", mutate(VALID_SOP, "peran: pimpinan", "peran: pemeriksa"),
     [(20, "SOP401", E), (30, "SOP402", E)]),
    ("same-signer", mutate(VALID_SOP, "nama: Prof. Ahmad Fauzi", "nama: rina  LESTARI"), [(30, "SOP403", E)]),
    ("approval-order", mutate(VALID_SOP, "tanggal: 2026-03-07", "tanggal: 2026-03-04"), [(29, "SOP404", E)]),
    ("leader-before-reviewer", mutate(VALID_SOP, "tanggal: 2026-03-10", "tanggal: 2026-03-06"),
     [(33, "SOP404", E)]),
    ("failed-simulation", mutate(VALID_SOP, "hasil: pass", "hasil: gagal"), [(34, "SOP405", E)]),
    ("simulation-after-leader", mutate(VALID_SOP, "  - tanggal: 2026-02-20", "  - tanggal: 2026-03-11"),
     [(34, "SOP405", E)]),
    ("simulation-on-leader-day", mutate(VALID_SOP, "  - tanggal: 2026-02-20", "  - tanggal: 2026-03-10"), []),
    ("approval-without-date", mutate(VALID_SOP, "    tanggal: 2026-03-07\n", ""), [(26, "SOP410", E)]),
    # -- SOP5xx: lifecycle --
    ("effective-before-leader", mutate(VALID_SOP, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 2026-03-09"),
     [(9, "SOP501", E)]),
    ("effective-on-leader-day", mutate(VALID_SOP, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 2026-03-10"), []),
    ("no-effective-date", mutate(VALID_SOP, "tanggal_efektif: 2026-04-01", "# efektif"), [(6, "SOP502", E)]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(sop_tree, text, expected):
    diags = run(sop_tree, text)
    assert findings(diags) == [(FILE, line, code, sev) for line, code, sev in expected]
    for d in diags:
        assert d.code in codes.REGISTRY and d.message and d.column >= 1


def test_every_case_changes_the_fixture():
    assert all(text != VALID_SOP for _, text, _ in CASES)


# -- rules that need more than one file or other settings --------------------------

def test_duplicate_id_across_files(sop_tree):
    diags = run(sop_tree, VALID_SOP, {"keuangan/b.md": VALID_SOP})
    # an error on both files, each naming the other
    assert findings(diags) == [("biro-umum/a.md", 2, "SOP201", E), ("keuangan/b.md", 2, "SOP201", E)]
    first, second = [d for d in diags if d.code == "SOP201"]
    assert "keuangan/b.md" in first.message and "biro-umum/a.md" in second.message


def test_references_to_existing_sops_are_fine(sop_tree):
    text = mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-KEU-002]")
    text = mutate(text, "    - output: Tanda terima barang\n", "    - sop: SOP-KEU-002\n")
    assert findings(run(sop_tree, text, {"keuangan/b.md": other_sop("SOP-KEU-002")})) == []


def test_handover_to_a_retired_sop(sop_tree):
    text = mutate(VALID_SOP, "    - output: Tanda terima barang\n", "    - sop: SOP-KEU-002\n")
    retired = other_sop("SOP-KEU-002", "retired", "superseded_by: SOP-KEU-003\n")
    diags = run(sop_tree, text, {"keuangan/b.md": retired, "keuangan/c.md": other_sop("SOP-KEU-003")})
    assert [f for f in findings(diags) if f[0] == FILE] == [(FILE, 82, "SOP208", W)]
    assert "SOP-KEU-003" in [d for d in diags if d.code == "SOP208"][0].message


def test_retired_sop_with_unknown_successor(sop_tree):
    diags = run(sop_tree, VALID_SOP, {"b.md": other_sop("SOP-KEU-002", "retired", "superseded_by: SOP-KEU-404\n")})
    assert findings(diags) == [("b.md", 6, "SOP205", E)]


def test_unknown_reference_hint_never_suggests_the_file_itself(sop_tree):
    text = mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-UMUM-005]")
    (d,) = [d for d in run(sop_tree, text) if d.code == "SOP203"]
    assert "SOP-UMUM-004" not in d.hint


def test_unknown_reference_hint_suggests_a_near_id(sop_tree):
    text = mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-KEU-0002]")
    (d,) = [d for d in run(sop_tree, text, {"b.md": other_sop("SOP-KEU-002")}) if d.code == "SOP203"]
    assert d.hint == "did you mean 'SOP-KEU-002'?"


def test_unknown_reference_hint_is_case_insensitive(sop_tree):
    text = mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [sop-keu-002]")
    (d,) = [d for d in run(sop_tree, text, {"b.md": other_sop("SOP-KEU-002")}) if d.code == "SOP203"]
    assert d.hint == "did you mean 'SOP-KEU-002'?"


def test_unknown_reference_hint_does_not_suggest_an_unrelated_id(sop_tree):
    text = mutate(VALID_SOP, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-AKD-017]")
    (d,) = [d for d in run(sop_tree, text, {"b.md": other_sop("SOP-KEU-002")}) if d.code == "SOP203"]
    assert "did you mean" not in d.hint


def test_unknown_unit_hint(sop_tree):
    diags = run(sop_tree, mutate(VALID_SOP, "unit_kerja: biro-umum", "unit_kerja: biro-umm"))
    assert [d.hint for d in diags if d.code == "SOP202"] == ["did you mean 'biro-umum'?"]


def test_unknown_unit_without_units_file(sop_tree):
    diags = run(sop_tree, VALID_SOP, units=None)
    assert findings(diags) == [(FILE, 4, "SOP202", E)]
    assert "units.yml" in diags[0].hint


def test_broken_units_file(sop_tree):
    diags = run(sop_tree, VALID_SOP, units=VALID_UNITS + "keuangan:\n  name: Dua Kali\n")
    assert ("units.yml", 12, "SOP206", E) in findings(diags)


def test_missing_actor_is_an_error_when_effective_and_a_warning_in_a_draft(sop_tree):
    text = mutate(VALID_SOP, "    - pelaksana: Staf Gudang", "    - keterangan: belum ditentukan")
    assert findings(run(sop_tree, text)) == [(FILE, 79, "SOP304", E)]
    draft = mutate(text, "status: effective", "status: draft")
    assert findings(run(sop_tree, draft)) == [(FILE, 79, "SOP304", W)]


def test_no_procedure_is_a_warning_in_a_draft(sop_tree):
    text = mutate(mutate(VALID_SOP, "## Prosedur", "## Langkah"), "status: effective", "status: draf")
    assert findings(run(sop_tree, text)) == [(FILE, 47, "SOP300", W)]


def test_draft_needs_no_approvals_simulation_or_dates(sop_tree):
    text = VALID_SOP[:VALID_SOP.index("pengesahan:")] + "---\n" + VALID_SOP[BODY_START - 1:]
    text = mutate(text, "status: effective", "status: draft")
    assert findings(run(sop_tree, text), keep_unsigned=True) == []


def test_approved_sop_needs_all_three_approvals(sop_tree):
    text = VALID_SOP[:VALID_SOP.index("pengesahan:")] + "---\n" + VALID_SOP[BODY_START - 1:]
    text = mutate(mutate(text, "status: effective", "status: approved"), "versi: 2\n", "versi: 1\n")
    assert findings(run(sop_tree, text)) == [(FILE, 6, "SOP401", E)] * 3


def test_unsigned_approvals_are_errors_when_signatures_are_required(sop_tree):
    diags = run(sop_tree, VALID_SOP, require_signed=True)
    assert findings(diags, keep_unsigned=True) == [
        (FILE, VALID_LINES[f"approvals.{i}"], "SOP406", E) for i in range(3)]


def test_an_approval_with_a_digest_is_not_reported_as_unsigned(sop_tree):
    text = mutate(VALID_SOP, "    tanggal: 2026-03-05\n", "    tanggal: 2026-03-05\n    digest: sha256:00\n")
    lines = [d.line for d in run(sop_tree, text) if d.code == "SOP406"]
    assert lines == [27, 31]


def test_review_overdue(sop_tree):
    diags = run(sop_tree, VALID_SOP, today=dt.date(2027, 6, 1))
    assert findings(diags) == [(FILE, VALID_LINES["review"], "SOP503", W)]
    assert "2027-04-01" in [d for d in diags if d.code == "SOP503"][0].message


def test_review_not_yet_due_on_the_day(sop_tree):
    assert findings(run(sop_tree, VALID_SOP, today=dt.date(2027, 4, 1))) == []


def test_monitoring_record_restarts_the_review_clock(sop_tree):
    text = mutate(VALID_SOP, "riwayat_revisi:", "monev:\n  - {tanggal: 2027-03-10, oleh: Tim BPM, rekomendasi: keep}\n"
                  "riwayat_revisi:")
    assert findings(run(sop_tree, text, today=dt.date(2027, 6, 1))) == []
    assert findings(run(sop_tree, text, today=dt.date(2028, 3, 11))) == [(FILE, 42, "SOP503", W)]


def test_review_of_a_draft_is_never_due(sop_tree):
    text = mutate(VALID_SOP, "status: effective", "status: draft")
    assert findings(run(sop_tree, text, today=dt.date(2030, 1, 1))) == []


def test_unparseable_files_in_the_corpus(sop_tree):
    diags = run(sop_tree, VALID_SOP, {"b.md": "Tanpa front matter\n", "c.md": "---\nid: [\n---\n"})
    assert findings(diags) == [("b.md", 1, "SOP100", E), ("c.md", 3, "SOP101", E)]


def test_custom_id_pattern(sop_tree):
    diags = run(sop_tree, VALID_SOP, id_pattern=r"^\d+/SOP/\d{4}$")
    assert findings(diags) == [(FILE, 2, "SOP106", E)]


def test_settings_today_is_pinned():
    from conftest import settings
    assert settings().now() == TODAY


def test_line_helpers_agree_with_the_fixture():
    assert line_of(VALID_SOP, "lanjut: serah") == VALID_LINES["step3.next"]
    assert Severity.ERROR.value == E


# -- no pile-on: one broken target is one finding ----------------------------------

def test_dangling_target_does_not_make_earlier_steps_loop_forever(sop_tree):
    text = mutate(mutate(VALID_SOP, "Tidak -> selesai", "Tidak -> 1"), "lanjut: serah", "lanjut: hilang")
    assert findings(run(sop_tree, text)) == [(FILE, 77, "SOP306", E), (FILE, 79, "SOP307", E)]


def test_decision_without_branches_is_reported_once(sop_tree):
    text = mutate(VALID_SOP, "        - Ya (80%) -> 3\n        - Tidak -> selesai\n", "")
    assert findings(run(sop_tree, text)) == [(FILE, 69, "SOP309", E), (FILE, 71, "SOP307", E), (FILE, 77, "SOP307", E)]
