"""Output files of the sub-commands: checked before any work, written with a clear error.

``-`` means standard output.  A missing parent folder is created, but a
path that is a folder, lies below a file or in a folder that cannot be
written is a usage error (exit status 2) before the SOPs are even read; a
write that fails later (a full disk, ``/dev/full``) is one too, with the
system's reason instead of a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import UsageError

STDOUT = "-"


def check_output(value: str, option: str, *, stdout: bool = True) -> Path | None:
    """The file ``value`` names (``None`` for standard output), or :class:`UsageError` saying why not."""
    if value == STDOUT:
        if stdout:
            return None
        raise UsageError(f"{option} cannot write to standard output ('-'); name a file")
    if not value:
        raise UsageError(f"{option} needs a file name")
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{option} '{value}' is a folder; name a file in it, e.g. '{path / _example(option)}'")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} '{value}' cannot be written (no permission)")
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise UsageError(f"{option} '{value}': '{ancestor}' is a file, not a folder")
    if not os.access(ancestor if str(ancestor) else Path("."), os.W_OK | os.X_OK):
        raise UsageError(f"{option} '{value}': the folder '{ancestor}' cannot be written (no permission)")
    return path


def write_output(path: Path | None, content: str | bytes) -> None:
    """Write ``content`` to ``path`` (standard output for ``None``); an OS error becomes a :class:`UsageError`."""
    try:
        if path is None:
            if isinstance(content, bytes):
                sys.stdout.flush()
                sys.stdout.buffer.write(content)
                sys.stdout.buffer.flush()
            else:
                sys.stdout.write(content)
                sys.stdout.flush()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = "standard output" if path is None else f"'{path}'"
        raise UsageError(f"cannot write {where}: {exc.strerror or exc}") from None


def _example(option: str) -> str:
    return {"--pdf": "sop.pdf", "--html": "sop.html", "--docx": "sop.docx"}.get(option, "sops.json")
