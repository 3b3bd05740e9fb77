"""One broken SOP never blanks the portal.

* One real, non-strict ``mkdocs build`` of the bundled SOPs plus every crash
  input of issue 11 (``test_robustness.CASES``): it succeeds, every good SOP
  is published with its page and in ``sops.json`` (strict JSON), and every
  broken file is named in the log with a located diagnostic.  A strict build
  of the broken files fails and lists every one of them.
* In-process builds with a bug injected into one SOP's parse, check, analysis
  or page: that SOP gets SOP900 (file and line) and an error page, the rest
  builds; an empty SOP folder is an error, strict or not.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import VALID_UNITS, copy_portal
from test_robustness import CASES
from test_site_build import ROOT, build

from sop_plugin import i18n, pipeline
from sop_plugin.corpus import load_corpus
from sop_plugin.publish import published
from sop_plugin.render.context import sop_slug
from sop_plugin.settings import Settings


def _broken_id(i: int) -> str:
    return f"SOP-RUSAK-{i:03d}"


@pytest.fixture(scope="session")
def mixed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled portal with every crash input of issue 11 added under sops/rusak/ (unique ids)."""
    project = copy_portal(tmp_path_factory.mktemp("mixed"))
    for i, (name, (text, _, _)) in enumerate(sorted(CASES.items())):
        text = text.replace("SOP-UMUM-004", _broken_id(i), 1)
        (project / "sops" / "rusak").mkdir(exist_ok=True)
        (project / "sops" / "rusak" / f"{name}.md").write_text(text, encoding="utf-8")
    return project


@pytest.fixture(scope="session")
def mixed_build(mixed_project: Path):
    return build(mixed_project, mixed_project / "site", strict=False)


def test_non_strict_build_publishes_every_good_sop(mixed_project: Path, mixed_build) -> None:
    assert mixed_build.returncode == 0, mixed_build.stderr[-3000:]
    site = mixed_project / "site"
    good = published(load_corpus(ROOT / "sops", Settings()), Settings())
    assert len(good) >= 10
    for sop in good:
        page = site / "sop" / sop_slug(sop.id) / "index.html"
        assert page.is_file(), sop.id
        assert re.search(r'<tr id="step-1" class="sop-step', page.read_text(encoding="utf-8")), sop.id
    doc = json.loads((site / "sops.json").read_text(encoding="utf-8"),
                     parse_constant=lambda c: pytest.fail(f"{c} in sops.json"))
    ids = {s["id"] for s in doc["sops"]}
    assert {s.id for s in good} <= ids


def test_every_broken_file_is_reported_with_its_line(mixed_build) -> None:
    log = mixed_build.stderr
    assert "Traceback" not in log
    for name, (_, code, _) in CASES.items():
        assert re.search(rf"sops/rusak/{re.escape(name)}\.md:\d+:\d+: {code} ", log), name


def test_strict_build_fails_listing_every_broken_file(tmp_path: Path, caplog) -> None:
    files = {f"rusak/{name}.md": text.replace("SOP-UMUM-004", _broken_id(i), 1)
             for i, (name, (text, _, _)) in enumerate(sorted(CASES.items()))}
    with pytest.raises(Abort, match="strict mode"):
        _mkdocs(_small_project(tmp_path, files), strict=True)
    for name, (_, code, _) in CASES.items():
        assert re.search(rf"sops/rusak/{re.escape(name)}\.md:\d+:\d+: {code} ", caplog.text), name


# -- the catch point, with bugs injected ------------------------------------------------

def _sop(i: int, title: str) -> str:
    return textwrap.dedent(f"""\
        ---
        id: SOP-UJI-00{i}
        title: {title}
        unit: biro-umum
        status: draft
        ---

        ## Prosedur

        1. Menerima berkas permohonan.
            - pelaksana: Pemohon
            - waktu: 10 menit

        2. Memeriksa kelengkapan berkas.
            - pelaksana: Staf Gudang
            - waktu: 20 menit
        """)


TITLES = {1: "Baik Satu", 2: "Gagal Dibaca", 3: "Gagal Diperiksa", 4: "Gagal Dianalisis", 5: "Gagal Ditampilkan",
          6: "Baik Dua"}


def _small_project(root: Path, files: dict[str, str] | None = None) -> Path:
    files = {f"biro-umum/sop-{i}.md": _sop(i, t) for i, t in TITLES.items()} if files is None else files
    sops = root / "sops"
    sops.mkdir(parents=True)
    (sops / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    for rel, text in files.items():
        (sops / rel).parent.mkdir(parents=True, exist_ok=True)
        (sops / rel).write_text(text, encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Beranda\n\n::: sop-unit tidak-ada\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Uji\ntheme:\n  name: material\n  language: id\n  font: false\nplugins:\n  - sop:\n      include_drafts: true\n",
        encoding="utf-8")
    return root


@pytest.fixture
def bugs(monkeypatch):
    """A bug in each stage, each triggered by one SOP (by its title)."""
    import sop_plugin.checks.flow as flow
    import sop_plugin.corpus as corpus
    import sop_plugin.markdown as md

    def trap(title: str, real):
        def run(*args, **kwargs):
            if any(title in (a if isinstance(a, str) else str(getattr(a, "title", None))) for a in args):
                raise ZeroDivisionError(f"injected bug for {title}")
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(corpus, "parse_sop", trap("Gagal Dibaca", corpus.parse_sop))
    real_check = flow.check_sop
    monkeypatch.setattr(flow, "check_sop", trap("Gagal Diperiksa", real_check))
    monkeypatch.setattr(pipeline, "derive", trap("Gagal Dianalisis", pipeline.derive))
    import sop_plugin.render.page as page

    monkeypatch.setattr(page, "render_sop_page", trap("Gagal Ditampilkan", page.render_sop_page))  # in the build
    monkeypatch.setattr(md, "render_sop_page", trap("Gagal Ditampilkan", md.render_sop_page))  # on a page
    corpus._cache.clear()
    yield
    corpus._cache.clear()


def _mkdocs(project: Path, strict: bool):
    cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=strict)
    mkdocs_build(cfg)
    return project / "site"


def test_a_bug_in_one_sop_costs_only_that_sop(tmp_path: Path, bugs, caplog) -> None:
    site = _mkdocs(_small_project(tmp_path), strict=False)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    for i, stage in ((2, "reading_file"), (3, "checking_sop"), (4, "analysing"), (5, "rendering_page")):
        # the build log speaks the site's language (Indonesian)
        said = i18n.t("id", "diag.guard.internal", stage=i18n.t("id", f"diag.guard.stage_{stage}"),
                      detail="ZeroDivisionError: injected bug")
        assert any(re.search(rf"sops/biro-umum/sop-{i}\.md:\d+:1: SOP900 error: {re.escape(said[:-1])}", e)
                   for e in errors), (i, errors)
    for i in (1, 6):  # the good ones are whole
        html = (site / "sop" / f"sop-uji-00{i}" / "index.html").read_text(encoding="utf-8")
        assert '<tr id="step-2" class="sop-step' in html
    for i in (3, 4, 5):  # published, with an error page
        html = (site / "sop" / f"sop-uji-00{i}" / "index.html").read_text(encoding="utf-8")
        assert "kesalahan internal pada alat SOP" in html and f"sops/biro-umum/sop-{i}.md" in html
        assert 'class="sop-step' not in html
    assert not (site / "sop" / "sop-uji-002").exists()  # unreadable: no id, no page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Unit &#x27;tidak-ada&#x27; tidak ada di units.yml." in home  # `::: sop-unit nosuchunit`
    doc = json.loads((site / "sops.json").read_text(encoding="utf-8"))
    assert {"SOP-UJI-001", "SOP-UJI-006"} <= {s["id"] for s in doc["sops"]}


def test_strict_fails_on_an_injected_bug(tmp_path: Path, bugs) -> None:
    with pytest.raises(Abort):
        _mkdocs(_small_project(tmp_path), strict=True)


def test_a_check_failing_only_for_the_combination_is_reported_once(tmp_path: Path, monkeypatch) -> None:
    import sop_plugin.checks as checks
    import sop_plugin.checks.references as references

    def combined(corpus, settings):
        if len(corpus.sops) > 1:
            raise KeyError("needs two")
        return []

    monkeypatch.setattr(checks, "CHECKS", tuple(combined if c is references.check else c for c in checks.CHECKS))
    root = _small_project(tmp_path) / "sops"
    portal = pipeline.load(Settings(include_drafts=True), tmp_path, root=root)
    internal = [d for d in portal.diagnostics if d.code == "SOP900"]
    assert len(internal) == 1 and internal[0].file == "sops/units.yml" and "KeyError" in internal[0].message
    assert not portal.broken and len(portal.published) == len(TITLES)


@pytest.mark.parametrize("strict", [False, True])
def test_an_empty_sop_folder_is_an_error(tmp_path: Path, strict: bool, caplog) -> None:
    project = _small_project(tmp_path, files={})
    with pytest.raises(Abort):
        _mkdocs(project, strict=strict)
    assert "sop: the SOP folder 'sops' has no SOP files (*.md)" in caplog.text


def test_a_view_that_raises_becomes_an_error_box_on_its_page(tmp_path: Path, monkeypatch) -> None:
    """The render-time catch point: the directive's page keeps its other content."""
    import markdown

    from sop_plugin.render import blocks

    def boom(arg, ctx):
        raise IndexError("injected view bug")

    views = {**blocks.directives(), "sop-units": boom}
    monkeypatch.setattr(blocks, "directives", lambda: views)
    _small_project(tmp_path)
    reported = []
    from sop_plugin.markdown import SopExtension

    ext = SopExtension(sops_dir=str(tmp_path / "sops"), include_drafts=True, report=reported.append)
    html = markdown.markdown("# Unit\n\nSebelum.\n\n::: sop-units\n\nSesudah.\n", extensions=[ext])
    assert "<p>Sebelum.</p>" in html and "<p>Sesudah.</p>" in html
    assert "kesalahan internal pada alat SOP" in html
    assert [d.code for d in reported] == ["SOP900"] and "IndexError: injected view bug" in reported[0].message
