"""Exit statuses of ``sop``: 0 done, 1 findings, 2 usage, 3 internal error; output paths checked up front."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import VALID_SOP, VALID_UNITS, mutate, write_tree
from sop_plugin.cli import INTERNAL_ERROR, main

TODAY = ["--today", "2026-06-01"]
DRAFT = mutate(VALID_SOP, "status: effective", "status: draft")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "sops", {"biro-umum/a.md": DRAFT}, VALID_UNITS)
    return tmp_path


def _boom(args):
    raise RuntimeError("simulated bug\nsecond line")


def test_an_internal_error_is_exit_3_with_one_line_and_a_hint(project, monkeypatch, capsys):
    import sop_plugin.cli.lint as lint

    monkeypatch.setattr(lint, "run", _boom)
    assert main(["lint", *TODAY]) == INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("sop lint: internal error (RuntimeError: simulated bug second line). This is a bug")
    assert "--debug" in err and "report" in err


@pytest.mark.parametrize("argv", [["--debug", "lint"], ["lint", "--debug"]])
def test_debug_adds_the_traceback(project, monkeypatch, capsys, argv):
    import sop_plugin.cli.lint as lint

    monkeypatch.setattr(lint, "run", _boom)
    assert main([*argv, *TODAY]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: simulated bug" in err


def test_internal_error_in_a_real_process(project):
    code = ("import sys, sop_plugin.cli.lint as l\n"
            "def boom(args): raise KeyError('x')\n"
            "l.run = boom\n"
            "from sop_plugin.cli import main\n"
            "sys.exit(main(['lint']))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=60)
    assert r.returncode == 3
    assert r.stdout == "" and len(r.stderr.splitlines()) == 1 and "KeyError" in r.stderr


def test_findings_are_exit_1_and_usage_is_exit_2(project, capsys):
    assert main(["lint", *TODAY]) == 0
    (project / "sops/biro-umum/a.md").write_text(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 2 hr"), encoding="utf-8")
    assert main(["lint", *TODAY]) == 1
    with pytest.raises(SystemExit) as exc:
        main(["lint", "missing.md"])
    assert exc.value.code == 2


@pytest.mark.parametrize("strict", [[], ["--strict"]])
def test_an_empty_sop_folder_is_an_error(tmp_path, monkeypatch, capsys, strict):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sops").mkdir()
    assert main(["lint", *strict, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "sops:1:1: SOP113 error: no SOP files (*.md) in sops" in out
    with pytest.raises(SystemExit) as exc:  # a missing one is a usage error
        main(["lint", "nowhere"])
    assert exc.value.code == 2


# -- output paths ----------------------------------------------------------------

def _usage(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    return err


def test_json_out_a_folder(project, capsys):
    assert "--out 'sops' is a folder; name a file in it" in _usage(capsys, ["json", "--out", "sops"])


def test_json_out_below_a_file(project, capsys):
    (project / "afile").write_text("x")
    assert "'afile' is a file, not a folder" in _usage(capsys, ["json", "--out", "afile/x.json"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_json_out_a_full_disk(project, capsys):
    assert "cannot write '/dev/full': No space left on device" in _usage(capsys, ["json", "--out", "/dev/full"])


def test_json_out_dash_is_standard_output_and_a_missing_folder_is_created(project, capsys):
    assert main(["json", "--include-drafts", "--out", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert not (project / "-").exists()
    assert main(["json", "--include-drafts", "--out", "new/dir/x.json"]) == 0
    assert json.loads((project / "new/dir/x.json").read_text(encoding="utf-8"))["count"] == 1


def test_export_pdf_below_a_file_fails_before_any_work(project, capsys, monkeypatch):
    import sop_plugin.cli.export_pdf as export_pdf

    monkeypatch.setattr(export_pdf, "html_to_pdf", lambda *a: pytest.fail("Chromium must not start"))
    (project / "afile").write_text("x")
    err = _usage(capsys, ["export", "--pdf", "afile/x.pdf", "SOP-UMUM-004"])
    assert "--pdf 'afile/x.pdf': 'afile' is a file, not a folder" in err


def test_export_html_to_standard_output(project, capsys):
    assert main(["export", "--html", "-", "SOP-UMUM-004"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    assert not Path(project / "-").exists()


@pytest.mark.parametrize("argv, says", [
    (["lint"], "1 berkas diperiksa"), (["due"], "0 terlambat"), (["verify"], "a.md"),
    (["json", "--include-drafts", "-o", "-"], "SOP-UMUM-004"), (["simulate", "SOP-UMUM-004", "--cases", "20"], "SOP-UMUM-004"),
    (["export", "SOP-UMUM-004", "--html", "-"], "SOP-UMUM-004"),
    (["new", "--unit", "biro-umum", "--title", "Uji", "-o", "-"], "SOP-UMUM-005"),
])
def test_every_command_that_reads_the_sop_folder_takes_sops(project, tmp_path, monkeypatch, capsys, argv, says):
    """One option names the SOP folder everywhere (`new --dir` is its old name)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no ./sops and no mkdocs.yml here
    rc = main([*argv, *TODAY, "--sops", str(project / "sops")])
    out, err = capsys.readouterr()
    assert rc in (0, 1) and "internal error" not in err, err
    assert says in out + err
    with pytest.raises(SystemExit) as exc:  # without it, nothing here: the error says where to look
        main([*argv, *TODAY])
    assert exc.value.code == 2 and "--sops" in capsys.readouterr().err


def test_export_refuses_an_sop_with_errors_in_the_site_language(project, capsys):
    (project / "sops/biro-umum/a.md").write_text(mutate(DRAFT, "waktu: 1 hari", "waktu: 2 hr"), encoding="utf-8")
    out = project / "a.html"
    assert main(["export", *TODAY, "--html", str(out), "SOP-UMUM-004"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("sop export: ") and " memiliki 1 galat; perbaiki dulu (sop lint) atau ekspor dengan --force" in err[0]
    assert main(["export", *TODAY, "--html", str(out), "SOP-UMUM-004", "--lang", "en"]) == 1
    assert " has 1 error; fix them (sop lint) or export with --force" in capsys.readouterr().err
    assert not out.exists()
    assert main(["export", *TODAY, "--html", str(out), "SOP-UMUM-004", "--force"]) == 0
    assert capsys.readouterr().err == f"{out} ditulis\n"
    assert main(["json", *TODAY, "--include-drafts", "--out", "sops.json"]) == 0
    assert capsys.readouterr().err == "1 SOP ditulis ke sops.json\n"
    assert main(["json", *TODAY, "--include-drafts", "--out", "sops.json", "--lang", "en"]) == 0
    assert capsys.readouterr().err == "wrote 1 SOP to sops.json\n"


def test_pages_reports_in_the_site_language(project, capsys):
    (project / "sops/biro-umum/a.md").write_text(mutate(DRAFT, "waktu: 1 hari", "waktu: 2 hr"), encoding="utf-8")
    assert main(["pages", *TODAY, "--out", "docs", "--no-assets"]) == 0
    assert re.fullmatch(r"\d+ halaman ditulis ke docs; 1 galat dalam SOP: jalankan 'sop lint'\n", capsys.readouterr().err)
    assert main(["pages", *TODAY, "--out", "docs", "--no-assets", "--lang", "en"]) == 0
    assert re.fullmatch(r"wrote \d+ pages to docs; 1 error in the SOPs: run 'sop lint'\n", capsys.readouterr().err)
