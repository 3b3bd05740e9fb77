"""Informational lifecycle notes: never socialised (SOP504), unanswered Monev revision (SOP505)."""

from __future__ import annotations

from conftest import VALID_SOP, lint, line_of, mutate

from sop_plugin.model import Severity


def _codes(root, code):
    return [d for d in lint(root) if d.code == code]


def test_valid_fixture_has_no_lifecycle_notes(sop_tree) -> None:
    root = sop_tree({"a.md": VALID_SOP})
    assert _codes(root, "SOP504") == [] and _codes(root, "SOP505") == []


def test_socialisation_before_the_effective_date_does_not_count(sop_tree) -> None:
    text = mutate(VALID_SOP, "  - tanggal: 2026-04-03\n    peserta", "  - tanggal: 2026-03-20\n    peserta")
    found = _codes(sop_tree({"a.md": text}), "SOP504")
    assert [(d.line, d.severity) for d in found] == [(line_of(text, "sosialisasi:"), Severity.INFO)]


def test_revise_recommendation_newer_than_the_last_revision(sop_tree) -> None:
    monev = "monev:\n  - {tanggal: 2026-05-10, oleh: Tim BPM, temuan: Lambat, rekomendasi: revisi}\nreviu:"
    text = mutate(VALID_SOP, "reviu:", monev)
    found = _codes(sop_tree({"a.md": text}), "SOP505")
    assert [(d.line, d.severity) for d in found] == [(line_of(text, "rekomendasi: revisi"), Severity.INFO)]
    # a revision after the finding answers it
    answered = mutate(text, "{versi: 2, tanggal: 2026-03-02", "{versi: 2, tanggal: 2026-05-20")
    assert _codes(sop_tree({"a.md": answered}, name="b"), "SOP505") == []
