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

from .. import i18n
from ..checks import validate
from ..corpus import load_corpus
from ..export import dumps, export, schema
from ..render.context import Links, RenderContext
from . import UsageError
from .common import add_common, default_root, load_options, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("json", help="export every published SOP as JSON (sops.json)",
                       description="Write every SOP a portal build would publish as one JSON document "
                                   "(the site's sops.json). Exit status: 0 written, 2 usage error.")
    p.add_argument("path", nargs="?", metavar="DIR", help="SOP folder (default: the plugin's sops_dir, else ./sops)")
    p.add_argument("--out", "-o", metavar="FILE", default=None, help="write to FILE (default: standard output)")
    drafts = p.add_mutually_exclusive_group()
    drafts.add_argument("--include-drafts", dest="include_drafts", action="store_true", default=None,
                        help="include draft and review SOPs (a preview export)")
    drafts.add_argument("--no-drafts", dest="include_drafts", action="store_false",
                        help="leave draft and review SOPs out (a production export)")
    p.add_argument("--public", action="store_true", default=None,
                   help="a public export: leave confidential SOPs out")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema instead and exit")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.schema:
        _write(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n", args.out)
        return 0
    options = load_options(args)
    settings = load_settings(args)
    include = args.include_drafts if args.include_drafts is not None else bool(options.get("include_drafts", False))
    public = args.public if args.public is not None else bool(options.get("public", False))
    settings = type(settings)(**{**settings.__dict__, "include_drafts": include, "public": public})
    root = Path(args.path) if args.path else default_root(args)
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}'; name the folder to export")
    corpus = load_corpus(root, settings)
    ctx = RenderContext(corpus=corpus, settings=settings, diagnostics=validate(corpus, settings),
                        lang=i18n.normalize(options.get("lang")),
                        links=Links(sop_prefix=str(options.get("url_prefix") or "sop").strip("/")),
                        options={"institution": dict(options.get("institution") or {}),
                                 "site_name": _site_name(args)})
    doc = export(ctx)
    _write(dumps(doc), args.out)
    if args.out:
        print(f"wrote {doc['count']} SOPs to {args.out}", file=sys.stderr)
    return 0


def _site_name(args: argparse.Namespace) -> str | None:
    from .common import _LenientLoader  # the same lenient reader as the plugin options
    import yaml

    cfg = Path(args.config_file) if args.config_file else Path("mkdocs.yml")
    try:
        data = yaml.load(cfg.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except (OSError, yaml.YAMLError):
        return None
    name = data.get("site_name") if isinstance(data, dict) else None
    return str(name) if name else None


def _write(text: str, out: str | None) -> None:
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
