"""Paths stay inside the project: sops_dir, links in the SOP folder, the exported logo (issue 10)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import VALID_SOP, VALID_UNITS, lint, mutate
from sop_plugin.corpus import check_sops_dir, load_corpus
from sop_plugin.settings import Institution, Settings


def _project(root: Path, sops_dir: str) -> Path:
    (root / "sops").mkdir(parents=True)
    (root / "sops" / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    (root / "sops" / "a.md").write_text(VALID_SOP, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Beranda\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: Uji
        theme: {{name: material, font: false}}
        plugins:
          - sop:
              sops_dir: {sops_dir!r}
        """), encoding="utf-8")
    return root


@pytest.mark.parametrize("sops_dir", ["..", "/", ".", "docs/..", "../outside"])
def test_sops_dir_outside_the_project_stops_the_build(tmp_path: Path, sops_dir: str) -> None:
    from mkdocs.config import load_config
    from mkdocs.exceptions import PluginError

    project = _project(tmp_path / "project", sops_dir)
    (tmp_path / "outside").mkdir()
    cfg = load_config(str(project / "mkdocs.yml"))
    with pytest.raises(PluginError, match="sops_dir"):
        cfg.plugins["sop"].on_config(cfg)


@pytest.mark.parametrize("sops_dir", ["..", "../outside", "/"])
def test_sop_lint_holds_the_sops_dir_of_mkdocs_yml_to_the_same_rule(tmp_path: Path, sops_dir: str) -> None:
    """`sop lint` without paths reads the folder mkdocs.yml names: outside the project it is refused
    (exit 2, the option named), as the build refuses it, and nothing there is read."""
    import subprocess
    import sys

    project = _project(tmp_path / "project", sops_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "sop_plugin", "lint"], cwd=project, capture_output=True, text=True)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "sops_dir" in res.stderr and "inside the project" in res.stderr
    assert "Traceback" not in res.stderr


def test_check_sops_dir(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "docs").mkdir(parents=True)
    (project / "sops").mkdir()
    assert check_sops_dir(project / "sops", project, project / "docs") is None
    assert check_sops_dir(project, project, project / "docs") is not None
    assert check_sops_dir(tmp_path, project) is not None
    (project / "link").symlink_to(tmp_path)
    assert check_sops_dir(project / "link", project) is not None  # a link that leaves the project


def test_links_leaving_the_sop_folder_are_errors_and_not_read(tmp_path: Path) -> None:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    outside = tmp_path / "rahasia.md"
    outside.write_text(mutate(VALID_SOP, "nomor: SOP-UMUM-004", "nomor: SOP-LUAR-001"), encoding="utf-8")
    (sops / "tautan.md").symlink_to(outside)
    (tmp_path / "folder-luar").mkdir()
    (tmp_path / "folder-luar" / "b.md").write_text(mutate(VALID_SOP, "nomor: SOP-UMUM-004", "nomor: SOP-LUAR-002"),
                                                  encoding="utf-8")
    (sops / "folder-tautan").symlink_to(tmp_path / "folder-luar", target_is_directory=True)
    (sops / "dalam.md").write_text(VALID_SOP, encoding="utf-8")
    (sops / "salinan.md").symlink_to(sops / "dalam.md")  # a link inside the folder is fine (and a duplicate id)
    corpus = load_corpus(sops, Settings(), display_base=tmp_path)
    ids = sorted(s.id or "" for s in corpus.sops)
    assert ids == ["SOP-UMUM-004", "SOP-UMUM-004"]
    diags = lint(sops)
    outside_errors = [d for d in diags if d.code == "SOP116"]
    assert [d.file.rpartition("/")[2] for d in outside_errors] == ["tautan.md"]
    assert str(tmp_path) not in outside_errors[0].message


def test_units_file_link_leaving_the_folder_is_not_read(tmp_path: Path) -> None:
    sops = tmp_path / "sops"
    sops.mkdir()
    (tmp_path / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    (sops / "units.yml").symlink_to(tmp_path / "units.yml")
    corpus = load_corpus(sops, Settings(), display_base=tmp_path)
    assert corpus.units == {} and any(d.code == "SOP206" for d in corpus.diagnostics)


def test_exported_logo_never_leaves_its_folder(tmp_path: Path) -> None:
    from sop_plugin.cli.export_pdf import _inline_logo

    docs = tmp_path / "docs"
    (docs / "img").mkdir(parents=True)
    (docs / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    (docs / "notes.txt").write_text("not an image", encoding="utf-8")
    (docs / "evil.png").symlink_to(tmp_path / "secret.png")

    def logo(path: str) -> str | None:
        return _inline_logo(Settings(institution=Institution(name="U", logo=path)), [docs]).institution.logo

    assert (logo("img/logo.png") or "").startswith("data:image/png;base64,")
    for escape in ("../secret.png", "../../../../etc/passwd", "img/../../secret.png", "evil.png", "notes.txt"):
        assert logo(escape) is None, escape
