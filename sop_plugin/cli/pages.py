"""``sop pages --out DIR``: the pages the MkDocs plugin generates, written as files.

For hosts that run Python-Markdown extensions but not MkDocs plugins
(Zensical): the per-SOP pages, the portal views and the Monev forms pages
(:func:`sop_plugin.render.site.generated_pages`, the same Markdown the
plugin adds), plus the packaged CSS/JS under ``DIR/assets/sop/``.

A manifest (``DIR/.sop-pages.json``) lists what the last run wrote: a rerun
replaces those files and removes the ones no longer generated (a retired
SOP, ...); a file in ``DIR`` that the command did not write (an author's
``index.md``) is never overwritten, as the plugin never replaces a page that
exists in ``docs/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..i18n import Translator
from ..pipeline import build
from ..render.context import RenderContext
from ..render.site import ASSET_DIR, asset_files, asset_urls, generated_pages
from ..model import Severity
from . import UsageError
from .common import add_common, add_sops_dir, count, default_root, load_settings, project_dir

MANIFEST = ".sop-pages.json"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pages", help="write the generated SOP and portal pages for hosts without the MkDocs plugin",
                       description="Write the pages the MkDocs plugin would generate (one per published SOP, "
                                   "the portal views, the Monev forms) and the packaged assets into DIR, for "
                                   "hosts that run the Markdown extension but not MkDocs plugins (Zensical). "
                                   "Run 'sop lint --strict' as the build gate.")
    p.add_argument("--out", metavar="DIR", required=True, help="the docs folder to write into (e.g. docs)")
    add_sops_dir(p)
    p.add_argument("--no-assets", dest="assets", action="store_false",
                   help="do not copy the CSS/JS assets into DIR/assets/sop/")
    add_common(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    root = default_root(args)
    if not root.is_dir():
        raise UsageError(f"no SOP folder '{root}'; use --sops DIR")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{out}' is not a folder")
    portal = build(settings, project_dir(args), root=root)
    pages = generated_pages(RenderContext.of(portal))
    files = {p.src_path: p.content.encode("utf-8") for p in pages}
    if args.assets:
        files.update({f"{ASSET_DIR}/{rel}": path.read_bytes() for rel, path in asset_files()})
    written, kept = write(out, files)
    t = Translator(settings.lang)
    for rel in kept:
        print(t("cli.pages.kept", path=out / rel), file=sys.stderr)
    errors = sum(d.severity is Severity.ERROR for d in portal.diagnostics)
    n_pages = count(t, "page", len(pages) - len([k for k in kept if k.endswith(".md")]))
    wrote = (t("cli.pages.wrote_with_assets", pages=n_pages, assets=count(t, "asset", len(files) - len(pages)), out=out)
             if args.assets else t("cli.pages.wrote", pages=n_pages, out=out))
    print(t("cli.pages.with_errors", wrote=wrote, errors=count(t, "error", errors)) if errors else wrote,
          file=sys.stderr)
    if args.assets:
        print(assets_config(), end="")
    return 0


def write(out: Path, files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """Write ``files`` (relative path -> bytes) below ``out``; (written, kept) relative paths."""
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    try:
        before = set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
    except (OSError, ValueError, AttributeError):
        before = set()
    written, kept = [], []
    for rel, data in sorted(files.items()):
        target = out / rel
        if target.exists() and rel not in before:
            kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(rel)
    for rel in sorted(before - set(written)):  # generated last time, not any more
        stale = out / rel
        if stale.is_file() and rel not in kept:
            stale.unlink()
    manifest.write_text(json.dumps({"generator": "sop pages", "files": written}, indent=1) + "\n", encoding="utf-8")
    return written, kept



def assets_config() -> str:
    """The ``extra_css`` / ``extra_javascript`` lines that load the copied assets, in the plugin's order."""
    css, js = asset_urls()
    return ("extra_css:\n" + "".join(f"  - {c}\n" for c in css)
            + "extra_javascript:\n" + "".join(f"  - {j}\n" for j in js))
