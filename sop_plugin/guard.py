"""The one catch point: an unexpected failure in one SOP becomes a diagnostic, the rest builds.

Bad input never raises: the parser and the checks turn it into located
diagnostics (see ``tests/test_fuzz*.py``).  What is left are bugs.  The
pipeline runs each stage for one SOP at a time through :func:`guarded`
(parse, validation, analysis, and the Markdown extension's rendering of a
directive), so that a bug triggered by one SOP costs that SOP's page (an
error page) and one ``SOP900`` error with its file and line, never the
whole portal.  ``--strict`` still fails, listing it with every other finding.

This module holds the package's only ``except Exception`` below the
``sop`` command's process boundary (``cli.main``, exit status 3); do not
add another one elsewhere, route the work through :func:`guarded`.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Callable, TypeVar

from . import codes
from .i18n import Msg, msg
from .model import Diagnostic

T = TypeVar("T")

log = logging.getLogger(__name__)

DEBUG = False
"""``sop --debug`` sets this: the traceback of a guarded failure goes to standard error as well."""


def guarded(path: str, line: int, stage: Msg, fn: Callable[..., T], *args: object,
            **kwargs: object) -> tuple[T | None, Diagnostic | None]:
    """``(fn(*args, **kwargs), None)``, or ``(None, SOP900 diagnostic at path:line)`` if it raised.

    ``stage`` says what was being done, as a gerund phrase of the catalogue:
    ``msg("diag.guard.stage_reading_file")`` ("reading the file"), ``..._checking_sop``,
    ``..._analysing``, ``..._rendering_page``, ``msg("diag.guard.stage_directive", directive="::: sop-unit x")``.
    """
    try:
        return fn(*args, **kwargs), None
    except RecursionError:
        return None, internal_error(path, line, stage, msg("diag.guard.too_deep"))
    except Exception as exc:  # noqa: BLE001 - the one catch point, see the module docstring
        text = "".join(traceback.format_exception(exc))
        said = stage.text("en")
        log.debug("internal error while %s %s:\n%s", said, path, text)
        if DEBUG:
            sys.stderr.write(f"{path}: internal error while {said}:\n{text}")
        return None, internal_error(path, line, stage, f"{type(exc).__name__}: {exc}")


def directive_stage(name: str, arg: str = "") -> Msg:
    """The stage of rendering one ``::: name arg`` directive."""
    return msg("diag.guard.stage_directive", directive=f"::: {name} {arg}".rstrip())


def internal_error(path: str, line: int, stage: Msg, detail: str | Msg) -> Diagnostic:
    """SOP900 at ``path:line``: "internal error while <stage> (<detail>)"; ``detail`` is cut to 200 characters."""
    if isinstance(detail, str):
        detail = " ".join(detail.split())
        if len(detail) > 200:
            detail = detail[:199] + "…"
    return codes.INTERNAL.at(path, line, msg("diag.guard.internal", stage=stage, detail=detail))
