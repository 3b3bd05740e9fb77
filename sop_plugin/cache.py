"""A persistent, content-addressed build cache (default ``.cache/sop/``).

Every entry is stored under a key that hashes *everything* its value depends
on (the SOP's text, the settings, ``units.yml``, the other SOPs it links to,
the git state, the date, the language, and the code of this package), so an
entry is never stale: a change anywhere in its inputs is a different key.
The folder is safe to delete at any time; a damaged or unreadable entry is
ignored and recomputed.  Values are pickles of the project's own dataclasses:
keep the folder out of version control (``.gitignore``) and do not share it
between people.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Any

_MISSING = object()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of this package's code, templates and message catalogue: a new build of the
    package (or an edited source tree) never reads entries written by another."""
    import sop_plugin

    root = Path(__file__).resolve().parent
    h = hashlib.sha256(sop_plugin.__version__.encode())
    for p in sorted(root.rglob("*")):
        if p.suffix in (".py", ".html", ".yml", ".json", ".js", ".css") and "vendor" not in p.parts and p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def key(*parts: Any) -> str:
    """A stable hash of ``parts`` (strings, numbers, tuples, frozen dataclasses with a stable repr)."""
    h = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        h.update(b"\x1f")
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
    return h.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Cache:
    """Entries by kind and key; ``Cache(None)`` caches nothing.

    ``persistent``: the folder outlives the build (the ``cache_dir`` option);
    ``False`` for :func:`scratch_cache`.
    """

    def __init__(self, folder: Path | None, *, persistent: bool = True):
        self.folder = folder
        self.persistent = persistent and folder is not None
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, k: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / k[:2] / f"{k}.pickle"

    def get(self, kind: str, k: str) -> Any:
        """The stored value, or :data:`MISSING`."""
        return self._read(kind, k, load=True)

    def get_pickled(self, kind: str, k: str) -> bytes | Any:
        """The stored entry as written (a pickle, not loaded), or :data:`MISSING`.

        For a value the reader keeps pickled (:meth:`sop_plugin.pipeline.Portal.derived`):
        whether it loads is found out when it is loaded.
        """
        return self._read(kind, k, load=False)

    def _read(self, kind: str, k: str, *, load: bool) -> Any:
        if self.folder is None:
            return _MISSING
        path = self._path(kind, k)
        try:
            data = path.read_bytes()
            value = pickle.loads(data) if load else data
        except (OSError, *UNREADABLE):
            self.misses += 1  # missing, damaged or written by other code: recompute, and overwrite on put
            return _MISSING
        self.hits += 1
        _touch(path)
        return value

    def has(self, kind: str, k: str) -> bool:
        """Whether an entry is stored (it may still turn out unreadable: :meth:`get` says)."""
        return self.folder is not None and bool(k) and _touch(self._path(kind, k))

    def put(self, kind: str, k: str, value: Any) -> bool:
        """Store ``value`` (atomically: workers write side by side); ``False`` if it could not be."""
        if self.folder is None or not k:
            return False
        return self.put_pickled(kind, k, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_pickled(self, kind: str, k: str, data: bytes) -> bool:
        """Store a value pickled already (:meth:`put`); ``False`` if it could not be."""
        if self.folder is None or not k:
            return False
        path = self._path(kind, k)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:
            return False  # a read-only or full disk only costs speed
        return True

    def prune(self, older_than: float) -> int:
        """Delete the entries last used before ``older_than`` (a :func:`time.time`); how many were deleted.

        Reading an entry marks it used (its modification time), so what the recent builds
        read stays, whichever settings they had (a public and an internal build share a
        cache), and the entries of edited SOPs and of older code go.
        """
        if self.folder is None:
            return 0
        deleted = 0
        for kind in KINDS:
            try:
                shards = list(os.scandir(self.folder / kind))
            except OSError:
                continue
            for shard in shards:
                try:
                    entries = list(os.scandir(shard.path)) if shard.is_dir(follow_symlinks=False) else []
                except OSError:
                    continue
                for entry in entries:
                    if not (entry.name.endswith(".pickle") or entry.name.startswith(".tmp-")):
                        continue
                    try:
                        if entry.stat(follow_symlinks=False).st_mtime < older_than:
                            os.unlink(entry.path)
                            deleted += 1
                    except OSError:
                        continue
        return deleted


def _touch(path: Path) -> bool:
    """Mark an entry used now (see :meth:`Cache.prune`); ``False`` if it does not exist."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    except OSError:  # a read-only cache: still usable, never pruned by this build
        return path.is_file()
    return True


MISSING = _MISSING
# what loading a damaged entry, or one written by other code, raises
UNREADABLE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, IndexError,
              KeyError)
NO_CACHE = Cache(None)
# the entries' folders (pages/ holds --dirty's page files, theme/ the theme's compiled templates: the plugin's)
KINDS = ("parse", "derived", "page", "views")
KEEP_DAYS = 7  # a full `mkdocs build` deletes the entries no build used for this long


def scratch_cache() -> Cache:
    """A cache for one build, without the persistent one (``cache_dir: ""``): a new temporary
    folder, deleted when the cache is dropped or, at the latest, when the process ends.

    The workers of a build store what they rendered in a cache and the host reads each
    page back when it needs it (:func:`sop_plugin.pipeline.analyse_all`); without one, every
    rendered page and view would wait in memory: at 1,000 SOPs the build peaked at 529 MB
    instead of 311 MB.  Nothing is read from an earlier build.  :data:`NO_CACHE` if no
    temporary folder can be made.
    """
    try:
        folder = Path(tempfile.mkdtemp(prefix="sop-build-"))
    except OSError:
        return NO_CACHE
    store = Cache(folder, persistent=False)
    weakref.finalize(store, _remove, folder, os.getpid())
    return store


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not a forked worker that inherited the cache and is done with it
        shutil.rmtree(folder, ignore_errors=True)


def open_cache(cache_dir: str, base: Path) -> Cache:
    """The cache of a project: ``cache_dir`` (the ``cache_dir`` option) below ``base``; ``""``: none."""
    return Cache((base / cache_dir).resolve()) if cache_dir else NO_CACHE
