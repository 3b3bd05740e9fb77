"""Required fields and value shapes that YAML typing alone does not catch."""

from __future__ import annotations

import re

from .. import codes, ids
from ..i18n import msg
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
            hint = "diag.schema.bad_id_hint" if ids.is_valid(sop.id) else "diag.schema.bad_id_hint_no_page"
            out.append(codes.BAD_ID.at(sop.path, sop.line_of("id"),
                                       msg("diag.schema.bad_id", id=sop.id, pattern=settings.id_pattern), msg(hint)))
        elif sop.id and not ids.is_valid(sop.id):
            out.append(codes.UNSAFE_ID.at(sop.path, sop.line_of("id"),
                                          msg("diag.schema.unsafe_id", id=sop.id)))
        if sop.created and sop.revised and sop.revised < sop.created:
            out.append(codes.DATE_ORDER.at(sop.path, sop.line_of("revised"),
                                           msg("diag.schema.revised_before_created", revised=sop.revised,
                                               created=sop.created),
                                           msg("diag.schema.revised_before_created_hint")))
    return out


def _required(sop: Sop) -> list[Diagnostic]:
    out = []
    needed = ["id", "title", "unit", "status"]
    if sop.status is not None and sop.status.is_signed_off:
        needed.append("version")
    written = sop.front_matter
    for key in needed:
        if key not in written:
            out.append(codes.MISSING_FIELD.at(sop.path, 1, msg("diag.schema.missing", key=key),
                                              msg("diag.schema.missing_hint", key=key)))
    if sop.procedure is None:
        sev = Severity.WARNING if sop.status is not None and sop.status.may_be_incomplete else None
        out.append(codes.NO_PROCEDURE.at(sop.path, sop.body_line, msg("diag.schema.no_procedure"),
                                         severity=sev))
    elif not sop.procedure.steps and not any(d.code == "SOP302" for d in sop.diagnostics):
        out.append(codes.EMPTY_PROCEDURE.at(sop.path, sop.procedure.line, msg("diag.schema.no_steps")))
    return out
