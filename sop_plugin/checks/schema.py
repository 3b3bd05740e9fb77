"""Required fields and value shapes that YAML typing alone does not catch."""

from __future__ import annotations

import re

from .. import codes, ids
from ..model import Corpus, Diagnostic, Severity, Sop
from ..settings import Settings


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    pattern = re.compile(settings.id_pattern)
    for sop in corpus.sops:
        if not sop.front_matter and any(d.code in ("SOP100", "SOP101", "SOP111", "SOP900") for d in sop.diagnostics):
            continue  # nothing to check; the parse error says it all
        out.extend(_required(sop))
        if sop.id and not pattern.search(sop.id):
            unsafe = "" if ids.is_valid(sop.id) else "; until then the SOP gets no page"
            out.append(codes.BAD_ID.at(sop.path, sop.line_of("id"),
                                       f"SOP id '{sop.id}' does not match the pattern {settings.id_pattern}",
                                       f"use the organisation's numbering, e.g. SOP-UMUM-004{unsafe}"))
        elif sop.id and not ids.is_valid(sop.id):
            out.append(codes.UNSAFE_ID.at(sop.path, sop.line_of("id"),
                                          f"SOP id {sop.id!r} is outside the id grammar; the SOP gets no page"))
        if sop.created and sop.revised and sop.revised < sop.created:
            out.append(codes.DATE_ORDER.at(sop.path, sop.line_of("revised"),
                                           f"revised ({sop.revised}) is before created ({sop.created})",
                                           "a revision date cannot precede the creation date"))
    return out


def _required(sop: Sop) -> list[Diagnostic]:
    out = []
    needed = ["id", "title", "unit", "status"]
    if sop.status is not None and sop.status.is_signed_off:
        needed.append("version")
    for key in needed:
        if key not in sop.front_matter:
            out.append(codes.MISSING_FIELD.at(sop.path, 1, f"the front matter has no '{key}'",
                                              f"add '{key}: ...' to the front matter"))
    if sop.procedure is None:
        sev = Severity.WARNING if sop.status is not None and sop.status.may_be_incomplete else None
        out.append(codes.NO_PROCEDURE.at(sop.path, sop.body_line, "the SOP has no 'Prosedur' section", severity=sev))
    elif not sop.procedure.steps and not any(d.code == "SOP302" for d in sop.diagnostics):
        out.append(codes.EMPTY_PROCEDURE.at(sop.path, sop.procedure.line, "the procedure has no steps"))
    return out
