"""The ``sop`` command: the same pipeline as the site build, without MkDocs.

Each sub-command lives in its own module with a ``register(subparsers)``
function that adds its parser and sets ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback


COMMANDS = ("lint", "simulate", "sign", "verify", "due", "export_pdf", "export_json", "new", "diff", "pages", "completion")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sop",
        description="Lint, sign, simulate and export Standard Operating Procedures written as Markdown.",
        epilog="Exit status: 0 done, 1 findings (errors, an overdue review, a refused signature), "
               "2 usage error, 3 internal error (a bug: please report it; --debug shows the traceback).",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for command in sub.choices.values():  # `sop lint --debug` as well as `sop --debug lint`
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="show the traceback of an internal error")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``sop``; the exit status is 0 done, 1 findings, 2 usage error, 3 internal error.

    This is the command line's one catch-all: whatever a sub-command raises
    that is not a usage error is a bug in the tool (bad input is a
    diagnostic, never an exception), reported in one line with a request to
    report it; ``--debug`` adds the traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)  # argparse exits with 2 on a usage error
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        parser.exit(2, f"sop {args.command}: error: {exc}\n")
    except BrokenPipeError:  # pragma: no cover - `sop lint | head`
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print(f"sop {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the process boundary: a bug becomes exit 3, not a traceback
        if args.debug:
            traceback.print_exc()
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        detail = detail if len(detail) <= 200 else detail[:199] + "…"
        import sop_plugin

        print(f"sop {args.command}: internal error ({detail}). This is a bug in sop {sop_plugin.__version__}, not in your "
              f"files; please report it with the command you ran"
              + ("" if args.debug else " and the traceback that --debug prints") + ".", file=sys.stderr)
        return INTERNAL_ERROR


INTERNAL_ERROR = 3


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so that the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (captured output in tests)
        pass


class _Version(argparse.Action):
    """``--version``: reads the installed version only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object):
        super().__init__(option_strings, dest, nargs=0, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import sop_plugin

        parser.exit(0, f"{parser.prog} {sop_plugin.__version__}\n")


class UsageError(Exception):
    """Bad arguments that argparse cannot see (missing paths, unknown ids)."""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
