"""``sop json [--out FILE]``: every published SOP as ``sops.json`` (schema version 1).

The same document the MkDocs plugin writes to the site root, built from the
same rules: the ``sop`` plugin options of ``mkdocs.yml`` (``include_drafts``,
``public``, ``today``, ...) apply unless overridden here.  The schema is
``sop_plugin/schemas/sops.schema.json`` (``--schema`` prints it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..export import dumps, export, schema
from ..i18n import Translator
from ..pipeline import build
from . import UsageError
from .common import add_common, add_sops_dir, count, default_root, load_settings, project_dir
from .output import check_output, write_output


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("json", help="export every published SOP as JSON (sops.json)",
                       description="Write every SOP a portal build would publish as one JSON document "
                                   "(the site's sops.json). Exit status: 0 written, 2 usage error.")
    p.add_argument("path", nargs="?", metavar="DIR", help="SOP folder (default: the plugin's sops_dir, else ./sops)")
    p.add_argument("--out", "-o", metavar="FILE", default="-",
                   help="write to FILE; '-' is standard output (the default)")
    drafts = p.add_mutually_exclusive_group()
    drafts.add_argument("--include-drafts", dest="include_drafts", action="store_true", default=None,
                        help="include draft and review SOPs (a preview export)")
    drafts.add_argument("--no-drafts", dest="include_drafts", action="store_false",
                        help="leave draft and review SOPs out (a production export)")
    p.add_argument("--public", action="store_true", default=None,
                   help="a public export: leave confidential SOPs out")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema instead and exit")
    add_sops_dir(p)
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = check_output(args.out, "--out")
    if args.schema:
        write_output(out, json.dumps(schema(), ensure_ascii=False, indent=2) + "\n")
        return 0
    settings = load_settings(args, include_drafts=args.include_drafts, public=args.public)
    root = Path(args.path) if args.path else default_root(args)
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}'; name the folder to export, or give it with --sops")
    doc = export(build(settings, project_dir(args), root=root))
    write_output(out, dumps(doc))
    if out is not None:
        t = Translator(settings.lang)
        print(t("cli.export.json_wrote", sops=count(t, "sop", doc["count"]), path=out), file=sys.stderr)
    return 0
