"""Real MkDocs builds: the bundled portal in strict mode, and small temp corpora."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_portal, git

ROOT = Path(__file__).resolve().parent.parent
LONG_COMMIT_SUBJECT = ("Sign the sample SOPs again with scripts/resign_samples.py; "
                       "lint --require-verified-signatures over sops/_signatures/biro-umum/peminjaman-ruang.sig")


def build(project: Path, site: Path, strict: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
                          cwd=project)


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled portal, copied to a temp dir (as a fresh clone would have it) and built with --strict.

    Like a clone, the copy is a git repository: each SOP page's audit trail lists its commit, whose
    subject is as long and unbroken as real ones (a path, an option) - pages must still fit a phone.
    """
    project = copy_portal(tmp_path_factory.mktemp("portal"))
    if shutil.which("git"):
        git(project, "init", "-q", "-b", "main")
        git(project, "add", ".")
        git(project, "commit", "-q", "-m", LONG_COMMIT_SUBJECT, author="Tim Penjaminan Mutu (BPM)")
    site = project / "site"
    result = build(project, site)
    assert result.returncode == 0, result.stderr[-4000:]
    return site


def test_bundled_portal_builds_strict(bundled_site: Path) -> None:
    assert (bundled_site / "index.html").is_file()
    pages = sorted((bundled_site / "sop").glob("*/index.html"))
    assert len(pages) >= 10


def test_every_published_sop_has_a_page_with_its_steps(bundled_site: Path) -> None:
    """The linter and the page agree on what a step is: one table row per parsed step."""
    from sop_plugin.corpus import load_corpus
    from sop_plugin.publish import published
    from sop_plugin.render.context import sop_slug
    from sop_plugin.settings import Settings

    corpus = load_corpus(ROOT / "sops", Settings())
    shown = published(corpus, Settings())
    assert shown, "the bundled corpus publishes SOPs"
    for sop in shown:
        html = (bundled_site / "sop" / sop_slug(sop.id) / "index.html").read_text(encoding="utf-8")
        rows = re.findall(r'<tr id="step-(\d+)" class="sop-step', html)
        assert [int(r) for r in rows] == list(range(1, len(sop.steps) + 1)), sop.path
        assert 'data-sop-mermaid' in html
        assert html.count("<h1") == 1


def test_a_missing_address_gets_a_page_in_the_portals_language(bundled_site: Path) -> None:
    """404.html (overrides/404.html): not material's "404 - Not found" but the portal's words and
    the way to the catalogue, which lists retired SOPs too; its links work from any missing address."""
    html = (bundled_site / "404.html").read_text(encoding="utf-8")
    assert "Halaman tidak ditemukan" in html and "404 - Not found" not in html
    links = re.findall(r'<a href="(/[^"]*)">(Beranda|Katalog SOP)</a>', html)
    assert links == [("/", "Beranda"), ("/katalog/", "Katalog SOP")]
    assert (bundled_site / "katalog" / "index.html").is_file()
    assert "data-pagefind-body" not in html  # not a search result


def test_no_cdn_and_no_web_fonts(bundled_site: Path) -> None:
    offenders = []
    for f in bundled_site.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        if re.search(r"fonts\.googleapis|fonts\.gstatic|unpkg\.com|cdn\.jsdelivr|cdnjs\.", text):
            offenders.append(f.relative_to(bundled_site).as_posix())
    assert offenders == []
    assert (bundled_site / "assets/sop/vendor/mermaid/mermaid.min.js").stat().st_size > 1_000_000


def test_production_build_leaves_drafts_out(bundled_site: Path) -> None:
    from sop_plugin.corpus import load_corpus
    from sop_plugin.model import Status
    from sop_plugin.render.context import sop_slug

    corpus = load_corpus(ROOT / "sops")
    drafts = [s for s in corpus.sops if s.status in (Status.DRAFT, Status.REVIEW)]
    assert drafts, "the bundled corpus has a draft and an SOP in review"
    for s in drafts:
        assert not (bundled_site / "sop" / sop_slug(s.id)).exists()


def test_bundled_portal_shows_verified_approvals(bundled_site: Path) -> None:
    """The sample SOPs are signed with the sample keys; mkdocs.yml's sample anchor verifies them."""
    html = (bundled_site / "sop" / "sop-umum-004" / "index.html").read_text(encoding="utf-8")
    verdicts = re.findall(r'<div class="sop-approval-verdict">([^<]*)</div>', html)
    assert len(verdicts) == 3 and all(v.startswith("Ditandatangani secara elektronik oleh ") for v in verdicts)
    assert all(v.endswith("— terverifikasi") for v in verdicts), verdicts
    assert html.count('class="sop-approval-key">Kunci SHA256:') == 3
    # sops.json says the same as the page

    doc = json.loads((bundled_site / "sops.json").read_text(encoding="utf-8"))
    record = next(s for s in doc["sops"] if s["id"] == "SOP-UMUM-004")
    assert [a["state"] for a in record["approvals"]] == ["verified"] * 3
    assert all(a["key_fingerprint"].startswith("SHA256:") for a in record["approvals"])


def test_sop_verify_passes_on_the_bundled_tree_and_fails_without_the_anchor(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"}
    ok = subprocess.run([sys.executable, "-m", "sop_plugin", "verify", "--require-verified"], cwd=ROOT,
                        capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr
    assert "; 0 gagal" in ok.stdout and " terverifikasi" in ok.stdout  # the bundled portal is Indonesian
    # another anchor (a CI that sets its own): the sample registry is not anchored, so verify fails
    bad = subprocess.run([sys.executable, "-m", "sop_plugin", "verify", "sops"], cwd=ROOT, capture_output=True,
                         text=True, env=dict(env, SOP_SIGNERS_ANCHOR="SHA256:" + "A" * 43))
    assert bad.returncode == 1 and "TIDAK terjangkar" in bad.stdout
