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


# The stages, as phrases of the catalogue; a stage given as English text is one of these when it can be.
_STAGES = {
    "reading the file": "diag.guard.stage_reading_file",
    "reading the units file": "diag.guard.stage_reading_units",
    "checking the SOP": "diag.guard.stage_checking_sop",
    "checking the SOPs": "diag.guard.stage_checking_sops",
    "analysing the procedure": "diag.guard.stage_analysing",
    "rendering the page": "diag.guard.stage_rendering_page",
    "finding what the page shows": "diag.guard.stage_finding_page_content",
}


def guarded(path: str, line: int, stage: str | Msg, fn: Callable[..., T], *args: object,
            **kwargs: object) -> tuple[T | None, Diagnostic | None]:
    """``(fn(*args, **kwargs), None)``, or ``(None, SOP900 diagnostic at path:line)`` if it raised.

    ``stage`` says what was being done, as a gerund phrase of the catalogue:
    ``msg("diag.guard.stage_reading_file")`` ("reading the file"), ``..._checking_sop``,
    ``..._analysing``, ``..._rendering_page``, ``msg("diag.guard.stage_directive", directive="::: sop-unit x")``.
    English text is accepted too; a stage not in the catalogue keeps the diagnostic in English.
    """
    try:
        return fn(*args, **kwargs), None
    except RecursionError:
        return None, internal_error(path, line, stage, msg("diag.guard.too_deep"))
    except Exception as exc:  # noqa: BLE001 - the one catch point, see the module docstring
        text = "".join(traceback.format_exception(exc))
        said = stage.text("en") if isinstance(stage, Msg) else stage
        log.debug("internal error while %s %s:\n%s", said, path, text)
        if DEBUG:
            sys.stderr.write(f"{path}: internal error while {said}:\n{text}")
        return None, internal_error(path, line, stage, f"{type(exc).__name__}: {exc}")


def internal_error(path: str, line: int, stage: str | Msg, detail: str | Msg) -> Diagnostic:
    """SOP900 at ``path:line``: "internal error while <stage> (<detail>)"; ``detail`` is cut to 200 characters."""
    if isinstance(detail, str):
        detail = " ".join(detail.split())
        if len(detail) > 200:
            detail = detail[:199] + "…"
    if isinstance(stage, str) and stage in _STAGES:
        stage = msg(_STAGES[stage])
    if isinstance(stage, Msg):
        return codes.INTERNAL.at(path, line, msg("diag.guard.internal", stage=stage, detail=detail))
    detail = detail.text("en") if isinstance(detail, Msg) else detail
    return codes.INTERNAL.at(path, line, f"internal error while {stage} ({detail})")
