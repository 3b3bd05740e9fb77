"""``sop due``: overdue and upcoming periodic reviews, and effective SOPs not yet socialised.

Meant for a scheduled CI job: exit status 1 when a review is overdue, 0
otherwise (upcoming reviews and missing socialisation are reported but do
not fail), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..i18n import Translator
from ..lifecycle import NOT_SOCIALISED, OVERDUE, UPCOMING, DueItem, due_report
from . import UsageError
from .common import add_common, add_sops_dir, load_for_paths, load_settings

def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("due", help="list overdue and upcoming reviews and SOPs not yet socialised",
                       description="List effective SOPs whose periodic review (Monev) is overdue or due soon, "
                                   "and those not socialised since they took effect. "
                                   "Exit status: 0 nothing overdue, 1 a review is overdue, 2 usage error.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="SOP files or folders (default: the plugin's sops_dir, else ./sops)")
    p.add_argument("--within", type=int, default=None, metavar="DAYS",
                   help="report reviews due within DAYS days (default: the site's review_due_days, 30)")
    add_sops_dir(p)
    add_common(p, formats=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.within is not None and args.within < 0:
        raise UsageError("--within must be 0 or more days")
    settings = load_settings(args)
    corpora, only = load_for_paths(args.paths, args, settings)
    items: list[DueItem] = []
    for corpus in corpora:
        for item in due_report(corpus, settings, args.within):
            if only is None or Path(item.path).resolve().as_posix() in only:
                items.append(item)
    if args.format == "json":
        json.dump({"today": settings.now().isoformat(), "items": [i.as_dict() for i in items]},
                  sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        t = Translator(settings.lang)
        for i in items:
            print(f"{t('cli.due.label.' + i.kind):<15} {i.sop_id:<18} {_when(i, t):<34} {i.path}:{i.line}  {i.title}")
        print(t("cli.due.summary", overdue=sum(i.kind == OVERDUE for i in items),
                upcoming=sum(i.kind == UPCOMING for i in items),
                unsocialised=sum(i.kind == NOT_SOCIALISED for i in items), today=settings.now()),
              file=sys.stderr)
    return 1 if any(i.kind == OVERDUE for i in items) else 0


def _when(i: DueItem, t: Translator) -> str:
    if i.kind == OVERDUE:
        return t("cli.due.overdue", due=i.due, days=-i.days)
    if i.kind == UPCOMING:
        return t("cli.due.upcoming", due=i.due, days=i.days) if i.days else t("cli.due.today", due=i.due)
    return t("cli.due.effective_since", due=i.due) if i.due else t("cli.due.no_effective_date")
