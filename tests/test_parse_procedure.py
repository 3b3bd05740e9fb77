"""The procedure section: steps, fields, decisions, targets and their lines."""

from __future__ import annotations

import pytest

from conftest import VALID_LINES, VALID_SOP, line_of, mutate
from sop_plugin.model import Calendar
from sop_plugin.parsing import parse_sop
from sop_plugin.parsing.procedure import parse_body
from sop_plugin.settings import Settings

HEAD = "---\nid: SOP-A-001\n---\n\n## Prosedur\n\n"  # steps start at line 7


def parse(text: str, **kw):
    return parse_sop("x.md", text, Settings(**kw) if kw else None)


def steps_of(body: str):
    sop = parse(HEAD + body)
    return sop, sop.steps


def codes_at(sop) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in sop.diagnostics]


# -- the fixture, line by line ---------------------------------------------------

def test_fixture_steps_and_lines():
    sop = parse(VALID_SOP)
    assert sop.diagnostics == []
    assert sop.procedure.heading == "Prosedur" and sop.procedure.line == VALID_LINES["procedure"]
    assert [s.number for s in sop.steps] == [1, 2, 3, 4]
    assert [s.line for s in sop.steps] == [VALID_LINES[f"step{i}"] for i in (1, 2, 3, 4)]
    s1, s2, s3, s4 = sop.steps
    assert s1.line_of("actor") == VALID_LINES["step1.actor"]
    assert s1.line_of("inputs") == VALID_LINES["step1.inputs"]
    assert s1.line_of("duration") == VALID_LINES["step1.duration"]
    assert s1.line_of("output") == VALID_LINES["step1.output"]
    assert s2.line_of("decision") == s2.decision.line == VALID_LINES["step2.decision"]
    assert [b.line for b in s2.decision.branches] == [VALID_LINES["step2.branch0"], VALID_LINES["step2.branch1"]]
    assert [b.target.line for b in s2.decision.branches] == [70, 71]
    assert s3.line_of("notes") == VALID_LINES["step3.notes"]
    assert s3.line_of("next") == s3.next.line == VALID_LINES["step3.next"]
    assert s4.line_of("actor") == VALID_LINES["step4.actor"]
    assert s4.line_of("sop") == s4.line  # absent field: the step's own line


def test_fixture_sections():
    sop = parse(VALID_SOP)
    assert [(s.heading, s.level, s.line) for s in sop.sections] == [
        ("Permintaan Barang Persediaan", 1, 48), ("Tujuan", 2, 50), ("Prosedur", 2, 54), ("Catatan", 2, 84)]
    assert sop.procedure.end_line == 84


def test_fixture_values():
    s1, s2, s3, s4 = parse(VALID_SOP).steps
    assert s1.activity == "Mengisi formulir permintaan barang."
    assert s1.details == ["Formulir tersedia di aplikasi persediaan."]
    assert s1.actor == "Pemohon"
    assert s1.inputs == ["Formulir permintaan barang", "Nota dinas unit"]
    assert s1.duration.low == s1.duration.high == 15
    assert s1.output == "Formulir permintaan terisi"
    assert s2.activity == "Memeriksa ketersediaan anggaran." and s2.anchor == "cek-anggaran"
    assert s2.duration.low == 60 and s2.duration.high == 120
    assert s2.decision.question == "Anggaran tersedia?"
    ya, tidak = s2.decision.branches
    assert (ya.label, ya.probability, ya.target.step) == ("Ya", 80.0, 3)
    assert (tidak.label, tidak.probability, tidak.target.is_end) == ("Tidak", None, True)
    assert s2.decision.probabilities() == pytest.approx([0.8, 0.2])
    assert s3.notes == "Gunakan format baku"
    assert s3.next.raw == "serah" and s3.next.step == 4
    assert s4.anchor == "serah"
    assert sop_actors() == ["Pemohon", "Bendahara", "Pejabat Pengadaan", "Staf Gudang"]


def sop_actors():
    return parse(VALID_SOP).procedure.actors()


# -- activity and details --------------------------------------------------------

def test_activity_and_detail_paragraphs():
    sop, steps = steps_of("1. Kegiatan utama\n   yang berlanjut.\n\n   Rincian pertama.\n\n   Rincian kedua.\n\n"
                          "   - pelaksana: A\n\n   Rincian setelah daftar.\n")
    assert sop.diagnostics == []
    (s,) = steps
    assert s.activity == "Kegiatan utama yang berlanjut."
    assert s.details == ["Rincian pertama.", "Rincian kedua.", "Rincian setelah daftar."]
    assert s.actor == "A" and s.line_of("actor") == 14


def test_step_without_activity_text():
    sop, _ = steps_of("1. - pelaksana: A\n")
    assert [d.code for d in sop.diagnostics] == ["SOP104"]


def test_inputs_split_on_semicolons():
    _, (s,) = steps_of("1. A\n    - kelengkapan: Formulir ; Nota dinas;; KTP;\n")
    assert s.inputs == ["Formulir", "Nota dinas", "KTP"]


def test_output_notes_and_sop_handover():
    sop, (s,) = steps_of("1. A\n    - output: Surat\n    - keterangan: Rangkap dua\n    - sop: SOP-KEU-002\n")
    assert sop.diagnostics == []
    assert (s.output, s.notes, s.sop) == ("Surat", "Rangkap dua", "SOP-KEU-002")
    assert s.field_lines == {"output": 8, "notes": 9, "sop": 10}


# -- fields: problems ------------------------------------------------------------

def test_unknown_step_field_with_suggestion():
    sop, _ = steps_of("1. A\n    - pelaksanaa: B\n")
    assert codes_at(sop) == [("SOP303", 8)]
    assert sop.diagnostics[0].hint == "did you mean 'pelaksana'?"


def test_duplicate_step_field_alias_and_canonical():
    sop, (s,) = steps_of("1. A\n    - actor: B\n    - pelaksana: C\n")
    assert codes_at(sop) == [("SOP316", 9)]
    assert s.actor == "B"


def test_step_item_that_is_not_a_field():
    sop, _ = steps_of("1. A\n    - pelaksana: B\n    - sekadar teks\n")
    assert codes_at(sop) == [("SOP314", 9)]


def test_nested_list_under_a_plain_field():
    sop, _ = steps_of("1. A\n    - pelaksana: B\n        - C\n")
    assert codes_at(sop) == [("SOP314", 9)]


def test_empty_field():
    sop, _ = steps_of("1. A\n    - pelaksana:\n")
    assert codes_at(sop) == [("SOP315", 8)]


def test_bad_duration_line():
    sop, (s,) = steps_of("1. A\n    - pelaksana: B\n    - waktu: sebentar\n")
    assert codes_at(sop) == [("SOP305", 9)]
    assert s.duration is None and s.duration_text == "sebentar"


# -- decisions and branches -------------------------------------------------------

def test_decision_branches_with_and_without_probability():
    sop, steps = steps_of("1. A\n    - keputusan: Lengkap?\n        - Ya (60 %) -> 2\n        - Mungkin (15,5%) -> 1\n"
                          "        - Tidak → selesai\n2. B\n")
    assert sop.diagnostics == []
    d = steps[0].decision
    assert (d.question, d.line) == ("Lengkap?", 8)
    assert [(b.label, b.probability, b.line) for b in d.branches] == [
        ("Ya", 60.0, 9), ("Mungkin", 15.5, 10), ("Tidak", None, 11)]
    assert d.probabilities() == pytest.approx([0.6, 0.155, 0.245])


def test_unreadable_branch():
    sop, steps = steps_of("1. A\n    - keputusan: Lengkap?\n        - Ya ke 2\n        - Tidak -> end\n")
    assert codes_at(sop) == [("SOP311", 9)]
    assert len(steps[0].decision.branches) == 1


def test_decision_without_branches_has_none():
    _, steps = steps_of("1. A\n    - keputusan: Lengkap?\n")
    assert steps[0].decision.branches == []


# -- targets and anchors ----------------------------------------------------------

@pytest.mark.parametrize("raw,step,end", [
    ("2", 2, False), ("langkah 2", 2, False), ("Step 3", 3, False), ("serah", 3, False), ("#serah", 3, False),
    ("#Serah", 3, False), ("`serah`", 3, False), ("end", None, True), ("selesai", None, True), ("Selesai", None, True),
    ("9", None, False), ("0", None, False), ("entah", None, False), ("#cek", 2, False),
])
def test_targets(raw, step, end):
    _, steps = steps_of(f"1. A\n    - lanjut: {raw}\n2. B {{#cek}}\n3. C {{ #serah }}\n")
    t = steps[0].next
    assert (t.step, t.is_end, t.resolved) == (step, end, step is not None or end)
    assert t.line == 8


def test_duplicate_anchor():
    sop, _ = steps_of("1. A {#x}\n2. B {#X}\n")
    assert codes_at(sop) == [("SOP312", 8)]


def test_anchor_is_removed_from_the_activity():
    _, steps = steps_of("1. Menyerahkan barang. {#serah-barang}\n")
    assert steps[0].activity == "Menyerahkan barang." and steps[0].anchor == "serah-barang"


def test_successors():
    s1, s2, s3, s4 = parse(VALID_SOP).steps
    assert [t.step for t in s1.successors(4)] == [2]
    assert [(t.step, t.is_end) for t in s2.successors(4)] == [(3, False), (None, True)]
    assert [t.step for t in s3.successors(4)] == [4]
    assert [t.is_end for t in s4.successors(4)] == [True]


# -- sections ---------------------------------------------------------------------

def test_no_procedure_section():
    sop = parse("---\nid: SOP-A-001\n---\n\n## Tujuan\n\nTeks.\n")
    assert sop.procedure is None and sop.diagnostics == []


def test_procedure_without_list():
    sop = parse("---\nid: SOP-A-001\n---\n\n## Prosedur\n\nTeks saja.\n")
    assert codes_at(sop) == [("SOP302", 5)] and sop.procedure.steps == []


def test_two_procedure_sections():
    sop = parse("---\nid: SOP-A-001\n---\n\n## Prosedur\n\n1. A\n\n## Procedure\n\n1. B\n")
    assert codes_at(sop) == [("SOP301", 9)]
    assert [s.activity for s in sop.steps] == ["A"]


@pytest.mark.parametrize("heading", ["## Procedure", "### Uraian Prosedur", "## prosedur:"])
def test_procedure_heading_variants(heading):
    sop = parse(f"---\nid: SOP-A-001\n---\n{heading}\n\n1. A\n")
    assert len(sop.steps) == 1


def test_configured_procedure_heading():
    sop = parse("---\nid: SOP-A-001\n---\n## Langkah Kerja\n\n1. A\n", procedure_headings=("Langkah Kerja",))
    assert len(sop.steps) == 1


def test_procedure_ends_at_the_next_heading_of_its_level():
    sop = parse(HEAD + "1. A\n\n### Sub\n\nTeks.\n\n## Lain\n\n1. Bukan langkah\n")
    assert len(sop.steps) == 1 and sop.procedure.end_line == 13


def test_numbering_not_one_two_three():
    sop, _ = steps_of("1. A\n2. B\n4. C\n")
    assert codes_at(sop) == [("SOP317", 9)]
    assert sop.diagnostics[0].severity.value == "warning"


def test_list_starting_at_another_number():
    sop, steps = steps_of("3. A\n4. B\n")
    assert codes_at(sop) == [("SOP317", 7)]
    assert [s.number for s in steps] == [1, 2]


def test_all_ones_numbering_is_fine():
    sop, steps = steps_of("1. A\n1. B\n1. C\n")
    assert sop.diagnostics == [] and [s.number for s in steps] == [1, 2, 3]


# -- line endings, BOM, tabs ---------------------------------------------------

def test_crlf_line_endings_keep_lines_and_values():
    sop = parse(VALID_SOP.replace("\n", "\r\n"))
    ref = parse(VALID_SOP)
    assert sop.diagnostics == []
    assert sop.field_lines == ref.field_lines
    assert [(s.line, s.field_lines, s.activity, s.actor, s.details) for s in sop.steps] == \
        [(s.line, s.field_lines, s.activity, s.actor, s.details) for s in ref.steps]
    assert sop.steps[1].decision.branches[1].line == 71


def test_bom_is_ignored():
    sop = parse("\ufeff" + VALID_SOP)
    assert sop.diagnostics == [] and sop.id == "SOP-UMUM-004" and sop.steps[0].line == 56


def test_tab_indented_step_fields():
    sop, (s,) = steps_of("1. A\n\t- pelaksana: B\n\t- keputusan: Ok?\n\t\t- Ya -> end\n\t\t- Tidak -> 1\n")
    assert sop.diagnostics == []
    assert s.actor == "B" and [b.line for b in s.decision.branches] == [10, 11]


def test_tab_in_front_matter_indentation_is_a_yaml_error_with_its_line():
    sop = parse("---\nid: SOP-A-001\ntim:\n\tpenulis: A\n---\n")
    assert [(d.code, d.line) for d in sop.diagnostics] == [("SOP101", 4)]


def test_parse_body_alone_with_custom_calendar():
    out = parse_body("## Prosedur\n\n1. A\n    - waktu: 1 hari\n", 1, "b.md", calendar=Calendar(hours_per_day=7))
    assert out.procedure.steps[0].duration.low == 7 * 60
    assert out.procedure.steps[0].line == 3


def test_mutate_moves_lines_consistently():
    text = mutate(VALID_SOP, "## Tujuan\n", "## Tujuan\n\nBaris tambahan.\n\n")
    sop = parse(text)
    assert sop.steps[0].line == line_of(text, "1. Mengisi formulir") == VALID_LINES["step1"] + 3


def test_field_lines_read_as_a_mapping_and_pickle():
    """A step's field lines are a read-only mapping (two tuples, the names shared by steps that
    wrote their fields in the same order); pickled and back they are the same mapping."""
    import pickle

    _, (a, b) = steps_of("1. A\n    - pelaksana: X\n    - waktu: 5 menit\n"
                         "2. B\n    - pelaksana: Y\n    - waktu: 5 menit\n")
    assert dict(a.field_lines) == {"actor": 8, "duration": 9} and b.field_lines == {"actor": 11, "duration": 12}
    assert a.field_lines["duration"] == 9 and "inputs" not in a.field_lines and len(a.field_lines) == 2
    assert a.line_of("inputs") == a.line == 7  # a field not written: the step's own line
    with pytest.raises(KeyError):
        a.field_lines["inputs"]
    back = pickle.loads(pickle.dumps(a))
    assert back == a and back.field_lines == a.field_lines and back.field_lines._keys is a.field_lines._keys
    assert a.duration is b.duration  # one (frozen) Duration per time written
