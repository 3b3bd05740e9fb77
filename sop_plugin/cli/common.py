"""What every sub-command needs: finding the SOP tree and the site's settings."""

from __future__ import annotations

import argparse
import os
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from .. import i18n
from ..corpus import UNITS_FILE, check_sops_dir, load_corpus, sop_files
from ..cache import open_cache
from ..model import Corpus
from ..settings import DEFAULTS, Settings, SettingsError
from . import UsageError

class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: unknown tags (!!python/name, !ENV) become plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if suffix == "!ENV":  # MkDocs' `!ENV NAME` / `!ENV [NAME, ..., default]`: the first variable set, else the default
        names = [loader.construct_scalar(node)] if isinstance(node, yaml.ScalarNode) else [
            loader.construct_object(n) for n in node.value]
        for name in (names[:-1] if len(names) > 1 else names):
            if os.environ.get(str(name)):
                return os.environ[str(name)]
        return names[-1] if len(names) > 1 else None
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_multi_constructor("", _any_tag)


def plugin_options(config_file: Path) -> dict[str, Any]:
    """The ``sop`` plugin's options from an mkdocs.yml, or ``{}``.

    The site-level settings the plugin also takes from MkDocs (``site_name``,
    ``use_directory_urls``, the theme's ``language``) fill in what the plugin's
    own options leave open, as in a build.
    """
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader) or {}
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
    theme = data.get("theme")
    site = {"site_name": data.get("site_name"), "use_directory_urls": data.get("use_directory_urls"),
            "lang": theme.get("language") if isinstance(theme, dict) else None}
    options = {k: v for k, v in site.items() if v is not None}
    for entry in data.get("plugins") or []:
        if isinstance(entry, dict) and "sop" in entry:
            options.update({k: v for k, v in dict(entry["sop"] or {}).items() if v is not None})
    return options


def add_common(parser: argparse.ArgumentParser, *, formats: bool = False) -> None:
    """Options every sub-command shares; ``formats=True`` adds ``--format text|json``."""
    if formats:
        parser.add_argument("--format", choices=("text", "json"), default="text",
                            help="output format (default: text)")
    parser.add_argument("--config-file", "-f", metavar="FILE", default=None,
                        help="mkdocs.yml whose 'sop' plugin options apply (default: ./mkdocs.yml if present)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=_date, default=None,
                        help="judge review dates as if today were this day (default: the real date)")
    parser.add_argument("--lang", choices=i18n.LANGS, default=None,
                        help="language of the output: messages, labels, pages (default: the 'lang' option or "
                             "the theme's language in mkdocs.yml, else id)")


def count(t: i18n.Translator, noun: str, n: int) -> str:
    """``n`` and the noun (``cli.count.<noun>.one`` / ``.other``): "2 errors", "2 galat"."""
    return t(f"cli.count.{noun}.{'one' if n == 1 else 'other'}", n=n)


def add_sops_dir(parser: argparse.ArgumentParser, *aliases: str) -> None:
    """``--sops DIR``, the SOP folder, for every command that finds SOPs by id or lists the tree."""
    parser.add_argument("--sops", *aliases, dest="sops", metavar="DIR", default=None,
                        help="the SOP folder (default: the plugin's sops_dir, else ./sops)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    cfg = config_path(args)
    if args.config_file and not cfg.is_file():
        raise UsageError(f"config file '{cfg}' does not exist")
    return plugin_options(cfg) if cfg.is_file() else {}


def load_settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    """The plugin options of the config file, overridden by the command's flags (``None``: not given)."""
    try:
        overrides.setdefault("lang", getattr(args, "lang", None))
        return Settings.from_options(load_options(args), today=getattr(args, "today", None), **overrides)
    except SettingsError as exc:
        raise UsageError(f"{config_path(args)}: {exc}") from None


def config_path(args: argparse.Namespace) -> Path:
    return Path(args.config_file) if args.config_file else Path("mkdocs.yml")


def project_dir(args: argparse.Namespace) -> Path:
    """The folder the plugin options are relative to: the config file's, else the current one."""
    cfg = config_path(args)
    return cfg.parent if cfg.is_file() else Path(".")


def default_root(args: argparse.Namespace) -> Path:
    """The SOP folder: ``--sops DIR``, else the one the mkdocs.yml names, held to the same rule as
    the build (inside the project)."""
    if getattr(args, "sops", None):
        return Path(args.sops)
    options = load_options(args)
    project = project_dir(args)
    root = project / str(options.get("sops_dir") or DEFAULTS.sops_dir)
    problem = check_sops_dir(root, project)
    if problem:
        raise UsageError(f"'sops_dir: {options.get('sops_dir')}' in {config_path(args)}: {problem}")
    return root


def find_root(path: Path) -> Path:
    """The SOP tree a single file belongs to: the nearest folder up with units.yml, else its folder."""
    for parent in [path.parent, *path.parent.parents]:
        if (parent / UNITS_FILE).is_file():
            return parent
    return path.parent


def load_for_paths(paths: list[str], args: argparse.Namespace, settings: Settings) -> tuple[list[Corpus], set[str] | None]:
    """Corpora to judge, and (when files or sub-folders were named) the files whose diagnostics to report.

    A named file or folder is judged within its whole tree (the nearest
    folder up with ``units.yml``), so that units and SOP ids resolve, but
    only what was named is reported.
    """
    if not paths:
        root = default_root(args)
        if not root.is_dir():
            raise UsageError(f"no SOP folder '{root}' here; name it with --sops, or name the files or folders to check")
        return [load_corpus(root, settings, cache=open_cache(settings.cache_dir, project_dir(args)))], None
    roots: dict[Path, list[Path]] = {}  # tree root -> named files that the tree walk skips
    whole: set[Path] = set()  # trees named as such
    subtrees: list[Path] = []  # folders named inside a bigger tree
    files: set[str] = set()
    for p in map(Path, paths):
        if not p.exists():
            raise UsageError(f"'{p}' does not exist")
        if p.is_dir():
            root = find_root(p / UNITS_FILE)
            roots.setdefault(root, [])
            if root.resolve() == p.resolve():
                whole.add(root)
            else:
                subtrees.append(p.resolve())
        else:
            root = find_root(p)
            extras = roots.setdefault(root, [])
            files.add(p.resolve().as_posix())
            if p.resolve() not in {f.resolve() for f in sop_files(root)} and p not in extras:
                extras.append(p)  # e.g. a README.md or a file in a hidden folder, named explicitly
    store = open_cache(settings.cache_dir, project_dir(args))
    corpora = [load_corpus(root, settings, files=sop_files(root) + extras if extras else None, cache=store)
               for root, extras in roots.items()]
    if not files and not subtrees:
        return corpora, None
    only = set(files)
    for c in corpora:
        for s in c.sops:
            resolved = Path(s.path).resolve()
            if Path(c.root) in whole or any(resolved.is_relative_to(d) for d in subtrees):
                only.add(resolved.as_posix())
        if c.units_path and Path(c.root) in whole:
            only.add(Path(c.units_path).resolve().as_posix())
    return corpora, only
