"""Front matter: keys and aliases, duplicates, unknown keys, YAML errors, dates, types."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import VALID_LINES, VALID_SOP, mutate
from sop_plugin import aliases
from sop_plugin.model import Role, Status
from sop_plugin.parsing import parse_sop
from sop_plugin.parsing.frontmatter import split


def parse(text: str):
    return parse_sop("x.md", text)


def codes_at(sop) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in sop.diagnostics]


def fm(body: str) -> str:
    """A file made of the given front matter lines and no body."""
    return f"---\n{body}---\n"


def test_valid_fixture_parses_cleanly_into_the_model():
    sop = parse(VALID_SOP)
    assert sop.diagnostics == []
    assert sop.id == "SOP-UMUM-004"
    assert sop.title == "Permintaan Barang Persediaan"
    assert sop.unit == "biro-umum"
    assert sop.version == 2
    assert sop.status is Status.EFFECTIVE
    assert sop.created == dt.date(2026, 1, 10)
    assert sop.revised == dt.date(2026, 3, 2)
    assert sop.effective == dt.date(2026, 4, 1)
    assert sop.legal_basis == ["Perpres 16/2018 tentang Pengadaan Barang/Jasa Pemerintah"]
    assert sop.equipment == ["Komputer", "Aplikasi SAKTI"]
    assert sop.team.writer == "Rina Lestari"
    assert sop.team.supervisor_superior == "Ahmad Fauzi"
    assert [a.role for a in sop.approvals] == [Role.MAKER, Role.REVIEWER, Role.LEADER]
    assert sop.approvals[0].nip == "198703152010122001"
    assert sop.approvals[2].name == "Prof. Ahmad Fauzi"
    assert sop.approvals[2].date == dt.date(2026, 3, 10)
    assert sop.simulations[0].passed and sop.simulations[0].participants == ["Staf Gudang", "Pemohon"]
    assert sop.socialization[0].audience == ["biro-umum", "keuangan"]
    assert sop.review_interval_months == 12
    assert sop.revisions[0].version == 2 and sop.revisions[0].summary == "Menambah pemeriksaan anggaran"
    assert sop.body_line == 47


@pytest.mark.parametrize("key", ["id", "unit", "version", "status", "created", "revised", "effective",
                                 "team", "approvals", "simulations", "socialization", "review", "revisions"])
def test_field_lines_of_the_fixture(key):
    assert parse(VALID_SOP).field_lines[key] == VALID_LINES[key]


def test_record_field_lines():
    sop = parse(VALID_SOP)
    for key in ("approvals.0", "approvals.0.date", "approvals.1", "approvals.2.date", "simulations.0"):
        assert sop.line_of(key) == VALID_LINES[key]
    assert [a.line for a in sop.approvals] == [21, 26, 30]
    assert sop.simulations[0].line == 35
    assert sop.socialization[0].line == 40


# -- canonical keys and aliases ---------------------------------------------

SAMPLE = {
    "id": ("SOP-A-001", "id"),
    "title": ("Judul", "title"),
    "unit": ("biro-umum", "unit"),
    "version": ("3", "version"),
    "status": ("draft", "status"),
    "created": ("2026-01-02", "created"),
    "revised": ("2026-01-03", "revised"),
    "effective": ("2026-01-04", "effective"),
    "legal_basis": ("[UU 1/2020]", "legal_basis"),
    "qualifications": ("[Teliti]", "qualifications"),
    "related": ("[SOP-B-002]", "related"),
    "equipment": ("[Komputer]", "equipment"),
    "warnings": ("[Hati-hati]", "warnings"),
    "records": ("[Buku agenda]", "records"),
    "team": ("{writer: Rina}", "team"),
    "approvals": ("[{role: maker, name: Rina, position: Analis, date: 2026-01-05}]", "approvals"),
    "simulations": ("[{date: 2026-01-01, result: pass}]", "simulations"),
    "socialization": ("[{date: 2026-01-06, audience: [biro-umum]}]", "socialization"),
    "review": ("{interval_months: 6}", "review_interval_months"),
    "monitoring": ("[{date: 2026-05-01, by: Tim BPM, recommendation: keep}]", "monitoring"),
    "revisions": ("[{version: 1, date: 2026-01-01, summary: Awal}]", "revisions"),
    "superseded_by": ("SOP-B-002", "superseded_by"),
    "confidential": ("true", "confidential"),
}


def test_sample_covers_every_front_matter_key():
    assert set(SAMPLE) == set(aliases.KEYS["front_matter"])


@pytest.mark.parametrize("canon,alias", sorted(aliases.KEYS["front_matter"].items()))
def test_front_matter_alias_means_the_canonical_key(canon, alias):
    value, attr = SAMPLE[canon]
    a = parse(fm(f"{canon}: {value}\n"))
    b = parse(fm(f"{alias}: {value}\n"))
    assert a.diagnostics == [] and b.diagnostics == []
    assert getattr(a, attr) == getattr(b, attr)
    assert getattr(a, attr) not in (None, [], False)
    assert canon in b.front_matter and b.field_lines[canon] == 2


STEP_SAMPLE = {
    "actor": ("Pemohon", "actor", "Pemohon"),
    "inputs": ("A; B", "inputs", ["A", "B"]),
    "duration": ("2 jam", "duration_text", "2 jam"),
    "output": ("Surat", "output", "Surat"),
    "notes": ("Catatan", "notes", "Catatan"),
    "next": ("selesai", "next", None),
    "sop": ("SOP-B-002", "sop", "SOP-B-002"),
}


@pytest.mark.parametrize("canon,alias", sorted(aliases.KEYS["step"].items()))
def test_step_alias_means_the_canonical_field(canon, alias):
    actor = "    - notes: n\n" if canon == "actor" else "    - pelaksana: X\n"
    first = "notes" if canon == "actor" else "actor"

    def step_of(key: str):
        if canon == "decision":
            body = f"1. A\n{actor}    - {key}: Lanjut?\n        - Ya -> end\n        - Tidak -> 1\n"
        else:
            body = f"1. A\n{actor}    - {key}: {STEP_SAMPLE[canon][0]}\n"
        sop = parse(fm("id: SOP-A-001\n") + "\n## Prosedur\n\n" + body)
        assert sop.diagnostics == []
        return sop.steps[0]

    a, b = step_of(canon), step_of(alias)
    assert a.field_lines == b.field_lines == {first: 8, canon: 9}
    if canon == "decision":
        assert a.decision.question == b.decision.question == "Lanjut?"
        assert [br.label for br in b.decision.branches] == ["Ya", "Tidak"]
    elif canon == "next":
        assert a.next.raw == b.next.raw == "selesai" and b.next.is_end
    else:
        _, attr, expected = STEP_SAMPLE[canon]
        assert getattr(a, attr) == getattr(b, attr) == expected


@pytest.mark.parametrize("context", ["team", "approval", "simulation", "socialization", "review",
                                     "monitoring", "revision"])
def test_every_nested_alias_is_known(context):
    for canon, alias in aliases.KEYS[context].items():
        assert aliases.canonical(context, alias) == canon
        assert aliases.canonical(context, canon) == canon


def test_nested_aliases_give_the_same_records():
    english = fm("approvals:\n  - {role: maker, name: Rina, position: Analis, date: 2026-01-05, digest: 'sha256:ab'}\n"
                 "monitoring:\n  - {date: 2026-05-01, by: Tim BPM, finding: Lambat, recommendation: revise}\n"
                 "team: {writer: A, field_executor: B, supervisor: C, supervisor_superior: D}\n")
    indonesian = fm("pengesahan:\n  - {peran: pembuat, nama: Rina, jabatan: Analis, tanggal: 2026-01-05, digest: 'sha256:ab'}\n"
                    "monev:\n  - {tanggal: 2026-05-01, oleh: Tim BPM, temuan: Lambat, rekomendasi: revisi}\n"
                    "tim: {penulis: A, pelaksana_lapangan: B, pengawas: C, atasan_pengawas: D}\n")
    a, b = parse(english), parse(indonesian)
    assert a.diagnostics == b.diagnostics == []
    assert [(x.role, x.name, x.position, x.date, x.digest, x.line) for x in a.approvals] == \
        [(x.role, x.name, x.position, x.date, x.digest, x.line) for x in b.approvals]
    assert a.approvals[0].role is Role.MAKER and a.approvals[0].digest == "sha256:ab"
    assert a.monitoring == b.monitoring and b.monitoring[0].recommendation == "revise"
    assert a.team == b.team and b.team.supervisor_superior == "D"


def test_value_aliases():
    sop = parse(fm("status: berlaku\nsimulasi: [{tanggal: 2026-01-01, hasil: lulus}]\n"))
    assert sop.status is Status.EFFECTIVE
    assert sop.simulations[0].result == "pass"


def test_canonical_and_alias_keys_mixed_in_one_file():
    sop = parse(fm("id: SOP-A-001\njudul: Judul\nunit: u\nversi: 1\nstatus: draf\n"
                   "created: 2026-01-01\ntanggal_revisi: 2026-01-02\n"))
    assert sop.diagnostics == []
    assert (sop.id, sop.title, sop.unit, sop.version, sop.status) == ("SOP-A-001", "Judul", "u", 1, Status.DRAFT)
    assert sop.revised == dt.date(2026, 1, 2)
    assert sop.field_lines["title"] == 3 and sop.field_lines["revised"] == 8


# -- duplicate and unknown keys ------------------------------------------------

def test_duplicate_key_reported_at_the_second_occurrence():
    sop = parse(fm("id: SOP-A-001\ntitle: A\ntitle: B\n"))
    assert codes_at(sop) == [("SOP105", 4)]


def test_alias_and_canonical_pair_is_a_duplicate():
    sop = parse(fm("id: SOP-A-001\njudul: A\ntitle: B\n"))
    assert codes_at(sop) == [("SOP105", 4)]
    assert "title / judul" in sop.diagnostics[0].message
    assert sop.title == "A"  # the first spelling wins


def test_duplicate_key_inside_a_record():
    sop = parse(fm("approvals:\n  - role: maker\n    nama: A\n    name: B\n"))
    assert codes_at(sop) == [("SOP105", 5)]


def test_unknown_key_suggests_the_closest_key():
    sop = parse(fm("id: SOP-A-001\njudull: A\n"))
    assert codes_at(sop) == [("SOP102", 3)]
    d = sop.diagnostics[0]
    assert "judull" in d.message and d.hint == "did you mean 'judul'?"


def test_unknown_key_far_from_every_key_lists_known_keys():
    d = parse(fm("xyzzyq: 1\n")).diagnostics[0]
    assert d.code == "SOP102" and d.hint.startswith("known keys:") and "nomor" in d.hint


def test_unknown_key_inside_a_record_suggests_from_its_context():
    sop = parse(fm("approvals:\n  - role: maker\n    jabatn: Analis\n"))
    assert codes_at(sop) == [("SOP102", 4)]
    assert sop.diagnostics[0].hint == "did you mean 'jabatan'?"


# -- YAML and the fences -------------------------------------------------------

def test_invalid_yaml_reports_its_line():
    text = mutate(VALID_SOP, "unit_kerja: biro-umum\n", "unit_kerja: [biro-umum\n")
    sop = parse(text)
    assert [d.code for d in sop.diagnostics] == ["SOP101"]
    assert 4 <= sop.diagnostics[0].line <= 6


def test_invalid_yaml_bad_indentation_line():
    sop = parse(fm("id: SOP-A-001\ntitle: A\n  unit: b\n"))
    assert codes_at(sop) == [("SOP101", 4)]


def test_no_front_matter():
    sop = parse("# Judul\n\nTeks.\n")
    assert codes_at(sop) == [("SOP100", 1)]
    assert sop.body_line == 1 and sop.sections[0].heading == "Judul"


def test_empty_front_matter():
    assert [d.code for d in parse("---\n---\n# A\n").diagnostics] == ["SOP100"]


def test_split_finds_body_line():
    yaml_text, yaml_line, body, body_line = split("---\na: 1\n---\nbody\n")
    assert (yaml_text, yaml_line, body, body_line) == ("a: 1\n", 2, "body\n", 4)
    assert split("no fence\n")[0] is None


@pytest.mark.parametrize("text", ["---\n- a\n- b\n---\n", "---\njust text\n---\n"])
def test_front_matter_that_is_not_a_mapping(text):
    assert codes_at(parse(text)) == [("SOP103", 2)]


# -- dates ---------------------------------------------------------------------

def test_valid_and_quoted_dates():
    sop = parse(fm("created: 2026-01-10\nrevised: '2026-02-11'\neffective: \"2026-03-12\"\n"))
    assert sop.diagnostics == []
    assert (sop.created, sop.revised, sop.effective) == (dt.date(2026, 1, 10), dt.date(2026, 2, 11),
                                                         dt.date(2026, 3, 12))


@pytest.mark.parametrize("value", ["2026-13-45", "'2026-02-30'", "kemarin", "10/01/2026"])
def test_invalid_date(value):
    sop = parse(fm(f"id: SOP-A-001\ncreated: {value}\n"))
    assert codes_at(sop) == [("SOP108", 3)]
    assert sop.created is None


def test_invalid_date_inside_a_record():
    sop = parse(fm("simulations:\n  - result: pass\n    date: 2026-13-45\n"))
    assert codes_at(sop) == [("SOP108", 4)]


# -- types -----------------------------------------------------------------------

def test_list_field_accepts_a_single_string():
    sop = parse(fm("equipment: Komputer\nrelated: SOP-B-002\n"))
    assert sop.diagnostics == [] and sop.equipment == ["Komputer"] and sop.related == ["SOP-B-002"]


def test_list_field_with_a_mapping_is_a_type_error():
    sop = parse(fm("id: SOP-A-001\nequipment: {a: 1}\n"))
    assert codes_at(sop) == [("SOP103", 3)]


def test_text_field_with_a_list_is_a_type_error():
    sop = parse(fm("id: SOP-A-001\ntitle: [a, b]\n"))
    assert codes_at(sop) == [("SOP103", 3)]
    assert "must be text" in sop.diagnostics[0].message


@pytest.mark.parametrize("value,code", [("dua", "SOP103"), ("-1", "SOP103"), ("1.5", "SOP103"), ("true", "SOP103")])
def test_version_must_be_a_whole_number(value, code):
    assert codes_at(parse(fm(f"id: SOP-A-001\nversion: {value}\n"))) == [(code, 3)]


def test_team_must_be_a_mapping():
    assert codes_at(parse(fm("id: SOP-A-001\ntim: [Rina]\n"))) == [("SOP103", 3)]


def test_records_must_be_a_list():
    assert codes_at(parse(fm("id: SOP-A-001\npengesahan: Rina\n"))) == [("SOP103", 3)]


def test_bad_status_and_enum_values():
    assert codes_at(parse(fm("id: SOP-A-001\nstatus: selesai\n"))) == [("SOP107", 3)]
    assert codes_at(parse(fm("approvals:\n  - role: bos\n"))) == [("SOP109", 3)]
    assert codes_at(parse(fm("simulations:\n  - result: ok\n"))) == [("SOP109", 3)]


@pytest.mark.parametrize("value", ["ya", "tidak", '"true"', '"false"', "1", "0", "mungkin", "null", '""', "[true]"])
def test_confidential_fails_closed(value):
    """Only a real boolean false is public: every other value is an error and counts as confidential."""
    sop = parse(fm(f"rahasia: {value}\n"))
    assert sop.confidential is True and codes_at(sop) == [("SOP115", 2)]


@pytest.mark.parametrize("text,confidential", [
    ("rahasia: false\n", False), ("confidential: no\n", False), ("", False),
    ("rahasia: true\n", True), ("confidential: yes\n", True),
    # a misspelt or repeated key cannot turn the flag off
    ("confidental: true\n", True), ("confidential: true\nconfidential: false\n", True),
    ("rahasia: true\nconfidential: false\n", True),
])
def test_confidential_flag_spellings(text, confidential):
    assert parse(fm(text)).confidential is confidential


def test_unknown_yaml_tag_is_an_error():
    sop = parse(fm("judul: !foo Permintaan\n"))
    assert [c for c, _ in codes_at(sop)] == ["SOP101"] and "!foo" in sop.diagnostics[0].message


def test_review_interval_must_be_positive():
    assert codes_at(parse(fm("reviu:\n  interval_bulan: 0\n"))) == [("SOP103", 3)]


def test_every_top_level_line_points_at_its_key():
    sop = parse(VALID_SOP)
    lines = VALID_SOP.splitlines()
    for canon, line in sop.field_lines.items():
        if "." not in canon:
            alias = aliases.KEYS["front_matter"][canon]
            assert lines[line - 1].startswith((canon + ":", alias + ":")), (canon, line)


def test_unclosed_front_matter_is_reported_once_at_the_opening_fence():
    sop = parse("---\nid: SOP-A-001\ntitle: A\n\n## Prosedur\n\n1. Langkah\n")
    assert codes_at(sop) == [("SOP100", 1)]
    assert "never closed" in sop.diagnostics[0].message


def test_front_matter_closed_by_dots():
    sop = parse("---\nid: SOP-A-001\n...\n## Prosedur\n\n1. A\n")
    assert sop.diagnostics == [] and sop.id == "SOP-A-001" and sop.steps[0].line == 6
