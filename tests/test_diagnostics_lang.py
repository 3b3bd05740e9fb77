"""Diagnostics in the reader's language: every one the validator makes can be put into Indonesian
and English, whole (message and hint), and `sop lint`, the build log and the pages show them in the
site's language."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from conftest import VALID_SOP, lint, mutate
from sop_plugin import codes, i18n
from sop_plugin.cli import main
from sop_plugin.model import Diagnostic, Severity

ROOT = Path(__file__).resolve().parent.parent
BROKEN = mutate(VALID_SOP, "waktu: 1 hari", "waktu: sehari")  # SOP305 at line 75, and three SOP406


def _made_by_the_fixtures(sop_tree) -> list[Diagnostic]:
    """What the validator says about every failing fixture of tests/test_checks.py (one per rule)."""
    from test_checks import CASES, FILE

    found = []
    for i, (_, text, _) in enumerate(CASES):
        found.extend(lint(sop_tree({FILE: text}, name=f"t{i}")))
    return found


def test_every_diagnostic_of_the_rule_fixtures_speaks_both_languages(sop_tree):
    found = _made_by_the_fixtures(sop_tree)
    assert len({d.code for d in found}) >= 40
    untranslated = sorted({(d.code, d.message, d.hint) for d in found if not d.translatable})
    assert not untranslated, untranslated
    for d in found:
        ind, eng = d.in_lang("id"), d.in_lang("en")
        assert (eng.message, eng.hint) == (d.message, d.hint)  # made in English, as the docs' examples are
        assert ind.message and ind.message != eng.message, d
        assert (ind.hint != eng.hint) or not eng.hint, d
        assert (ind.file, ind.line, ind.code, ind.severity) == (d.file, d.line, d.code, d.severity)


def _message_arguments(call: ast.Call) -> list[ast.expr]:
    args = list(call.args[2:4])
    args += [k.value for k in call.keywords if k.arg in ("message", "hint")]
    return args


def test_no_diagnostic_is_made_from_plain_english_text():
    """Every ``codes.X.at(file, line, message, hint)`` passes catalogue messages (``msg(...)``), never
    a string written in the code: such a diagnostic could only be shown in English."""
    literal = []
    for path in (ROOT / "sop_plugin").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "at"
                    and len(node.args) >= 3):
                for arg in _message_arguments(node):
                    if isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
                            isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value):
                        literal.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not literal, literal


def test_a_code_without_words_of_its_own_keeps_the_whole_diagnostic_in_english():
    plain = codes.BAD_DURATION.at("a.md", 3, "free text")  # the code's standing hint is translatable
    assert not plain.translatable and plain.in_lang("id") is plain
    said = codes.BAD_DURATION.at("a.md", 3, i18n.msg("diag.schema.no_steps"), "a hint in English only")
    assert not said.translatable and said.in_lang("id").hint == "a hint in English only"
    whole = codes.BAD_DURATION.at("a.md", 3, i18n.msg("diag.schema.no_steps"))
    assert whole.in_lang("id").hint == i18n.t("id", "code.SOP305.hint") != whole.hint


def test_sop_lint_prints_the_site_language_and_lang_chooses(tmp_path, monkeypatch, capsys, sop_tree):
    sop_tree({"biro-umum/a.md": BROKEN})
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--today", "2026-06-01"]) == 1
    out, err = capsys.readouterr()
    last = out.splitlines()[-1]
    assert last.startswith("sops/biro-umum/a.md:75:1: SOP305 error: ")
    assert i18n.t("id", "code.SOP305.hint") in last and "cannot read" not in last
    assert "1 berkas diperiksa: 1 galat, 3 peringatan" in err
    assert main(["lint", "--today", "2026-06-01", "--lang", "en", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[-1]["message"] == "step 3: cannot read the duration 'sehari'"
    assert data[-1]["hint"] == codes.BAD_DURATION.hint
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ntheme:\n  name: material\n  language: en\n", encoding="utf-8")
    assert main(["lint", "--today", "2026-06-01"]) == 1
    out, err = capsys.readouterr()
    assert "cannot read the duration 'sehari'" in out and "1 file checked: 1 error, 3 warnings" in err


def test_the_guide_shows_the_indonesian_message_lint_prints(tmp_path, monkeypatch, capsys, sop_tree):
    """docs/reference/diagnostics.md quotes SOP305 in Indonesian: the real output for its example."""
    sop_tree({"biro-umum/permintaan-barang.md": BROKEN})
    monkeypatch.chdir(tmp_path)
    main(["lint", "--today", "2026-06-01", "--lang", "id"])
    printed = capsys.readouterr().out.splitlines()[-1]
    doc = (ROOT / "docs" / "reference" / "diagnostics.md").read_text(encoding="utf-8")
    assert printed in doc


def test_warnings_and_errors_keep_their_severity_words_in_both_languages():
    d = codes.BAD_DURATION.at("a.md", 3, i18n.msg("diag.schema.no_steps"), severity=Severity.WARNING)
    assert d.format("id").startswith("a.md:3:1: SOP305 warning: ")
    assert d.as_dict("id")["message"] == i18n.t("id", "diag.schema.no_steps")
