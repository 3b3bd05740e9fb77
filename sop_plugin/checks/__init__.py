"""Validation: rules grouped by concern, each with stable codes (see :mod:`sop_plugin.codes`).

``validate`` is the one entry point used by ``sop lint``, the Markdown
extension and the MkDocs plugin.
"""

from __future__ import annotations

from ..model import Corpus, Diagnostic
from ..settings import Settings
from . import approvals, flow, lifecycle, paper, references, schema, signatures

CHECKS = (schema.check, references.check, flow.check, paper.check, approvals.check, signatures.check,
          lifecycle.check)


def validate(corpus: Corpus, settings: Settings | None = None) -> list[Diagnostic]:
    """Parse diagnostics plus every rule's findings, sorted by file and line, without repeats."""
    settings = settings or Settings()
    found: list[Diagnostic] = list(corpus.all_diagnostics())
    for check in CHECKS:
        found.extend(check(corpus, settings))
    unique = list(dict.fromkeys(found))
    unique.sort(key=lambda d: (d.file, d.line, d.column, d.code))
    return unique
