"""Older versions of an SOP file, read from git.

* :func:`at_revision` - the file as it was at a git revision (``sop diff FILE --rev REV``);
* :func:`previous_version` - the newest committed content with a lower
  ``version`` (the page section "Perubahan sejak versi N");
* :func:`signed_content` - the content the last signature bound
  (``sop diff --since-signed``): the newest text, in the working tree or in
  the file's history, whose content digest equals the digest of the most
  recent signature.  When ``sop new --from`` has already cleared the
  approvals, the digest is taken from the last committed version that
  still had them.

Git is optional: outside a checkout, without git, or when git fails or
takes too long, nothing is found (``None``).  Paths are followed through
renames.  Results are cached by file path and content.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..model import Sop
from ..parsing import parse_sop
from ..settings import Settings
from ..signing import DigestError, content_parts, parse_digest
from .model import SopDiff, diff_sops

GIT_TIMEOUT = 10.0  # seconds per git call
MAX_COMMITS = 200  # how far back to look
_SEP, _REC = "\x1f", "\x1e"


class GitError(Exception):
    """A git revision or file that cannot be read; the message says which."""


@dataclass(frozen=True)
class FileRevision:
    sha: str
    date: str  # YYYY-MM-DD (author date)
    path: str  # path of the file at that commit, relative to the repository root

    @property
    def short(self) -> str:
        """The commit as a reader quotes it."""
        return self.sha[:8]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes] | None:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True,
                              timeout=GIT_TIMEOUT, env=env, check=False)
    except (OSError, subprocess.SubprocessError):
        return None


def repo_root(path: Path) -> Path | None:
    proc = _git(["rev-parse", "--show-toplevel"], path.resolve().parent)
    if proc is None or proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8", "replace").strip())


def revisions(path: Path) -> list[FileRevision]:
    """Commits that touched ``path`` (following renames), newest first; ``[]`` without git."""
    root = repo_root(path)
    if root is None:
        return []
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    proc = _git(["log", "--follow", f"-n{MAX_COMMITS}", f"--format={_REC}%H{_SEP}%as", "--name-only", "--", rel],
                root)
    if proc is None or proc.returncode != 0:
        return []
    out = []
    for record in proc.stdout.decode("utf-8", "replace").split(_REC):
        lines = [x for x in record.splitlines() if x.strip()]
        if len(lines) < 2 or _SEP not in lines[0]:
            continue
        sha, date = lines[0].split(_SEP, 1)
        out.append(FileRevision(sha.strip(), date.strip(), lines[-1].strip()))
    return out


def _show(root: Path, rev: str, rel: str) -> str | None:
    proc = _git(["show", f"{rev}:{rel}"], root)
    if proc is None or proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace")


def at_revision(path: Path, rev: str) -> tuple[str, str | None]:
    """The text of ``path`` at git revision ``rev`` (also under the name it had then), and that
    commit's date (YYYY-MM-DD, author date, as :func:`revisions` gives it; ``None`` if git does not say)."""
    root = repo_root(path)
    if root is None:
        raise GitError(f"'{path}' is not inside a git repository")
    proc = _git(["log", "-1", "--format=%H %as", "--end-of-options", f"{rev}^{{commit}}", "--"], root)
    if proc is None or proc.returncode != 0 or not proc.stdout.strip():
        raise GitError(f"'{rev}' is not a git revision here")
    sha, _, date = proc.stdout.decode().strip().partition(" ")
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    text = _show(root, sha, rel)
    if text is None:  # renamed since: find the name it had at that commit
        ancestors = _git(["rev-list", sha, f"-n{MAX_COMMITS}"], root)
        known = set(ancestors.stdout.decode().split()) if ancestors and ancestors.returncode == 0 else set()
        for r in revisions(path):
            if r.sha in known:
                text = _show(root, sha, r.path)
                break
    if text is None:
        raise GitError(f"'{path}' did not exist at revision '{rev}'")
    return text, date or None


def _texts(path: Path) -> Iterator[tuple[FileRevision, str]]:
    """(revision, text) for each commit of the file, newest first, read as needed."""
    root = repo_root(path)
    if root is None:
        return
    for r in revisions(path):
        text = _show(root, r.sha, r.path)
        if text is not None:
            yield r, text


_cache: dict[tuple[str, str, str, Settings], object] = {}


def clear_cache() -> None:
    _cache.clear()


def _key(kind: str, sop: Sop, path: Path, settings: Settings) -> tuple[str, str, str, Settings]:
    return (kind, str(path.resolve()), hashlib.sha256(sop.text.encode("utf-8")).hexdigest(), settings)


def previous_version(sop: Sop, root: str | Path | None = None,
                     settings: Settings | None = None) -> tuple[SopDiff, Sop] | None:
    """The diff from the newest committed version numbered below ``sop.version``, and that version."""
    settings = settings or Settings()
    path = Path(sop.source) if sop.source else None
    if path is None or sop.version is None or sop.version <= 1:  # a first version has nothing before it
        return None
    key = _key("previous", sop, path, settings)
    if key not in _cache:
        _cache[key] = _previous(sop, path, settings)
    return _cache[key]  # type: ignore[return-value]


def _previous(sop: Sop, path: Path, settings: Settings) -> tuple[SopDiff, Sop] | None:
    for r, text in _texts(path):
        old = parse_sop(sop.path, text, settings)
        if old.version is not None and old.version < (sop.version or 0):
            return diff_sops(old, sop, old_label=r.short, new_label=sop.path, old_date=r.date), old
    return None


def _last_digest(sop: Sop) -> str | None:
    """The digest of the most recent signature (latest date; the later entry on a tie)."""
    signed = [(a.date.toordinal() if a.date else 0, k, a.digest) for k, a in enumerate(sop.approvals) if a.digest]
    return max(signed)[2] if signed else None


@dataclass
class SignedContent:
    sop: Sop | None  # the signed content, ``None`` when it was not found
    label: str  # where it was found: the commit, or the file
    digest: str  # the digest of the last signature
    date: str | None = None  # the commit's date (YYYY-MM-DD), when found in the history


def signed_content(sop: Sop, path: Path, settings: Settings | None = None) -> SignedContent | None:
    """The content the last signature bound; ``None`` when no version of the file was ever signed.

    ``SignedContent.sop`` is ``None`` when the digest is known but no text
    with that content is in the working tree or the history (callers can
    still name the changed parts from the digest's fingerprint).
    """
    settings = settings or Settings()
    history: list[tuple[FileRevision, str]] | None = None
    digest = _last_digest(sop)
    if digest is None:  # approvals cleared (e.g. by `sop new --from`): the last version that had them
        history = list(_texts(path))
        for _, text in history:
            digest = _last_digest(parse_sop(sop.path, text, settings))
            if digest:
                break
    if digest is None:
        return None
    try:
        want = parse_digest(digest).hex
    except DigestError:
        return SignedContent(None, "", digest)
    if content_parts(sop).full_hex() == want:
        return SignedContent(sop, sop.path, digest)
    for r, text in history if history is not None else _texts(path):
        old = parse_sop(sop.path, text, settings)
        if content_parts(old).full_hex() == want:
            return SignedContent(old, r.short, digest, r.date)
    return SignedContent(None, "", digest)
