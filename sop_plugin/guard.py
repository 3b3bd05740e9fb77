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
from .model import Diagnostic

T = TypeVar("T")

log = logging.getLogger(__name__)

DEBUG = False
"""``sop --debug`` sets this: the traceback of a guarded failure goes to standard error as well."""


def guarded(path: str, line: int, stage: str, fn: Callable[..., T], *args: object,
            **kwargs: object) -> tuple[T | None, Diagnostic | None]:
    """``(fn(*args, **kwargs), None)``, or ``(None, SOP900 diagnostic at path:line)`` if it raised.

    ``stage`` says what was being done, as a gerund phrase: ``"reading the file"``,
    ``"checking the SOP"``, ``"analysing the procedure"``, ``"rendering the page"``.
    """
    try:
        return fn(*args, **kwargs), None
    except RecursionError:
        return None, internal_error(path, line, stage, "the structure is nested too deeply")
    except Exception as exc:  # noqa: BLE001 - the one catch point, see the module docstring
        text = "".join(traceback.format_exception(exc))
        log.debug("internal error while %s %s:\n%s", stage, path, text)
        if DEBUG:
            sys.stderr.write(f"{path}: internal error while {stage}:\n{text}")
        return None, internal_error(path, line, stage, f"{type(exc).__name__}: {exc}")


def internal_error(path: str, line: int, stage: str, detail: str) -> Diagnostic:
    detail = " ".join(detail.split())
    if len(detail) > 200:
        detail = detail[:199] + "…"
    return codes.INTERNAL.at(path, line, f"internal error while {stage} ({detail})")
