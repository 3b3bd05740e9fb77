"""Where signatures live, and how files are written without losing work.

Signatures files
----------------

The SOP keeps one short line per approval (``digest: sha256:…;v2;version=N``).
Everything longer lives in a *signatures file* per SOP version, in the folder
``_signatures`` of the SOP tree (beside ``units.yml``; folders starting with
``_`` are never read as SOPs)::

    sops/_signatures/SOP-BPM-001.v1.yml

    # Ditulis oleh `sop sign`; jangan disunting dengan tangan.
    format: sop-signatures/1
    sop: SOP-BPM-001
    version: 1
    signatures:
      maker:
        digest: sha256:…;v2;version=1     # the digest line it belongs to
        parts: 11:XpTvSL72…               # names the parts that changed
        key: SHA256:onEV2c4H…             # fingerprint of the signing key
        signature: |                      # SSHSIG, namespace sop-approval
          -----BEGIN SSH SIGNATURE-----
          …

An entry counts only for the digest line it names; a stale entry is ignored.

Writing
-------

:func:`locked` takes an exclusive lock on a separate, stable lock file
(``.<name>.lock`` beside the SOP, never the file that gets replaced), so
concurrent ``sop sign`` runs take turns; the caller re-reads the SOP under
the lock.  :func:`atomic_write` writes a temporary file in the same folder,
flushes it to disk and ``os.replace``-s it over the target, keeping the
target's permissions: a reader sees the old file or the new one, never a
partial one.  The text is written as given, so line endings (LF, CRLF, CR)
stay what the caller kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

SIGNATURES_DIR = "_signatures"
FORMAT = "sop-signatures/1"
LOCK_TIMEOUT = 120  # seconds a signer waits for another one
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Entry:
    """What the signatures file says about one role's approval."""

    digest: str
    parts: str | None = None
    key: str | None = None
    signature: str | None = None


def safe_name(sop_id: str) -> str:
    """A file name for an SOP id: letters, digits and '-' kept, anything else replaced and
    disambiguated with a short hash (ids are author text)."""
    safe = re.sub(r"[^A-Za-z0-9-]+", "_", sop_id)[:80].strip("_") or "sop"
    if safe != sop_id:
        safe += "-" + hashlib.sha256(sop_id.encode("utf-8")).hexdigest()[:8]
    return safe


def signatures_path(root: str | Path, sop_id: str, version: int | None) -> Path:
    v = "-" if version is None else str(version)
    return Path(root) / SIGNATURES_DIR / f"{safe_name(sop_id)}.v{v}.yml"


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_read_cache: dict[str, tuple[tuple[int, int], dict[str, Entry]]] = {}


def read_entries(path: Path) -> dict[str, Entry]:
    """Role -> entry; ``{}`` for a missing or unreadable file (approvals then show "no signature").

    Cached on the file's size and modification time (pages, checks and the audit trail ask per SOP).
    """
    try:
        st = path.stat()
    except OSError:
        return {}
    key, stamp = str(path), (st.st_size, st.st_mtime_ns)
    hit = _read_cache.get(key)
    if hit is not None and hit[0] == stamp:
        return dict(hit[1])
    entries = _read_entries(path, st.st_size)
    if len(_read_cache) > 4096:
        _read_cache.clear()
    _read_cache[key] = (stamp, entries)
    return dict(entries)


def _read_entries(path: Path, size: int) -> dict[str, Entry]:
    if size > MAX_BYTES:
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    sigs = data.get("signatures") if isinstance(data, dict) else None
    out: dict[str, Entry] = {}
    for role, item in (sigs.items() if isinstance(sigs, dict) else []):
        if isinstance(item, dict) and isinstance(item.get("digest"), str):
            out[str(role)] = Entry(
                digest=item["digest"].strip(),
                parts=_str(item.get("parts")),
                key=_str(item.get("key")),
                signature=item.get("signature") if isinstance(item.get("signature"), str) else None,
            )
    return out


def _str(value: Any) -> str | None:
    return str(value).strip() if isinstance(value, (str, int)) and str(value).strip() else None


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_rep)


def render_entries(sop_id: str, version: int | None, entries: dict[str, Entry]) -> str:
    order = ["maker", "reviewer", "leader"]
    sigs: dict[str, dict[str, str]] = {}
    for role in sorted(entries, key=lambda r: (order.index(r) if r in order else 9, r)):
        e = entries[role]
        item = {"digest": e.digest}
        if e.parts:
            item["parts"] = e.parts
        if e.key:
            item["key"] = e.key
        if e.signature:
            item["signature"] = e.signature.replace("\r\n", "\n").strip("\n") + "\n"
        sigs[role] = item
    head = "# Ditulis oleh `sop sign`; jangan disunting dengan tangan (written by `sop sign`; do not edit).\n"
    body = yaml.dump({"format": FORMAT, "sop": sop_id, "version": version, "signatures": sigs},
                     Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    return head + body


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (on ``.<name>.lock`` beside it)."""
    with FileLock(str(lock_path(path)), timeout=timeout):
        yield


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, newlines as given) in one step, keeping its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
