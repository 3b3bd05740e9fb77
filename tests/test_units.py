"""units.yml: work units, their roles, and its diagnostics."""

from __future__ import annotations

import pytest

from conftest import VALID_UNITS
from sop_plugin.parsing.units import parse_units


def parse(text: str):
    return parse_units(text, "units.yml")


def codes_at(diags) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in diags]


def test_valid_units():
    units, diags = parse(VALID_UNITS)
    assert diags == []
    assert list(units) == ["biro-umum", "keuangan"]
    u = units["biro-umum"]
    assert (u.name, u.line, u.parent) == ("Biro Umum", 1, None)
    assert u.duties == ["Mengelola persediaan barang"]
    assert u.authority == ["Menyerahkan barang persediaan"]
    assert u.roles == ["Pemohon", "Staf Gudang", "Bendahara", "Pejabat Pengadaan"]
    assert u.demand == ["Pemenuhan barang persediaan"] and u.enablers == ["Aplikasi SAKTI"]
    assert units["keuangan"].parent == "biro-umum" and units["keuangan"].line == 8


def test_english_and_indonesian_keys_mean_the_same():
    a, _ = parse("u:\n  name: U\n  duties: [A]\n  authority: [B]\n  roles: [R]\n  demand: [D]\n  enablers: [E]\n"
                 "  capacity: {R: 2}\n")
    b, _ = parse("u:\n  nama: U\n  tugas: [A]\n  wewenang: [B]\n  peran: [R]\n  proses_bisnis: [D]\n"
                 "  pendukung: [E]\n  kapasitas: {R: 2}\n")
    assert a == b
    assert a["u"].capacity == {"R": 2}


def test_top_level_units_wrapper_is_tolerated():
    units, diags = parse("units:\n  u:\n    name: U\n")
    assert diags == [] and units["u"].name == "U" and units["u"].line == 2


def test_name_defaults_to_the_key():
    units, diags = parse("u:\n")
    assert diags == [] and units["u"].name == "u"


def test_unknown_key_with_suggestion():
    _, diags = parse("u:\n  name: U\n  tugass: [A]\n")
    assert codes_at(diags) == [("SOP206", 3)]
    assert diags[0].hint == "did you mean 'tugas'?"


def test_invalid_yaml_line():
    _, diags = parse("u:\n  name: U\n roles: [A\n")
    assert [d.code for d in diags] == ["SOP206"] and diags[0].line >= 3


def test_not_a_mapping():
    assert codes_at(parse("- a\n- b\n")[1]) == [("SOP206", 1)]


def test_unit_not_a_mapping():
    units, diags = parse("u: Biro Umum\nv:\n  name: V\n")
    assert codes_at(diags) == [("SOP206", 1)] and list(units) == ["v"]


def test_list_field_of_wrong_type():
    assert codes_at(parse("u:\n  roles: {a: 1}\n")[1]) == [("SOP206", 2)]


def test_unknown_parent():
    assert codes_at(parse("a:\n  name: A\nb:\n  parent: c\n")[1]) == [("SOP206", 3)]


def test_role_in_two_units():
    _, diags = parse("a:\n  roles: [Staf]\nb:\n  roles: [Staf]\n")
    assert codes_at(diags) == [("SOP206", 3)] and "Staf" in diags[0].message


def test_duplicate_unit_key():
    assert codes_at(parse("a:\n  name: A\na:\n  name: B\n")[1]) == [("SOP206", 3)]


def test_bad_capacity():
    assert codes_at(parse("a:\n  capacity: {Staf: 0}\n")[1]) == [("SOP206", 2)]
    assert codes_at(parse("a:\n  capacity: 3\n")[1]) == [("SOP206", 2)]


def test_empty_file():
    assert parse("") == ({}, [])
    assert parse("# only a comment\n") == ({}, [])


@pytest.mark.parametrize("field, value, line", [
    ("tugas", "{a: 1}", 3), ("duties", "{a: 1}", 3),
    ("kapasitas", "[2]", 3), ("capacity", "{Staf: nol}", 3),
    ("penomoran", "SOP-UMUM", 3), ("tim", "[A]", 3),
])
def test_a_field_problem_is_at_the_field_whichever_name_it_is_written_under(field, value, line):
    _, diags = parse(f"u:\n  nama: U\n  {field}: {value}\n")
    assert codes_at(diags) == [("SOP206", line)], diags
