"""``sop lint``: output formats, exit codes, path handling, and robustness on garbage."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from conftest import VALID_SOP, VALID_UNITS, mutate, write_tree
from sop_plugin import codes
from sop_plugin.checks import validate
from sop_plugin.cli import main
from sop_plugin.model import Corpus
from sop_plugin.parsing import parse_sop
from sop_plugin.parsing.units import parse_units
from sop_plugin.settings import Settings

TODAY = ["--today", "2026-06-01"]
DRAFT = mutate(VALID_SOP, "status: effective", "status: draft")  # no findings at all
BROKEN = mutate(VALID_SOP, "waktu: 1 hari", "waktu: sehari")  # one error: SOP305 at line 75
LINE_RE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>SOP\d{3}) "
                     r"(?P<sev>error|warning|info): (?P<msg>.+?)(?: \((?P<hint>.*)\))?$")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder (the cwd) with ``sops/``; returns a function that fills the tree."""
    monkeypatch.chdir(tmp_path)

    def make(files: dict[str, str | bytes], units: str | None = VALID_UNITS) -> Path:
        return write_tree(tmp_path / "sops", files, units)

    return make


def sop(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = [sys.executable, "-m", "sop_plugin"]
    return subprocess.run([*exe, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def lint(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- through a real process ------------------------------------------------------

def test_subprocess_clean_tree_exits_0(project, tmp_path):
    project({"biro-umum/a.md": DRAFT})
    r = sop("lint", *TODAY, cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, "")
    assert "1 berkas diperiksa: 0 galat, 0 peringatan" in r.stderr  # the site's language: id by default
    r = sop("lint", *TODAY, "--lang", "en", cwd=tmp_path)
    assert "1 file checked: 0 errors, 0 warnings" in r.stderr


def test_subprocess_text_format_and_exit_1(project, tmp_path):
    project({"biro-umum/a.md": BROKEN})
    r = sop("lint", "sops", *TODAY, "--lang", "en", cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[-1] == ("sops/biro-umum/a.md:75:1: SOP305 error: step 3: cannot read the duration 'sehari' "
                         f"({codes.BAD_DURATION.hint})")
    for line in lines:
        m = LINE_RE.match(line)
        assert m and m["code"] in codes.REGISTRY and m["file"] == "sops/biro-umum/a.md"
    assert "1 error, 3 warnings" in r.stderr


def test_console_script_is_installed(project, tmp_path):
    project({"biro-umum/a.md": DRAFT})
    exe = Path(sys.executable).with_name("sop")
    cmd = [str(exe)] if exe.exists() else ["sop"]
    r = subprocess.run([*cmd, "lint", *TODAY], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0


def test_subprocess_usage_errors_exit_2(project, tmp_path):
    project({"biro-umum/a.md": DRAFT})
    for args in (["lint", "nope/"], ["lint", "--bogus"], ["lint", "--format", "xml"], ["lint", "--today", "kemarin"]):
        r = sop(*args, cwd=tmp_path)
        assert r.returncode == 2, args
        assert "Traceback" not in r.stderr and r.stderr.strip()


# -- through main(argv) ------------------------------------------------------------

def test_json_format(project, capsys):
    project({"biro-umum/a.md": BROKEN})
    code, out, _ = lint(capsys, "--format", "json", "--lang", "en", *TODAY)
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list) and len(data) == 4
    for item in data:
        assert set(item) == {"file", "line", "column", "code", "severity", "message", "hint"}
    assert data[-1] == {"file": "sops/biro-umum/a.md", "line": 75, "column": 1, "code": "SOP305",
                        "severity": "error", "message": "step 3: cannot read the duration 'sehari'",
                        "hint": codes.BAD_DURATION.hint}
    assert [d["code"] for d in data[:3]] == ["SOP406"] * 3


def test_json_empty_array_when_clean(project, capsys):
    project({"biro-umum/a.md": DRAFT})
    assert lint(capsys, "--format", "json", *TODAY)[:2] == (0, "[]\n")


def test_warnings_alone_exit_0_and_strict_makes_them_errors(project, capsys):
    project({"biro-umum/a.md": VALID_SOP})
    code, out, err = lint(capsys, *TODAY)
    assert code == 0 and out.count(" SOP406 warning: ") == 3
    code, out, err = lint(capsys, "--strict", *TODAY)
    assert code == 1 and out.count(" SOP406 error: ") == 3 and "3 galat, 0 peringatan" in err


def test_require_signed(project, capsys):
    project({"biro-umum/a.md": VALID_SOP})
    code, out, _ = lint(capsys, "--require-signed", *TODAY)
    assert code == 1 and out.count(" SOP406 error: ") == 3


def test_info_only_with_show_info(project, capsys):
    project({"biro-umum/a.md": mutate(DRAFT, "pelaksana: Pemohon", "pelaksana: Tamu")})
    assert lint(capsys, *TODAY)[:2] == (0, "")
    code, out, _ = lint(capsys, "--show-info", *TODAY)
    assert code == 0 and out.startswith("sops/biro-umum/a.md:60:1: SOP207 info: ")


def test_today_decides_review_due(project, capsys):
    project({"biro-umum/a.md": DRAFT.replace("status: draft", "status: effective")})
    _, out, _ = lint(capsys, "--today", "2027-06-01")
    assert "sops/biro-umum/a.md:42:1: SOP503 warning: " in out


def test_usage_errors_via_main(project, capsys):
    project({"biro-umum/a.md": DRAFT})
    with pytest.raises(SystemExit) as exc:
        main(["lint", "missing.md"])
    assert exc.value.code == 2 and "'missing.md' does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["lint", "--nope"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["lint", "--config-file", "nope.yml"])
    assert exc.value.code == 2


def test_default_path_is_sops_in_cwd(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["lint"])
    assert exc.value.code == 2 and "sops" in capsys.readouterr().err
    write_tree(tmp_path / "sops", {"a.md": BROKEN})
    code, out, _ = lint(capsys, *TODAY)
    assert code == 1 and "sops/a.md:75:1: SOP305 error" in out


def test_sops_dir_from_mkdocs_yml(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "prosedur", {"a.md": BROKEN})
    (tmp_path / "mkdocs.yml").write_text("site_name: X\nplugins:\n  - sop:\n      sops_dir: prosedur\n")
    code, out, _ = lint(capsys, *TODAY)
    assert code == 1 and "prosedur/a.md:75:1: SOP305" in out


def test_single_file_resolves_against_its_tree_and_reports_only_that_file(project, capsys):
    other = mutate(mutate(BROKEN, "nomor: SOP-UMUM-004", "nomor: SOP-KEU-002"), "status: effective", "status: draft")
    linked = mutate(DRAFT, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-KEU-002]")
    project({"biro-umum/a.md": linked, "keuangan/b.md": other})
    code, out, err = lint(capsys, "sops/biro-umum/a.md", *TODAY)
    assert (code, out) == (0, "") and "1 berkas diperiksa" in err  # unit and related SOP resolve
    code, out, _ = lint(capsys, "sops/keuangan/b.md", *TODAY)
    assert code == 1 and all(line.startswith("sops/keuangan/b.md:") for line in out.splitlines())


def test_file_reports_duplicate_id_found_in_its_tree(project, capsys):
    project({"biro-umum/a.md": DRAFT, "keuangan/b.md": DRAFT})
    code, out, _ = lint(capsys, "sops/keuangan/b.md", *TODAY)
    assert code == 1 and out.startswith("sops/keuangan/b.md:2:1: SOP201 error: ")


def test_subfolder_resolves_against_its_tree(project, capsys):
    linked = mutate(DRAFT, "pencatatan: [Kartu persediaan]", "keterkaitan: [SOP-KEU-002]")
    other = mutate(mutate(BROKEN, "nomor: SOP-UMUM-004", "nomor: SOP-KEU-002"), "status: effective", "status: draft")
    project({"biro-umum/a.md": linked, "keuangan/b.md": other})
    code, out, err = lint(capsys, "sops/biro-umum", *TODAY)
    assert (code, out) == (0, "") and "1 berkas diperiksa" in err


def test_named_file_outside_the_tree_walk_is_still_checked(project, capsys):
    project({"biro-umum/README.md": BROKEN})
    code, out, err = lint(capsys, "sops/biro-umum/README.md", *TODAY)
    assert code == 1 and "sops/biro-umum/README.md:75:1: SOP305" in out and "1 berkas diperiksa" in err


def test_units_file_problems_are_reported_for_the_tree(project, capsys):
    project({"biro-umum/a.md": DRAFT}, units=VALID_UNITS + "keuangan:\n  name: Lagi\n")
    code, out, _ = lint(capsys, "sops", *TODAY)
    assert code == 1 and out.startswith("sops/units.yml:12:1: SOP206 error: ")


# -- garbage in, diagnostics out -----------------------------------------------------

GARBAGE = {
    "binary.md": bytes(range(256)) * 4,
    "empty.md": "",
    "list.md": "---\n- a\n- b\n---\n",
    "scalar.md": "---\njust a string\n---\n",
    "nul.md": "---\nid: SOP-A-001\ntitle: a\x00b\n---\n",
    "unclosed.md": "---\nid: SOP-A-001\ntitle: [\n",
    "markdown.md": "---\nid: SOP-A-001\n---\n## Prosedur\n\n1. - - - 2. * ]]] {#} ->\n" + "    " * 40 + "- x\n"
                   + "> " * 500 + "\n1. keputusan:\n    - keputusan: ?\n        - -> \n        - (200%) -> #\n",
    "deep.md": "---\n" + "[" * 3000 + "\n---\n",
    "aliases.md": "---\na: &a [*a]\n---\n",
    "latin1.md": "---\nid: caf\xe9\n---\n".encode("latin-1"),
}


def test_garbage_never_raises(project, capsys):
    project({f"x/{k}": v for k, v in GARBAGE.items()} | {"biro-umum/a.md": VALID_SOP})
    code, out, err = lint(capsys, "--format", "json", "--show-info", *TODAY)
    assert code == 1
    data = json.loads(out)
    assert {d["code"] for d in data} <= set(codes.REGISTRY)
    reported = {d["file"] for d in data}
    assert {f"sops/x/{k}" for k in GARBAGE} <= reported


def test_garbage_via_subprocess_has_no_traceback(project, tmp_path):
    project({f"x/{k}": v for k, v in GARBAGE.items()})
    r = sop("lint", "sops", *TODAY, cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert all(LINE_RE.match(line) for line in r.stdout.splitlines())


# -- fuzz -----------------------------------------------------------------------------

_UNITS, _ = parse_units(VALID_UNITS, "units.yml")
_LINES = VALID_SOP.splitlines(keepends=True)
_SETTINGS = Settings(today=__import__("datetime").date(2026, 6, 1))

_edit = st.one_of(
    st.tuples(st.just("delete_line"), st.integers(0, len(_LINES) - 1), st.just("")),
    st.tuples(st.just("insert_line"), st.integers(0, len(_LINES)),
              st.sampled_from(["---\n", "- x\n", "    - lanjut: 9\n", "1. A\n", "## Prosedur\n", "  a: [\n",
                               "    - keputusan: ?\n", "        - Ya (90%) -> 1\n", "\t\n", "status: retired\n",
                               "pengesahan: x\n", "\ufeff\n", "nomor: SOP-UMUM-004\n"])),
    st.tuples(st.just("chars"), st.integers(0, len(VALID_SOP)), st.text(max_size=5)),
    st.tuples(st.just("cut"), st.integers(0, len(VALID_SOP)), st.integers(0, 40).map(str)),
    st.tuples(st.just("dup_line"), st.integers(0, len(_LINES) - 1), st.just("")),
)


def _apply(text_lines: list[str], text: str, edit) -> str:
    kind, pos, arg = edit
    if kind == "delete_line":
        lines = text.splitlines(keepends=True)
        return "".join(lines[:pos] + lines[pos + 1:])
    if kind == "insert_line":
        lines = text.splitlines(keepends=True)
        return "".join(lines[:pos] + [arg] + lines[pos:])
    if kind == "dup_line":
        lines = text.splitlines(keepends=True)
        return "".join(lines[:pos + 1] + lines[pos:])
    if kind == "cut":
        return text[:pos] + text[pos + int(arg):]
    return text[:pos] + arg + text[pos:]


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_edit, min_size=1, max_size=4))
def test_fuzzed_fixture_never_raises(edits):
    text = VALID_SOP
    for e in edits:
        text = _apply(_LINES, text, e)
    parsed = parse_sop("f.md", text, _SETTINGS)
    corpus = Corpus(root=".", sops=[parsed], units=_UNITS, units_path="units.yml")
    diags = validate(corpus, _SETTINGS)
    for d in diags:
        assert d.code in codes.REGISTRY
        assert d.file == "f.md" and d.line >= 1 and d.column >= 1
        assert d.line <= max(1, text.count("\n") + 2), (d, text)
        assert isinstance(d.message, str) and d.message


@hsettings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    for t in (text, "---\n" + text, "---\n" + text + "\n---\n## Prosedur\n\n1. " + text):
        parsed = parse_sop("r.md", t, _SETTINGS)
        for d in validate(Corpus(root=".", sops=[parsed]), _SETTINGS):
            assert d.code in codes.REGISTRY
