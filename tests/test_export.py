"""sops.json: written by the site build and by ``sop json``, valid against the shipped JSON Schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from sop_plugin.export import SCHEMA_VERSION, schema
from test_portal import build_site

FORMAT = jsonschema.FormatChecker()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("export")
    site = build_site(root)
    return root, json.loads((site / "sops.json").read_text(encoding="utf-8"))


def test_site_export_is_valid_and_complete(built):
    root, doc = built
    jsonschema.validate(doc, schema(), format_checker=FORMAT)
    assert doc["schema_version"] == SCHEMA_VERSION == "1"
    assert doc["site"] == {"name": "Portal Uji", "institution": "Universitas Uji", "lang": "id", "today": "2027-01-15",
                           "public": False, "include_drafts": False}
    ids = [s["id"] for s in doc["sops"]]
    assert ids == ["SOP-A-001", "SOP-A-002", "SOP-A-003", "SOP-A-005", "SOP-A-006", "SOP-A-007"]
    assert doc["count"] == 6
    assert doc["units"]["umum"]["sops"] == 3 and doc["units"]["keu"]["parent"] == "umum"


def test_sop_record_fields(built):
    _, doc = built
    a1 = next(s for s in doc["sops"] if s["id"] == "SOP-A-001")
    assert a1["url"] == "sop/sop-a-001/" and a1["status"] == "effective" and a1["in_force"] is True
    assert a1["dates"] == {"created": "2025-03-01", "revised": None, "effective": "2026-01-10",
                           "next_review": "2027-01-10"}
    assert [a["role"] for a in a1["approvals"]] == ["maker", "reviewer", "leader"]
    assert all(a["signed"] is False and a["bound"] is False for a in a1["approvals"])
    assert [a["state"] for a in a1["approvals"]] == ["unsigned"] * len(a1["approvals"])
    s1, s2, s3 = a1["steps"]
    assert s1["inputs"] == ["Formulir Permintaan", "Nota Dinas"] and s1["unit"] == "umum"
    assert s1["duration"] == {"text": "15 menit", "low_minutes": 15, "high_minutes": 15}
    assert s1["flow"] == {"type": "next", "target_step": 2, "end": False}
    assert s2["duration"] == {"text": "1-2 jam", "low_minutes": 60, "high_minutes": 120}
    assert s2["flow"]["type"] == "decision" and s2["flow"]["question"] == "Anggaran tersedia?"
    assert [(b["label"], b["probability"], b["target_step"], b["end"]) for b in s2["flow"]["branches"]] == [
        ("Ya", 0.8, 3, False), ("Tidak", pytest.approx(0.2), None, True)]
    assert s3["flow"] == {"type": "next", "target_step": None, "end": True}
    a2 = next(s for s in doc["sops"] if s["id"] == "SOP-A-002")
    assert a2["steps"][1]["handover"] == "SOP-A-001" and a2["related"] == ["SOP-A-001"]
    assert next(s for s in doc["sops"] if s["id"] == "SOP-A-006")["superseded_by"] == "SOP-A-001"


def test_analysis_summary(built):
    _, doc = built
    a1 = next(s for s in doc["sops"] if s["id"] == "SOP-A-001")["analysis"]
    assert a1 is not None  # every SOP with steps carries its analysis
    # min: 15 min + 1 h, then "Tidak" ends = 75; max: 15 + 120 + 30 = 165
    assert a1["cycle_time_minutes"]["min"] == 75 and a1["cycle_time_minutes"]["max"] == 165
    assert a1["critical_path"] == [1, 2, 3] and a1["decisions"] == 1
    assert a1["handoffs"] == {"actors": 2, "units": 2}


def test_public_export_leaves_confidential_out(tmp_path):
    site = build_site(tmp_path, public=True)
    text = (site / "sops.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    jsonschema.validate(doc, schema(), format_checker=FORMAT)
    assert "SOP-A-005" not in text and "Agen Rahasia" not in text and "SOP-A-004" not in text
    assert doc["site"]["public"] is True and doc["count"] == 5


def test_cli_json_matches_the_site_export(built, tmp_path):
    root, doc = built
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "sop_plugin", "json", "--out", str(out), "-f", "mkdocs.yml"],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cli = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(cli, schema(), format_checker=FORMAT)
    for d in (cli, doc):
        d.pop("generated_at")
    assert cli == doc
    # the same text too (one SOP per line), though the build writes it one record at a time

    def text(path: Path) -> str:
        return re.sub(r'"generated_at": "[^"]*"', "", path.read_text(encoding="utf-8"))

    assert text(out) == text(root / "site" / "sops.json")
    assert text(out).count('\n  {"id": ') == len(doc["sops"])
    run = subprocess.run([sys.executable, "-m", "sop_plugin", "json", "--include-drafts", "-f", "mkdocs.yml"],
                         cwd=root, capture_output=True, text=True)
    preview = json.loads(run.stdout)
    assert "SOP-A-004" in [s["id"] for s in preview["sops"]] and preview["site"]["include_drafts"] is True
    run = subprocess.run([sys.executable, "-m", "sop_plugin", "json", "--schema"], capture_output=True, text=True)
    assert json.loads(run.stdout)["properties"]["schema_version"] == {"const": "1"}


def test_schema_rejects_a_broken_document(built):
    _, doc = built
    bad = json.loads(json.dumps(doc))
    bad["sops"][0]["steps"][0]["flow"] = {"type": "jump"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema())


def test_sops_json_written_again_in_one_process_shows_an_edit(tmp_path):
    """``mkdocs serve`` writes sops.json after every save, from the records it keeps as JSON text
    (what writing them again cost): an edited SOP's record is new, the others' text is the same."""
    from sop_plugin import export
    from sop_plugin.pipeline import build
    from sop_plugin.settings import Settings

    root = tmp_path / "site-src"
    build_site(root)
    settings = Settings.from_options({"sops_dir": "sops", "today": "2027-01-15", "simulate": {"enabled": False}})
    export.clear_cache()

    def written(name: str) -> list[str]:
        path = export.write_export(build(settings, root), tmp_path / name, remember=True)
        return [line for line in path.read_text(encoding="utf-8").splitlines() if '"generated_at"' not in line]

    first, again = written("1.json"), written("2.json")
    assert again == first and any(isinstance(v, export._Encoded) for v in export._RECORDS.values())
    edited = next(p for p in (root / "sops").rglob("*.md") if "id: SOP-A-002" in p.read_text(encoding="utf-8"))
    text = edited.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M).group(1)
    edited.write_text(text.replace(f"title: {title}", "title: Judul Baru Setelah Disunting"), encoding="utf-8")
    after = written("3.json")
    changed = [b for a, b in zip(first, after) if a != b]
    assert len(after) == len(first) and len(changed) == 1 and '{"id": "SOP-A-002"' in changed[0]
    assert "Judul Baru Setelah Disunting" in changed[0]
    assert json.loads((tmp_path / "3.json").read_text(encoding="utf-8"))["count"] == 6
    export.clear_cache()
