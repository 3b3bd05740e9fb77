"""The MkDocs plugin on small temp corpora: diagnostics reach the logger, strict fails, nothing blanks."""

from __future__ import annotations

import textwrap
from pathlib import Path

from test_site_build import build

GOOD = textwrap.dedent("""\
    ---
    id: SOP-UJI-001
    title: Baik
    unit: umum
    status: draft
    ---

    ## Prosedur

    1. Menerima berkas.
        - pelaksana: Staf
        - waktu: 10 menit
    """)

BROKEN = textwrap.dedent("""\
    ---
    id: SOP-UJI-002
    title: Rusak
    unit: umum
    status: draft
    pelaksanaa: salah
    ---

    ## Prosedur

    1. Menerima berkas.
        - pelaksana: Staf
        - waktu: sebentar
        - lanjut: 9
    """)


def _project(tmp_path: Path, files: dict[str, str], options: str = "include_drafts: true") -> Path:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "units.yml").write_text("umum:\n  name: Bagian Umum\n  roles: [Staf]\n", encoding="utf-8")
    for name, text in files.items():
        (sops / name).write_text(text, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Beranda\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Uji\ntheme:\n  name: material\n  font: false\nplugins:\n  - search\n  - sop:\n"
        + textwrap.indent(options, "      ") + "\n", encoding="utf-8")
    return tmp_path


def test_strict_build_fails_with_file_line_and_code(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.md": GOOD, "broken.md": BROKEN})
    result = build(project, project / "site", strict=True)
    assert result.returncode != 0
    err = result.stderr
    assert "sops/broken.md:6:1: SOP102 error: unknown key 'pelaksanaa'" in err
    assert "sops/broken.md:13:1: SOP305" in err
    assert "sops/broken.md:14:1: SOP306" in err
    assert "Traceback" not in err


def test_one_broken_sop_does_not_blank_the_portal(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.md": GOOD, "broken.md": BROKEN, "garbage.md": "---\n: [\n---\n\x00"})
    result = build(project, project / "site", strict=False)
    assert result.returncode == 0, result.stderr[-2000:]
    site = project / "site"
    assert "Menerima berkas" in (site / "sop/sop-uji-001/index.html").read_text(encoding="utf-8")
    broken = (site / "sop/sop-uji-002/index.html").read_text(encoding="utf-8")
    assert "sop-banner-problems" in broken and "SOP306" in broken
    assert "SOP101" in result.stderr  # the garbage file is reported, not fatal


def test_missing_sops_dir_is_a_clear_error(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.md": GOOD}, options="sops_dir: nirgendwo")
    result = build(project, project / "site", strict=False)
    assert result.returncode != 0
    assert "the SOP folder 'nirgendwo' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_portal_whose_sops_name_no_documents_builds_strict(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.md": GOOD})  # no kelengkapan, no output: the document list is empty
    result = build(project, project / "site", strict=True)
    assert result.returncode == 0, result.stderr[-2000:]
    page = (project / "site/dokumen/index.html").read_text(encoding="utf-8")
    assert "No SOP names a document" in page and "sop-pager" not in page  # the theme speaks English


def test_english_ui_option(tmp_path: Path) -> None:
    project = _project(tmp_path, {"good.md": GOOD}, options="include_drafts: true\nlang: en")
    assert build(project, project / "site", strict=False).returncode == 0
    page = (project / "site/sop/sop-uji-001/index.html").read_text(encoding="utf-8")
    # the step table and the blocks around it speak English; none of their Indonesian labels remain
    for en, id_ in (("Activity", "Kegiatan"), ("Actor", "Pelaksana"), ("Output", "Keluaran"),
                    ("Process Time Analysis", "Analisis Waktu Proses"),
                    ("Procedure Walkthrough", "Simulasi Prosedur")):
        assert en in page, en
        assert f">{id_}<" not in page, id_


def test_builds_in_one_process_leave_nothing_settled(tmp_path: Path, monkeypatch) -> None:
    """`mkdocs serve` rebuilds in one process: what a build left out of the garbage collector
    (the portal, the converted pages) is collectable again once it ends, even if it failed."""
    import gc

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from sop_plugin import parallel

    settled: list[int] = []
    unsettle = parallel.unsettle
    monkeypatch.setattr(parallel, "unsettle", lambda: (settled.append(gc.get_freeze_count()), unsettle()))
    project = _project(tmp_path, {"good.md": GOOD}, options="include_drafts: true\ncache_dir: ''")
    for _ in range(2):
        mkdocs_build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site")))
        assert gc.get_freeze_count() == 0
    (project / "docs" / "broken.md").write_text("[x](missing.md)\n", encoding="utf-8")
    try:
        mkdocs_build(load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=True))
    except Exception:
        pass
    # each build settled the portal and its pages (the failed one ends twice: after the build, then on the error)
    assert len(settled) == 4 and min(settled[:3]) > 1000
    assert gc.get_freeze_count() == 0


def test_the_themes_compiled_templates_are_kept_and_a_damaged_one_is_compiled_again(tmp_path: Path) -> None:
    """MkDocs compiles the theme anew for every build; the plugin keeps what Jinja compiled in the
    build cache's folder.  A damaged file there is compiled again and written again, the site the same."""
    from jinja2.bccache import bc_magic

    project = _project(tmp_path, {"good.md": GOOD})
    first = build(project, tmp_path / "site1")
    assert first.returncode == 0, first.stderr[-3000:]
    kept = sorted((project / ".cache" / "sop" / "theme").glob("*.cache"))
    assert len(kept) >= 5 and all(p.read_bytes().startswith(bc_magic) for p in kept)
    for p in kept:
        p.write_bytes(bc_magic + b"\x80\x05 cut short")  # the checksum cannot be read
    second = build(project, tmp_path / "site2")
    assert second.returncode == 0, second.stderr[-3000:]
    assert all(p.stat().st_size > 100 and p.read_bytes().startswith(bc_magic) for p in kept)  # written again
    pages = sorted(p.relative_to(tmp_path / "site1") for p in (tmp_path / "site1").rglob("*.html"))
    assert pages and pages == sorted(p.relative_to(tmp_path / "site2") for p in (tmp_path / "site2").rglob("*.html"))
    for page in pages:
        assert (tmp_path / "site1" / page).read_bytes() == (tmp_path / "site2" / page).read_bytes(), page
