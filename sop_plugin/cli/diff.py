"""``sop diff``: what changed between two versions of an SOP, step by step.

    sop diff OLD NEW                 two files
    sop diff FILE --rev REV          the file at a git revision -> the file now
    sop diff FILE --since-signed     the content the last signature bound -> the file now

Exit status: 0 no differences, 1 differences found (like ``diff``), 2 usage
error (missing file, unknown revision, nothing signed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import i18n
from ..corpus import read_said
from ..diff import SopDiff, diff_sops
from ..diff.history import GitError, at_revision, signed_content
from ..model import Sop
from ..parsing import parse_sop
from ..render.changes import html_document, html_note, text_report
from ..signing import DigestError, compare, signed_fingerprint
from . import UsageError
from .common import add_common, find_root, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff", help="show step-level changes between two versions of an SOP",
        description="Name the steps added, removed, moved and changed (field by field) and the changed "
                    "front-matter fields and sections between two versions of an SOP. "
                    "Exit status: 0 no differences, 1 differences, 2 usage error.")
    p.add_argument("files", nargs="+", metavar="FILE",
                   help="OLD NEW, or one FILE with --rev or --since-signed")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--rev", metavar="REV", help="compare FILE as it was at this git revision with FILE now")
    src.add_argument("--since-signed", action="store_true",
                     help="compare the content the last signature bound (found in git history when "
                          "the file no longer holds it) with FILE now")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="output format (default: text); html is a self-contained page")
    add_common(p)
    p.set_defaults(func=run)


def _read(path: Path, t: i18n.Translator) -> str:
    if not path.is_file():
        raise UsageError(f"'{path}' does not exist")
    text, problem = read_said(path)
    if text is None:  # not UTF-8, no permission: the author's to fix, in the site's language
        raise UsageError(t("cli.diff.unreadable", path=path, problem=problem.text(t.lang)))
    return text


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    lang = settings.lang
    t = i18n.Translator(lang)

    old_date: str | None = None  # a git revision's date
    if args.rev or args.since_signed:
        if len(args.files) != 1:
            raise UsageError("with --rev or --since-signed, name exactly one FILE")
        path = Path(args.files[0])
        new = parse_sop(path.as_posix(), _read(path, t), settings)
        if args.rev:
            try:
                old_text, old_date = at_revision(path, args.rev)
            except GitError as exc:
                raise UsageError(str(exc)) from None
            old, old_label = parse_sop(path.as_posix(), old_text, settings), f"{path.as_posix()}@{args.rev}"
        else:
            found = signed_content(new, path, settings)
            if found is None:
                raise UsageError(t("cli.diff.no_signature", path=path))
            if found.sop is None:
                return _fingerprint_only(new, found.digest, args.format, lang, t, find_root(path))
            old, old_label, old_date = found.sop, found.label, found.date
    else:
        if len(args.files) != 2:
            raise UsageError("name two files (OLD NEW), or one FILE with --rev or --since-signed")
        a, b = map(Path, args.files)
        old, old_label = parse_sop(a.as_posix(), _read(a, t), settings), a.as_posix()
        new = parse_sop(b.as_posix(), _read(b, t), settings)
    result = diff_sops(old, new, old_label=old_label, new_label=new.path, old_date=old_date)
    _print(result, args.format, lang, t)
    return 0 if result.empty else 1


def _print(result: SopDiff, fmt: str, lang: str, t) -> None:
    if fmt == "json":
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif fmt == "html":
        sys.stdout.write(html_document(result, t, lang))
    else:
        sys.stdout.write(text_report(result, t))


def _fingerprint_only(sop: Sop, digest: str, fmt: str, lang: str, t, root: Path) -> int:
    """The signed text is gone: name the changed parts from the digest's fingerprint (kept in the
    signatures file for a v2 digest)."""
    try:
        cmp = compare(sop, digest, signed_fingerprint(root, sop.id, digest))
    except DigestError as exc:
        raise UsageError(t("cli.diff.bad_digest", error=exc.said.text(lang))) from None
    if cmp.matches:
        parts: list[str] = []
    else:
        parts = [c.words(lang) for c in cmp.parts] or [cmp.describe()]
    if fmt == "json":  # machine-readable: the stable English words
        changed = [] if cmp.matches else (cmp.changed or [cmp.describe()])
        json.dump({"signed_content_found": False, "changed": changed}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        message = t("changes.signature_only", parts=", ".join(parts)) if parts else t("changes.none")
        sys.stdout.write(html_note(message, t, lang) if fmt == "html" else message + "\n")
    return 1 if parts else 0
