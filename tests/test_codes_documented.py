"""Every diagnostic code is documented, and the generated table is up to date."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from sop_plugin import codes

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reference" / "diagnostics.md"
SCRIPT = ROOT / "scripts" / "gen_diagnostics_doc.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_diagnostics_doc", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_registered_code_has_a_row():
    text = DOC.read_text(encoding="utf-8")
    for code, c in codes.REGISTRY.items():
        row = re.search(rf"^\| <span id=\"{code.lower()}\"></span>`{code}` \| {c.severity.value} \|.*\|$",
                        text, re.MULTILINE)
        assert row, f"{code} is not documented in {DOC}; run python scripts/gen_diagnostics_doc.py"


def test_every_registered_code_has_an_example_line():
    text = DOC.read_text(encoding="utf-8")
    for code, c in codes.REGISTRY.items():
        assert re.search(rf"^\S+\.md:\d+:1: {code} {c.severity.value}: .+$", text, re.MULTILINE), code


def test_no_documented_code_is_unknown():
    documented = set(re.findall(r"`(SOP\d{3})`", DOC.read_text(encoding="utf-8")))
    assert documented <= set(codes.REGISTRY)


def test_generated_table_is_up_to_date():
    gen = _generator()
    assert gen.main(["--check"]) == 0, "docs/reference/diagnostics.md is out of date; run scripts/gen_diagnostics_doc.py"


def test_check_mode_detects_a_stale_table(tmp_path):
    gen = _generator()
    stale = tmp_path / "d.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("`SOP305`", "`SOP999`"), encoding="utf-8")
    assert gen.main(["--check", "--doc", str(stale)]) == 1
    assert gen.main(["--doc", str(stale)]) == 0
    assert gen.main(["--check", "--doc", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")


def test_examples_match_what_the_validator_prints(sop_tree):
    """Example lines of codes that tests/test_checks.py exercises are real output for its fixture."""
    from conftest import lint
    from test_checks import CASES, FILE

    gen = _generator()
    seen: dict[str, set[tuple[int, str]]] = {}
    for i, (_, text, _) in enumerate(CASES):
        for d in lint(sop_tree({FILE: text}, name=f"t{i}")):
            seen.setdefault(d.code, set()).add((d.line, d.message))
    checked = [code for code in gen.EXAMPLES if code in seen]
    assert len(checked) >= 40
    for code in checked:
        assert gen.EXAMPLES[code] in seen[code], (code, sorted(seen[code]))
