"""Review cycle and socialisation: ``due_report`` and ``sop due``."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import VALID_SOP, mutate
from sop_plugin.cli import main
from sop_plugin.corpus import load_corpus
from sop_plugin.lifecycle import NOT_SOCIALISED, OVERDUE, UPCOMING, due_report, next_review
from sop_plugin.parsing import parse_sop
from sop_plugin.settings import Settings

# VALID_SOP: effective 2026-04-01, review every 12 months -> next review 2027-04-01, socialised 2026-04-03.


def sop_with_id(text: str, n: int) -> str:
    return mutate(text, "nomor: SOP-UMUM-004", f"nomor: SOP-UMUM-{n:03d}")


@pytest.fixture
def tree(sop_tree):
    overdue = sop_with_id(mutate(VALID_SOP, "interval_bulan: 12", "interval_bulan: 6"), 1)  # due 2026-10-01
    upcoming = sop_with_id(VALID_SOP, 2)  # due 2027-04-01
    reviewed = sop_with_id(mutate(VALID_SOP, "riwayat_revisi:", "monev:\n  - {tanggal: 2027-03-01, oleh: Tim BPM, "
                                                               "rekomendasi: keep}\nriwayat_revisi:"), 3)  # 2028-03-01
    unsocialised = sop_with_id(mutate(VALID_SOP, "  - tanggal: 2026-04-03", "  - tanggal: 2026-03-20"), 4)
    draft = sop_with_id(mutate(mutate(VALID_SOP, "status: effective", "status: draft"),
                               "interval_bulan: 12", "interval_bulan: 1"), 5)
    return sop_tree({"a/overdue.md": overdue, "a/upcoming.md": upcoming, "a/reviewed.md": reviewed,
                     "a/unsocialised.md": unsocialised, "a/draft.md": draft})


def report(root, today, within=None):
    s = Settings(today=today)
    return due_report(load_corpus(root, s, display_base=root), s, within)


def test_next_review_uses_last_monitoring_record():
    sop = parse_sop("a.md", VALID_SOP)
    assert next_review(sop) == dt.date(2027, 4, 1)
    sop2 = parse_sop("a.md", mutate(VALID_SOP, "riwayat_revisi:", "monev:\n  - {tanggal: 2027-03-31}\nriwayat_revisi:"))
    assert next_review(sop2) == dt.date(2028, 3, 31)


def test_report_kinds_and_order(tree):
    items = report(tree, dt.date(2027, 3, 15))
    assert [(i.kind, i.sop_id) for i in items] == [
        (OVERDUE, "SOP-UMUM-001"),
        (NOT_SOCIALISED, "SOP-UMUM-004"),
        (UPCOMING, "SOP-UMUM-002"),
        (UPCOMING, "SOP-UMUM-004"),
    ]
    overdue = items[0]
    assert overdue.due == dt.date(2026, 10, 1) and overdue.days == -165
    assert items[2].due == dt.date(2027, 4, 1) and items[2].days == 17
    assert items[1].due == dt.date(2026, 4, 1)  # effective since


def test_window_is_configurable(tree):
    kinds = [(i.kind, i.sop_id) for i in report(tree, dt.date(2027, 3, 15), within=10)]
    assert (UPCOMING, "SOP-UMUM-002") not in kinds and (OVERDUE, "SOP-UMUM-001") in kinds
    assert [(i.kind, i.sop_id) for i in report(tree, dt.date(2026, 4, 1), within=0)] == [
        (NOT_SOCIALISED, "SOP-UMUM-004")]


def test_due_today_is_upcoming_and_yesterday_overdue(tree):
    today = [(i.kind, i.days) for i in report(tree, dt.date(2027, 4, 1)) if i.sop_id == "SOP-UMUM-002"]
    after = [(i.kind, i.days) for i in report(tree, dt.date(2027, 4, 2)) if i.sop_id == "SOP-UMUM-002"]
    assert today == [(UPCOMING, 0)] and after == [(OVERDUE, -1)]


def run(root, *args):
    return main(["due", str(root), *args])


def test_cli_exit_1_when_overdue(tree, capsys):
    assert run(tree, "--today", "2027-03-15", "--lang", "en") == 1
    out, err = capsys.readouterr()
    assert "OVERDUE" in out and "SOP-UMUM-001" in out and "NOT SOCIALISED" in out and "UPCOMING" in out
    assert "review was due 2026-10-01 (165 d ago)" in out and "1 overdue, " in err
    assert "SOP-UMUM-005" not in out  # drafts are not in force
    assert run(tree, "--today", "2027-03-15") == 1  # the site's language: Indonesian by default
    out, err = capsys.readouterr()
    assert "TERLAMBAT" in out and "BELUM SOSIALISASI" in out and "SEGERA" in out
    assert "reviu jatuh tempo 2026-10-01 (165 hr lalu)" in out and "1 terlambat, " in err


def test_cli_exit_0_when_only_upcoming(sop_tree, capsys):
    root = sop_tree({"a.md": VALID_SOP})
    assert run(root, "--today", "2027-03-15") == 0
    assert "SEGERA" in capsys.readouterr().out
    assert run(root, "--today", "2026-06-01") == 0
    assert capsys.readouterr().out == ""


def test_cli_json(tree, capsys):
    assert run(tree, "--today", "2027-03-15", "--within", "30", "--format", "json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["today"] == "2027-03-15"
    first = data["items"][0]
    assert first["kind"] == "overdue" and first["id"] == "SOP-UMUM-001" and first["due"] == "2026-10-01"
    assert first["path"].endswith("overdue.md") and first["days"] == -165


def test_cli_single_file(tree, capsys):
    assert run(tree / "a" / "upcoming.md", "--today", "2027-03-15") == 0
    out = capsys.readouterr().out
    assert "SOP-UMUM-002" in out and "SOP-UMUM-001" not in out


@pytest.mark.parametrize("args", [("--within", "-1"), ("--today", "15-03-2027"), ("--format", "xml")])
def test_cli_usage_errors_exit_2(tree, args):
    with pytest.raises(SystemExit) as exc:
        run(tree, *args)
    assert exc.value.code == 2


def test_cli_missing_path_exit_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        run(tmp_path / "nope")
    assert exc.value.code == 2
