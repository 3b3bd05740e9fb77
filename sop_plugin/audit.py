"""The audit trail of one SOP: ``revisions`` entries, signatures and the file's git history.

ISO 9001 7.5.3 and 21 CFR Part 11 §11.10(e) ask that changes leave a trail.
The trail merges what the file says about itself (``revisions``, the
approvals with their meaning and whether they are bound to the content)
with what git recorded (``git log --follow``: date, author, message).

Git is optional: without git, outside a checkout, or when git fails or takes
too long, the trail simply has no commits.  The build reads the history of
the whole SOP folder with one ``git log`` (:func:`preload`); elsewhere git is
asked once per file and content.  :func:`clear_cache` starts afresh (the
MkDocs plugin calls it once per build).
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
_SEP, _END, _START = "\x1f", "\x1e", "\x1d"
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
_folders: dict[Path, dict[Path, list[Commit]]] = {}  # preload(): folder -> its files' histories


def clear_cache() -> None:
    _cache.clear()
    _folders.clear()


def git_head(folder: str | Path) -> str:
    """The commit checked out in ``folder``'s repository ("" outside a repository or without git)."""
    proc = _git(["rev-parse", "HEAD"], Path(folder))
    return proc.decode("ascii", "replace").strip() if proc is not None else ""


def git_history(path: str | Path) -> list[Commit]:
    """Commits that touched ``path`` (following renames), newest first; ``[]`` without git."""
    p = Path(path)
    try:
        resolved = p.resolve()
        st = resolved.stat()
    except OSError:
        return []
    for folder, histories in _folders.items():
        if resolved.is_relative_to(folder):
            return list(histories.get(resolved, ()))
    key = (str(resolved), st.st_mtime_ns, st.st_size)
    if key not in _cache:
        out = _git(["-c", "core.quotepath=off", "log", "--follow", f"--format={_FORMAT}", "--", resolved.name],
                   resolved.parent)
        _cache[key] = [] if out is None else [c for r in out.decode("utf-8", "replace").split(_END)
                                              if (c := _commit(r.strip("\n"))) is not None]
    return list(_cache[key])


def preload(folder: str | Path) -> None:
    """Read the history of every file below ``folder`` with one ``git log``.

    :func:`git_history` then answers for those files without running git: one call
    instead of one per SOP (each of which walks the whole history).  Renames within
    ``folder`` are followed: walking back in time, a commit that renamed ``old`` to
    ``new`` hands ``old``'s earlier commits to ``new``'s history.  Copies are not
    (``git log --follow`` also hands a new file the commits of one it resembles).
    Without git, outside a repository or when git fails, no file below ``folder`` has a
    history (and git is not asked again for each of them).
    """
    root = Path(folder).resolve()
    if root in _folders:
        return
    out = _git(["-c", "core.quotepath=off", "log", "-M", "--name-status", "--relative", "-z",
                f"--format={_START}{_FORMAT}", "--", "."], root)
    if out is None:  # no git, not a checkout: no file below has a history (asked once, not once per file)
        _folders[root] = {}
        return
    histories: dict[Path, list[Commit]] = {}
    later_name: dict[str, str] = {}  # a path in older commits -> the path it has now
    for record in out.decode("utf-8", "replace").split(_START)[1:]:
        head, _, changes = record.partition(_END)
        commit = _commit(head)
        if commit is None:
            continue
        fields = changes.lstrip("\0\n").split("\0")
        i = 0
        while i < len(fields) and fields[i]:
            status = fields[i]
            if status[:1] in ("R", "C") and i + 2 < len(fields):
                old, new = fields[i + 1], fields[i + 2]
                now = later_name.get(new, new)
                if status[0] == "R":
                    later_name[old] = now
                i += 3
            else:
                now = later_name.get(fields[i + 1], fields[i + 1]) if i + 1 < len(fields) else ""
                i += 2
            if now:
                history = histories.setdefault(root / now, [])
                if not history or history[-1] is not commit:
                    history.append(commit)
    _folders[root] = histories


def _git(args: list[str], cwd: Path) -> bytes | None:
    """``git args`` run in ``cwd``: its output, or ``None`` when git is missing, fails or takes too long."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, env=env,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def _commit(record: str) -> Commit | None:
    """One commit of a ``--format=_FORMAT`` record (without its end mark)."""
    fields = record.split(_SEP)
    if len(fields) != 5:
        return None
    sha, author, email, when, subject = fields
    try:
        stamp = dt.datetime.fromisoformat(when.strip())
    except ValueError:
        return None
    return Commit(sha.strip(), author, email, stamp, subject)


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
    if use_git and root:
        preload(root)  # one git log for the whole folder (once per build)
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
