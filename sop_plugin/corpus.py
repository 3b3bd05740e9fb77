"""Load a tree of SOP files and ``units.yml`` into one :class:`Corpus`.

Parsing is cached by file content, in memory (``mkdocs serve`` re-parses only
the files that changed) and in the persistent build cache
(:mod:`sop_plugin.cache`); files that are not cached are parsed on all cores
(:mod:`sop_plugin.parallel`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import cache as build_cache
from . import codes, limits, parallel
from .cache import NO_CACHE, Cache
from .guard import guarded
from .i18n import Msg, msg
from .model import Corpus, Sop
from .parsing import oversized, parse_sop
from .parsing.units import parse_units
from .settings import Settings

UNITS_FILE = "units.yml"

# the SOPs the last load parsed or read from the build cache, by file and text: `mkdocs serve`
# reads only the saved files again (one portal's worth: an edited SOP's old model goes)
_cache: dict[tuple[object, ...], Sop] = {}


def clear_cache() -> None:
    _cache.clear()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, reason)`` for unreadable files (the reason in English)."""
    text, problem = read_said(path)
    return text, problem.text("en") if problem is not None else None


def read_said(path: Path) -> tuple[str | None, Msg | None]:
    """``(text, None)`` or ``(None, reason)`` for unreadable files, the reason to be put into words
    in the reader's language (the system's own words for it are a part of it)."""
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, msg("diag.corpus.not_utf8", reason=exc.reason, start=exc.start)
    except OSError as exc:
        return None, msg("diag.corpus.os_error", reason=exc.strerror or str(exc))


def load_sop(path: Path, display: str, settings: Settings, cache: Cache = NO_CACHE) -> Sop:
    return _load([(path, display)], settings, cache, workers=1)[0]


def _parse_key(settings: Settings) -> tuple[object, ...]:
    """What parsing depends on besides the text (not the date, language or publication options)."""
    return settings.procedure_headings, settings.calendar


def _parse_job(job: tuple[str, str, str, Settings]) -> Sop:
    display, source, text, settings = job
    sop, failed = guarded(display, 1, msg("diag.guard.stage_reading_file"), parse_sop, display, text, settings)
    if failed is not None:  # a parser bug: the SOP is reported, not published, and the rest loads
        sop = Sop(path=display, text=text)
        sop.diagnostics.append(failed)
    sop.source = source  # I/O uses the absolute path; diagnostics show ``display``
    return sop


def _too_big(path: Path, display: str) -> Sop | None:
    """A file over the size limit is not even read (the parser would reject it after reading)."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # read_text reports it
    if size <= limits.MAX_FILE_BYTES + 3:  # + a UTF-8 byte order mark
        return None
    return oversized(display, size)


def _load(files: list[tuple[Path, str]], settings: Settings, cache: Cache, workers: int) -> list[Sop]:
    """Parse ``(path, display)`` pairs: from memory, else from ``cache``, else on all cores."""
    out: list[Sop | None] = []
    todo: list[tuple[int, tuple[str, str, str, Settings], tuple[object, ...], str]] = []
    used: set[tuple[object, ...]] = set()
    for path, display in files:
        too_big = _too_big(path, display)
        if too_big is not None:
            out.append(too_big)
            continue
        text, problem = read_said(path)
        if text is None:
            sop = Sop(path=display, text="")
            sop.diagnostics.append(codes.NO_FRONT_MATTER.at(display, 1,
                                                            msg("diag.corpus.cannot_read", problem=problem),
                                                            msg("diag.corpus.cannot_read_hint")))
            out.append(sop)
            continue
        source = str(path.resolve())
        mkey = (display, source, _digest(text), _parse_key(settings))
        used.add(mkey)
        found = _cache.get(mkey)
        if found is None:
            pkey = build_cache.key("parse", mkey)
            stored = cache.get("parse", pkey)
            if stored is not build_cache.MISSING:
                found = _cache[mkey] = stored
        if found is None:
            todo.append((len(out), (display, source, text, settings), mkey, pkey))
        out.append(found)
    parsed = parallel.run(_parse_job, [job for _, job, _, _ in todo], workers)
    for (index, _, mkey, pkey), sop in zip(todo, parsed):
        out[index] = sop
        if any(d.code == "SOP900" for d in sop.diagnostics):
            continue  # a parser bug is not cached: the next build tries again
        _cache[mkey] = sop
        cache.put("parse", pkey, sop)
    for gone in set(_cache) - used:
        del _cache[gone]
    return out  # type: ignore[return-value]


def inside(path: Path, root: Path, *, real_root: Path | None = None) -> bool:
    """True when ``path``, with every link followed, lies within ``root`` (or is it).

    ``real_root``: ``root.resolve()``, when the caller checks many paths against one root.
    """
    try:
        return path.resolve().is_relative_to(real_root or root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def confined_file(path: Path, root: Path, *, real_root: Path | None = None) -> Msg | None:
    """``None`` for a regular file inside ``root``; otherwise why it must not be read
    (``real_root``: as for :func:`inside`)."""
    if not inside(path, root, real_root=real_root):
        return msg("diag.corpus.link_outside")
    if not path.is_file():
        return msg("diag.corpus.not_regular_file")
    return None


def check_sops_dir(sops_dir: Path, project: Path, docs_dir: Path | None = None) -> str | None:
    """``None`` when ``sops_dir`` is a folder inside the project (not the project itself, not holding
    ``docs_dir``); otherwise the reason, for the host to report."""
    if not inside(sops_dir, project) or sops_dir.resolve() == project.resolve():
        return f"the SOP folder must be a folder inside the project ({project}), not {sops_dir}"
    if docs_dir is not None and inside(docs_dir, sops_dir):
        return "the SOP folder must not contain the docs folder (its pages would be read as SOPs)"
    return None


def sop_files(root: Path) -> list[Path]:
    """Every ``*.md`` below ``root``, sorted, skipping hidden folders and README files.

    Links are listed too (:func:`load_corpus` refuses those that leave ``root``);
    folders that are links are not walked.
    """
    out = []
    for dirpath, dirnames, filenames in os.walk(root):  # os.walk does not follow folder links
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in filenames:
            if name.endswith(".md") and not name.startswith((".", "_")) and name.lower() not in ("readme.md", "index.md"):
                out.append(Path(dirpath) / name)
    return sorted(out)


def _display(path: Path, base: Path | None) -> str:
    """The path shown in diagnostics and ``sops.json``: relative to ``base`` (the project of a build).

    A link is shown where it lies in the tree, not where it points, so a build
    never prints the absolute path of the file behind it.
    """
    if base is not None:
        try:
            return path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            pass
        try:  # links followed: only when needed (each is a system call per folder of the path)
            return path.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            pass
    return path.as_posix()


def load_corpus(root: str | Path, settings: Settings | None = None, *,
                files: list[Path] | None = None, display_base: Path | None = None,
                cache: Cache = NO_CACHE) -> Corpus:
    """Load every SOP below ``root`` (or just ``files``) and ``root/units.yml``.

    ``display_base``: paths in diagnostics are relative to it (default: the
    current directory when ``root`` lies below it).
    """
    settings = settings or Settings()
    root = Path(root)
    if display_base is None:
        display_base = Path.cwd()
    corpus = Corpus(root=str(root))
    units_path = root / UNITS_FILE
    if units_path.is_file() or units_path.is_symlink():
        shown = _display(units_path, display_base)
        corpus.units_path = shown
        refused = confined_file(units_path, root)
        text, problem = (None, refused) if refused else read_said(units_path)
        if text is None:
            corpus.diagnostics.append(codes.UNITS_FILE.at(shown, 1, msg("diag.corpus.cannot_read_units",
                                                                        problem=problem)))
        else:
            result, failed = guarded(shown, 1, msg("diag.guard.stage_reading_units"), parse_units, text, shown)
            corpus.units, diags = result if result is not None else ({}, [failed])
            corpus.diagnostics.extend(diags)
    accepted: list[tuple[Path, str]] = []
    try:
        real_root: Path | None = root.resolve()
    except (OSError, RuntimeError):
        real_root = None  # each check finds out for itself
    for p in files if files is not None else sop_files(root):
        shown = _display(p, display_base)
        # a file of the tree must stay in it; a file named on the command line is read where it is
        refused = (confined_file(p, root, real_root=real_root) if p.absolute().is_relative_to(root.absolute())
                   else None)
        if refused:
            corpus.diagnostics.append(codes.OUTSIDE_SOPS_DIR.at(shown, 1, msg("diag.corpus.not_read", file=shown,
                                                                              reason=refused)))
            continue
        accepted.append((p, shown))
    corpus.sops.extend(_load(accepted, settings, cache, settings.workers))
    return corpus
