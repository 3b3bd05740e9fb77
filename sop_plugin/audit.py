"""The audit trail of one SOP: ``revisions`` entries, signatures and the file's git history.

ISO 9001 7.5.3 and 21 CFR Part 11 §11.10(e) ask that changes leave a trail.
The trail merges what the file says about itself (``revisions``, the
approvals with their meaning and whether they are bound to the content)
with what git recorded (``git log --follow``: date, author, message).

Git is optional: without git, outside a checkout, or when git fails or takes
too long, the trail simply has no commits.  Git is asked once per file and
content; :func:`clear_cache` starts afresh (the MkDocs plugin calls it once
per build).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .model import Role, Sop
from .signing import Verdict, signature_status

GIT_TIMEOUT = 10.0  # seconds
_SEP, _END = "\x1f", "\x1e"
_FORMAT = f"%H{_SEP}%an{_SEP}%ae{_SEP}%aI{_SEP}%s{_END}"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    when: dt.datetime
    subject: str

    @property
    def date(self) -> dt.date:
        return self.when.date()


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail.

    ``kind``: ``"revision"`` (a ``revisions`` entry), ``"signature"`` (an
    approval; ``role`` and ``state`` set) or ``"commit"`` (git; ``commit`` set).
    """

    kind: str
    date: dt.date | None
    summary: str
    author: str | None = None
    version: int | None = None
    commit: str | None = None
    role: Role | None = None
    position: str | None = None
    state: Verdict | None = None


_cache: dict[tuple[str, int, int], list[Commit]] = {}


def clear_cache() -> None:
    _cache.clear()


def git_head(folder: str | Path) -> str:
    """The commit checked out in ``folder``'s repository ("" outside a repository or without git)."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                              timeout=GIT_TIMEOUT, env=env, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.decode("ascii", "replace").strip() if proc.returncode == 0 else ""


def git_history(path: str | Path) -> list[Commit]:
    """Commits that touched ``path`` (following renames), newest first; ``[]`` without git."""
    p = Path(path)
    try:
        st = p.resolve().stat()
    except OSError:
        return []
    key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _cache:
        _cache[key] = _run_git(p.resolve())
    return list(_cache[key])


def _run_git(path: Path) -> list[Commit]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", "log", "--follow", f"--format={_FORMAT}", "--", path.name],
            cwd=path.parent, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    if proc.returncode != 0:
        return []
    out: list[Commit] = []
    for record in proc.stdout.decode("utf-8", "replace").split(_END):
        fields = record.strip("\n").split(_SEP)
        if len(fields) != 5:
            continue
        sha, author, email, when, subject = fields
        try:
            stamp = dt.datetime.fromisoformat(when.strip())
        except ValueError:
            continue
        out.append(Commit(sha.strip(), author, email, stamp, subject))
    return out


_MEANING = {Role.MAKER: "prepared", Role.REVIEWER: "reviewed", Role.LEADER: "approved"}


def trail(sop: Sop, root: str | Path | None = None, *, use_git: bool = True,
          anchor: str | None = None, states: dict[Role, Verdict] | None = None) -> list[AuditEntry]:
    """``revisions``, signatures and git commits merged, newest first (undated entries last)."""
    entries: list[AuditEntry] = []
    for r in sop.revisions:
        entries.append(AuditEntry("revision", r.date, r.summary or "", version=r.version))
    if states is None:  # the pipeline passes the states it computed for the SOP
        states = signature_status(sop, root, anchor)
    seen: set[Role] = set()
    for a in sop.approvals:
        if a.role is None or a.role in seen:
            continue
        seen.add(a.role)
        entries.append(AuditEntry("signature", a.date, _MEANING[a.role], author=a.name or None,
                                  role=a.role, position=a.position or None, state=states[a.role]))
    if use_git:
        for c in git_history(sop.source) if sop.source else []:
            entries.append(AuditEntry("commit", c.date, c.subject, author=c.author, commit=c.sha))
    kind_rank = {"revision": 0, "signature": 1, "commit": 2}
    role_rank = {Role.LEADER: 0, Role.REVIEWER: 1, Role.MAKER: 2}
    # newest first; on one day: revision, then signatures (leader first), then commits in git order
    indexed = list(enumerate(entries))
    indexed.sort(key=lambda ie: (
        ie[1].date is None,
        -(ie[1].date.toordinal() if ie[1].date else 0),
        kind_rank[ie[1].kind],
        -(ie[1].version or 0),
        role_rank.get(ie[1].role, 0),
        ie[0],
    ))
    return [e for _, e in indexed]
