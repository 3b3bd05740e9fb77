"""Parse one SOP file: front matter + body -> :class:`~sop_plugin.model.Sop`."""

from __future__ import annotations

from .. import codes, limits
from ..i18n import msg
from ..model import Sop
from ..settings import Settings
from .frontmatter import apply_front_matter, is_unclosed, split
from .procedure import parse_body


def parse_sop(path: str, text: str, settings: Settings | None = None) -> Sop:
    """Never raises for bad input: every problem becomes a diagnostic on the Sop."""
    settings = settings or Settings()
    text = text.lstrip("\ufeff")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.MAX_FILE_BYTES:
        return oversized(path, size)
    sop = Sop(path=path, text=text)
    yaml_text, yaml_line, body, body_line = split(text)
    sop.body_start, sop.body_line = len(text) - len(body), body_line  # the body is the end of the text
    fm_size = len(yaml_text.encode("utf-8", "surrogatepass")) if yaml_text is not None else 0
    if yaml_text is None:
        sop.diagnostics.append(codes.NO_FRONT_MATTER.at(path, 1, msg("diag.parse.no_front_matter")))
    elif is_unclosed(text):
        sop.diagnostics.append(codes.NO_FRONT_MATTER.at(
            path, 1, msg("diag.parse.unclosed"), msg("diag.parse.unclosed_hint")))
    elif fm_size > limits.MAX_FRONT_MATTER_BYTES:
        sop.diagnostics.append(codes.TOO_LARGE.at(
            path, 1, msg("diag.parse.front_matter_too_large", size=limits.size_msg(fm_size),
                         limit=limits.size_msg(limits.MAX_FRONT_MATTER_BYTES)),
            msg("diag.parse.front_matter_too_large_hint")))
    else:
        sop.diagnostics.extend(apply_front_matter(sop, yaml_text, yaml_line))
    parsed = parse_body(body, body_line, path, headings=settings.procedure_headings, calendar=settings.calendar)
    sop.procedure = parsed.procedure
    sop.sections = parsed.sections
    sop.diagnostics.extend(parsed.diagnostics)
    return sop


def oversized(path: str, size: int) -> Sop:
    """The SOP of a file over :data:`~sop_plugin.limits.MAX_FILE_BYTES`: one error, nothing parsed.

    A file this size is a mistake (a log, an export), and parsing it would cost minutes.
    """
    sop = Sop(path=path, text="")
    sop.diagnostics.append(codes.TOO_LARGE.at(
        path, 1, msg("diag.parse.file_too_large", size=limits.size_msg(size),
                     limit=limits.size_msg(limits.MAX_FILE_BYTES)),
        msg("diag.parse.file_too_large_hint")))
    return sop
