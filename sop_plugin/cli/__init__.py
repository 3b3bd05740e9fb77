"""The ``sop`` command: the same pipeline as the site build, without MkDocs.

Each sub-command lives in its own module with a ``register(subparsers)``
function that adds its parser and sets ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

COMMANDS = ("lint", "simulate", "sign", "due", "export_pdf", "export_json", "new", "diff")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sop",
        description="Lint, sign, simulate and export Standard Operating Procedures written as Markdown.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        parser.exit(2, f"sop {args.command}: error: {exc}\n")
    except BrokenPipeError:  # pragma: no cover - `sop lint | head`
        return 0


class UsageError(Exception):
    """Bad arguments that argparse cannot see (missing paths, unknown ids)."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
