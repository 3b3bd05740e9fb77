"""Audit trail: revisions, signatures and git history from a real temporary repository."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from conftest import VALID_SOP, git, mutate
from sop_plugin import audit
from sop_plugin.corpus import load_corpus, load_sop
from sop_plugin.model import Role
from sop_plugin.render.audit import audit_block
from sop_plugin.pipeline import Portal
from sop_plugin.render.context import RenderContext
from sop_plugin.settings import Settings
from sop_plugin.signing import ApprovalState

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path):
    audit.clear_cache()
    root = tmp_path / "repo"
    (root / "sops").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    path = root / "sops" / "old-name.md"
    path.write_text(VALID_SOP, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Draft the SOP", when="2026-01-10T09:00:00+07:00")
    path.write_text(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 2 hari"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "Longer ordering step <b>", when="2026-02-15T14:30:00+07:00",
        author="Budi Santoso", email="budi@example.ac.id")
    git(root, "mv", "sops/old-name.md", "sops/a.md")
    git(root, "commit", "-q", "-m", "Rename the file", when="2026-03-01T08:00:00+07:00")
    yield root
    audit.clear_cache()


@needs_git
def test_git_history_newest_first_following_renames(repo):
    commits = audit.git_history(repo / "sops" / "a.md")
    assert [c.subject for c in commits] == ["Rename the file", "Longer ordering step <b>", "Draft the SOP"]
    assert [c.date for c in commits] == [dt.date(2026, 3, 1), dt.date(2026, 2, 15), dt.date(2026, 1, 10)]
    assert [c.author for c in commits] == ["Rina Lestari", "Budi Santoso", "Rina Lestari"]
    assert commits[1].email == "budi@example.ac.id"
    assert commits[1].when == dt.datetime(2026, 2, 15, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert all(len(c.sha) == 40 for c in commits)


@needs_git
def test_trail_merges_revisions_signatures_and_commits_newest_first(repo):
    path = repo / "sops" / "a.md"
    sop = load_sop(path, str(path), Settings())
    entries = audit.trail(sop)
    assert [(e.kind, e.date) for e in entries] == [
        ("signature", dt.date(2026, 3, 10)),
        ("signature", dt.date(2026, 3, 7)),
        ("signature", dt.date(2026, 3, 5)),
        ("revision", dt.date(2026, 3, 2)),
        ("commit", dt.date(2026, 3, 1)),
        ("commit", dt.date(2026, 2, 15)),
        ("commit", dt.date(2026, 1, 10)),
    ]
    leader = entries[0]
    assert (leader.role, leader.author, leader.position, leader.state.state) == (
        Role.LEADER, "Prof. Ahmad Fauzi", "Kepala Biro Umum", ApprovalState.UNSIGNED)
    assert entries[3].version == 2 and entries[3].summary == "Menambah pemeriksaan anggaran"
    assert entries[5].author == "Budi Santoso"


@needs_git
def test_one_git_call_per_file(repo, monkeypatch):
    calls = []
    real = subprocess.run

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(audit.subprocess, "run", counting)
    path = repo / "sops" / "a.md"
    for _ in range(3):
        assert len(audit.git_history(path)) == 3
    assert len(calls) == 1
    audit.clear_cache()
    audit.git_history(path)
    assert len(calls) == 2


def test_outside_a_checkout_there_are_only_the_revisions(tmp_path, monkeypatch):
    audit.clear_cache()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    path = tmp_path / "a.md"
    path.write_text(VALID_SOP, encoding="utf-8")
    assert audit.git_history(path) == []
    sop = load_sop(path, "a.md", Settings())
    kinds = [e.kind for e in audit.trail(sop)]
    assert "commit" not in kinds and kinds.count("revision") == 1


def test_without_git_installed_there_is_no_error(tmp_path, monkeypatch):
    audit.clear_cache()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = tmp_path / "a.md"
    path.write_text(VALID_SOP, encoding="utf-8")
    assert audit.git_history(path) == []
    assert audit.git_history(tmp_path / "missing.md") == []


@needs_git
def test_audit_block_renders_the_trail_escaped(repo):
    corpus = load_corpus(repo / "sops", Settings(), display_base=repo)
    sop = corpus.sops[0]
    ctx = RenderContext.of(Portal.of(corpus, Settings(lang="en")))
    html = audit_block(sop, ctx)
    assert "Audit trail" in html
    assert "Longer ordering step &lt;b&gt;" in html and "<b>" not in html
    assert "Budi Santoso" in html
    assert "Revision, version 2" in html
    assert "Approved by" in html and "Not bound to the content" in html
    ctx_id = RenderContext.of(Portal.of(corpus, Settings(audit_git=False)))
    html_id = audit_block(sop, ctx_id)
    assert "Jejak audit" in html_id and "Budi Santoso" not in html_id


@needs_git
def test_the_build_reads_git_history_from_any_working_directory(repo, tmp_path, monkeypatch):
    """Paths are absolute for I/O and relative for display: `mkdocs build -f other/mkdocs.yml` keeps the history."""
    from sop_plugin import pipeline

    audit.clear_cache()
    monkeypatch.chdir(tmp_path)  # not the project folder
    portal = pipeline.load(Settings(), repo)
    sop = portal.corpus.sops[0]
    assert sop.path == "sops/a.md" and sop.source == str((repo / "sops" / "a.md").resolve())
    commits = [e for e in portal.derived(sop).audit if e.kind == "commit"]
    assert [c.summary for c in commits] == ["Rename the file", "Longer ordering step <b>", "Draft the SOP"]


@needs_git
def test_one_git_log_for_the_folder_gives_each_file_its_own_history(repo, monkeypatch):
    """preload(): the history of every SOP from one `git log`; renames are followed, copies are not
    (`git log --follow` on one file hands a new SOP that resembles another the other's commits)."""
    sops = repo / "sops"
    (sops / "b.md").write_text(VALID_SOP, encoding="utf-8")  # a new SOP much like a.md
    (sops / "c.md").write_text(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 3 hari"), encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Two more", when="2026-03-05T08:00:00+07:00")
    (sops / "unit").mkdir()
    git(repo, "mv", "sops/b.md", "sops/unit/b2.md")
    (sops / "c.md").write_text(mutate(VALID_SOP, "waktu: 1 hari", "waktu: 4 hari"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Move b, edit c", when="2026-03-06T08:00:00+07:00")
    git(repo, "mv", "sops/unit/b2.md", "sops/unit/b3.md")
    git(repo, "commit", "-q", "-m", "Rename b again", when="2026-03-07T08:00:00+07:00")
    (sops / "new.md").write_text(VALID_SOP + "\nBelum di-commit.\n", encoding="utf-8")  # not committed
    calls = []
    real = subprocess.run
    monkeypatch.setattr(audit.subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    audit.preload(sops)
    subjects = {name: [c.subject for c in audit.git_history(sops / name)]
                for name in ("a.md", "unit/b3.md", "c.md", "new.md")}
    assert subjects == {
        "a.md": ["Rename the file", "Longer ordering step <b>", "Draft the SOP"],
        "unit/b3.md": ["Rename b again", "Move b, edit c", "Two more"],
        "c.md": ["Move b, edit c", "Two more"],
        "new.md": [],
    }
    assert len(calls) == 1
    commits = audit.git_history(sops / "a.md")
    assert commits[1].author == "Budi Santoso" and commits[1].when.utcoffset() == dt.timedelta(hours=7)


def test_outside_a_checkout_git_is_asked_once_for_the_folder(tmp_path, monkeypatch):
    audit.clear_cache()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    calls = []
    real = subprocess.run
    monkeypatch.setattr(audit.subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    paths = [tmp_path / f"{n}.md" for n in "abc"]
    for path in paths:
        path.write_text(VALID_SOP, encoding="utf-8")
    for path in paths:
        audit.preload(tmp_path)
        assert audit.git_history(path) == []
    assert len(calls) == 1
