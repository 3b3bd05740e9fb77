"""No input raises: every crash input of issue 11 gives a located diagnostic and exit status 1.

Each case is the valid fixture SOP with one hostile edit.  ``sop lint`` must
report the edit at its line (not a traceback, not exit 3); the other
commands that read the SOP (json, simulate, due, html export, sign) must not
crash either, and ``sop json`` must stay strict JSON (no Infinity / NaN).
The shared site build that publishes every good SOP among these broken ones
lives in ``test_fuzz_build.py``.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import VALID_SOP, VALID_UNITS, line_of, mutate, write_tree
from sop_plugin import limits
from sop_plugin.cli import main

FILE = "sops/biro-umum/a.md"
TODAY = ["--today", "2026-06-01"]
NINES = "9" * 309  # float("9" * 309) is infinity

DIGEST_HUGE_STEPS = "sha256:" + "a" * 64 + ";v1;version=2;steps=" + "9" * 4301 + ";parts=AAAA"
MONEV_9999 = "monev:\n  - {tanggal: 9999-12-31, oleh: Tim BPM, temuan: Sesuai, rekomendasi: keep}\nreviu:\n"


def _steps(n: int) -> str:
    return "".join(f"{i}. Memeriksa berkas nomor {i}.\n    - pelaksana: Staf Gudang\n    - waktu: 5 menit\n\n"
                   for i in range(1, n + 1))


def _with_procedure(steps: str) -> str:
    head, _, _ = VALID_SOP.partition("## Prosedur\n")
    return head + "## Prosedur\n\n" + steps


# name -> (SOP text, expected code, a needle on the expected line, or a line number)
CASES: dict[str, tuple[str, str, str | int]] = {
    "lanjut-superscript-digit": (mutate(VALID_SOP, "    - lanjut: serah\n", "    - lanjut: ²\n"), "SOP306",
                                 "lanjut: ²"),
    "branch-circled-digit": (mutate(VALID_SOP, "- Tidak -> selesai", "- Tidak -> ①"), "SOP306", "Tidak -> ①"),
    "branch-arabic-indic-probability": (mutate(VALID_SOP, "Ya (80%)", "Ya (٨٠%)"), "SOP311", "Ya (٨٠%)"),
    "step-word-unicode-digit": (mutate(VALID_SOP, "    - lanjut: serah\n", "    - lanjut: langkah ４\n"),
                                "SOP306", "langkah ４"),
    "effective-9999": (mutate(VALID_SOP, "tanggal_efektif: 2026-04-01", "tanggal_efektif: 9999-12-31"), "SOP112",
                       "tanggal_efektif"),
    "monev-date-9999": (mutate(VALID_SOP, "reviu:\n", MONEV_9999), "SOP112", "9999-12-31"),
    "interval-100000": (mutate(VALID_SOP, "interval_bulan: 12", "interval_bulan: 100000"), "SOP112",
                        "interval_bulan"),
    "interval-4400-digits": (mutate(VALID_SOP, "interval_bulan: 12", "interval_bulan: " + "9" * 4400), "SOP112",
                             "interval_bulan"),
    "version-huge": (mutate(VALID_SOP, "versi: 2\n", "versi: " + "9" * 30 + "\n"), "SOP112", 5),
    "duration-309-nines": (mutate(VALID_SOP, "waktu: 15 menit", f"waktu: {NINES} menit"), "SOP305", "waktu: 999"),
    "duration-centuries": (mutate(VALID_SOP, "waktu: 15 menit", "waktu: 99999999 hari"), "SOP305",
                           "waktu: 99999999"),
    "duration-iso-infinite": (mutate(VALID_SOP, "waktu: 15 menit", f"waktu: PT{NINES[:250]}H"), "SOP305",
                              "waktu: PT"),
    "duration-hr": (mutate(VALID_SOP, "waktu: 1 hari", "waktu: 2 hr"), "SOP305", "waktu: 2 hr"),
    "duration-unicode-digit": (mutate(VALID_SOP, "waktu: 1 hari", "waktu: ² hari"), "SOP305", "waktu: ² hari"),
    "probability-309-nines": (mutate(VALID_SOP, "Ya (80%)", f"Ya ({NINES}%)"), "SOP310", "Ya (999"),
    "digest-4301-digit-steps": (mutate(VALID_SOP, "    tanggal: 2026-03-05\n",
                                       f"    tanggal: 2026-03-05\n    digest: {DIGEST_HUGE_STEPS}\n"), "SOP409",
                                "digest: sha256"),
    "digest-unicode-version": (mutate(VALID_SOP, "    tanggal: 2026-03-05\n",
                                      "    tanggal: 2026-03-05\n    digest: sha256:" + "a" * 64
                                      + ";v1;version=²;steps=1;parts=AAAA\n"), "SOP409", "digest: sha256"),
    # the procedure heading followed by 100,000 spaces and a word is no longer the procedure heading
    "heading-100000-spaces": (mutate(VALID_SOP, "## Prosedur", "## Prosedur" + " " * 100_000 + "x"), "SOP300", 47),
    "too-many-steps": (_with_procedure(_steps(limits.MAX_STEPS + 50)), "SOP318",
                       f"{limits.MAX_STEPS + 1}. Memeriksa"),
    "front-matter-over-limit": (mutate(VALID_SOP, "pencatatan: [Kartu persediaan]",
                                       "pencatatan: [" + "Kartu, " * 20_000 + "Buku]"), "SOP111", 1),
    "front-matter-10-mb-list": ("---\nnomor: SOP-UMUM-004\npencatatan:\n" + "  - Kartu persediaan\n" * 500_000
                                + "---\n\n## Prosedur\n\n1. Memeriksa.\n    - pelaksana: Staf\n", "SOP111", 1),
}


def _line(text: str, where: str | int) -> int:
    return where if isinstance(where, int) else line_of(text, where)


@pytest.fixture
def broken(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def make(name: str) -> tuple[str, str, int]:
        text, code, where = CASES[name]
        write_tree(tmp_path / "sops", {"biro-umum/a.md": text}, VALID_UNITS)
        return text, code, _line(text, where)

    return make


@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_reports_the_bad_value_at_its_line_and_exits_1(name, broken, capsys):
    text, code, line = broken(name)
    started = time.perf_counter()
    status = main(["lint", *TODAY, "--format", "json", FILE])
    elapsed = time.perf_counter() - started
    out = capsys.readouterr()
    assert status == 1, out.err[-2000:]
    found = json.loads(out.out)
    assert {"file": FILE, "line": line, "code": code} in [
        {k: d[k] for k in ("file", "line", "code")} for d in found], found[:5]
    assert all(d["file"] == FILE and d["line"] >= 1 for d in found)
    assert "Traceback" not in out.err
    assert elapsed < 30, f"{name}: lint took {elapsed:.1f} s"  # a hang guard, not a benchmark


def test_the_10_mb_front_matter_names_the_size_not_aliases(broken, capsys):
    broken("front-matter-10-mb-list")
    assert main(["lint", *TODAY, "--lang", "en", FILE]) == 1
    out = capsys.readouterr().out
    assert re.search(r":1:1: SOP111 error: the file is 10\.\d MB; an SOP file may be at most 1\.0 MB", out)
    assert "alias" not in out and out.count("SOP1") == 1


def test_a_front_matter_over_its_limit_is_not_read(broken, capsys):
    broken("front-matter-over-limit")
    assert main(["lint", *TODAY, "--lang", "en", FILE]) == 1
    out = capsys.readouterr().out
    assert f"it may be at most {limits.size_msg(limits.MAX_FRONT_MATTER_BYTES).text('en')}, so it was not read" in out


def test_hr_asks_jam_atau_hari(broken, capsys):
    broken("duration-hr")
    main(["lint", *TODAY, FILE])
    assert "jam atau hari?" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_commands_do_not_crash_and_json_stays_strict(name, broken, capsys, tmp_path):
    broken(name)

    def strict(text: str):
        return json.loads(text, parse_constant=lambda c: pytest.fail(f"{name}: {c} in JSON output"))

    assert main(["json", "--include-drafts", *TODAY, "sops"]) == 0
    doc = strict(capsys.readouterr().out)
    assert doc["count"] >= 0
    assert main(["due", *TODAY, "--format", "json", "sops"]) in (0, 1)
    strict(capsys.readouterr().out)
    assert main(["simulate", *TODAY, "--cases", "20", "--format", "json", FILE]) in (0, 1)
    out = capsys.readouterr()
    if out.out.strip():
        strict(out.out)
    if name.startswith("front-matter"):
        return  # no readable id: nothing to export
    # --force: an SOP with errors is refused (exit 1) unless forced; forced, it must still render
    assert main(["export", *TODAY, "--force", "--html", str(tmp_path / "out.html"), "SOP-UMUM-004"]) == 0
    assert (tmp_path / "out.html").stat().st_size > 1000
