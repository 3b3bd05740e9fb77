"""Load a tree of SOP files and ``units.yml`` into one :class:`Corpus`.

Parsing is cached by file content, so ``mkdocs serve`` re-parses only the
files that changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import codes
from .model import Corpus, Sop
from .parsing import parse_sop
from .parsing.units import parse_units
from .settings import Settings

UNITS_FILE = "units.yml"

_cache: dict[tuple[str, str, str, Settings], Sop] = {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, reason)`` for unreadable files."""
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        return None, exc.strerror or str(exc)


def load_sop(path: Path, display: str, settings: Settings) -> Sop:
    text, problem = read_text(path)
    if text is None:
        sop = Sop(path=display, text="")
        sop.diagnostics.append(codes.NO_FRONT_MATTER.at(display, 1, f"cannot read the file: {problem}",
                                                        "save the file as UTF-8 text"))
        return sop
    source = str(path.resolve())
    key = (display, source, _digest(text), settings)
    cached = _cache.get(key)
    if cached is None:
        cached = parse_sop(display, text, settings)
        cached.source = source  # I/O uses the absolute path; diagnostics show ``display``
        _cache[key] = cached
    return cached


def sop_files(root: Path) -> list[Path]:
    """Every ``*.md`` below ``root``, sorted, skipping hidden folders and README files."""
    out = []
    for p in sorted(root.rglob("*.md")):
        rel = p.relative_to(root)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if p.name.lower() in ("readme.md", "index.md"):
            continue
        out.append(p)
    return out


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def load_corpus(root: str | Path, settings: Settings | None = None, *,
                files: list[Path] | None = None, display_base: Path | None = None) -> Corpus:
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
    if units_path.is_file():
        shown = _display(units_path, display_base)
        corpus.units_path = shown
        text, problem = read_text(units_path)
        if text is None:
            corpus.diagnostics.append(codes.UNITS_FILE.at(shown, 1, f"cannot read the units file: {problem}"))
        else:
            corpus.units, diags = parse_units(text, shown)
            corpus.diagnostics.extend(diags)
    for p in files if files is not None else sop_files(root):
        corpus.sops.append(load_sop(p, _display(p, display_base), settings))
    return corpus
