"""``sop lint``: check SOP files, file by file and line by line, without building the site."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from .. import codes, i18n
from ..i18n import msg
from ..pipeline import validated
from ..model import Diagnostic, Severity
from .common import add_common, add_sops_dir, count as _count, load_for_paths, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lint", help="check SOP files and print every problem with its line",
                       description="Check SOP files. Exit status: 0 no errors, 1 errors found, 2 usage error, "
                               "3 internal error.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="SOP files or folders (default: the plugin's sops_dir, else ./sops)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--require-signed", action="store_true", default=None,
                   help="an approval without a digest is an error, not a warning")
    p.add_argument("--require-verified-signatures", action="store_true", default=None,
                   help="every approval of an approved or effective SOP must be verified by a registered key")
    p.add_argument("--show-info", action="store_true", help="also print informational notes")
    add_sops_dir(p)
    add_common(p, formats=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args, require_signed=args.require_signed,
                             require_verified_signatures=args.require_verified_signatures)
    corpora, only = load_for_paths(args.paths, args, settings)
    found: list[Diagnostic] = []
    files = 0
    for corpus in corpora:
        diags, _ = validated(corpus, settings)  # a check that fails on one SOP is SOP900 there
        if only is not None:
            diags = [d for d in diags if Path(d.file).resolve().as_posix() in only]
            files += sum(1 for s in corpus.sops if Path(s.path).resolve().as_posix() in only)
        else:
            files += len(corpus.sops)
        found.extend(diags)
    if files == 0 and not [d for d in found if d.severity is Severity.ERROR]:
        # an empty tree (or a named folder without SOPs) must not pass CI as "0 errors"
        where = ", ".join(args.paths) or (corpora[0].root if corpora else ".")
        found.append(codes.NO_SOPS.at(where, 1, msg("diag.lint.no_sops", where=where)))
    if args.strict:
        found = [_strict(d) for d in found]
    shown = [d for d in found if args.show_info or d.severity is not Severity.INFO]
    errors = sum(d.severity is Severity.ERROR for d in found)
    warnings = sum(d.severity is Severity.WARNING for d in found)
    if args.format == "json":
        json.dump([d.as_dict(settings.lang) for d in shown], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for d in shown:
            print(d.format(settings.lang))
        t = i18n.Translator(settings.lang)
        print(t("cli.lint.summary", files=_count(t, "file", files), errors=_count(t, "error", errors),
                warnings=_count(t, "warning", warnings)), file=sys.stderr)
    return 1 if errors else 0


def _strict(d: Diagnostic) -> Diagnostic:
    if d.severity is Severity.WARNING:
        return dataclasses.replace(d, severity=Severity.ERROR)
    return d
