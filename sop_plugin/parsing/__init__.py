"""Parse one SOP file: front matter + body -> :class:`~sop_plugin.model.Sop`."""

from __future__ import annotations

from .. import codes
from ..model import Sop
from ..settings import Settings
from .frontmatter import apply_front_matter, is_unclosed, split
from .procedure import parse_body


def parse_sop(path: str, text: str, settings: Settings | None = None) -> Sop:
    """Never raises for bad input: every problem becomes a diagnostic on the Sop."""
    settings = settings or Settings()
    text = text.lstrip("\ufeff")
    sop = Sop(path=path, text=text)
    yaml_text, yaml_line, body, body_line = split(text)
    sop.body, sop.body_line = body, body_line
    if yaml_text is None:
        sop.diagnostics.append(codes.NO_FRONT_MATTER.at(path, 1, "the file has no front matter"))
    elif is_unclosed(text):
        sop.diagnostics.append(codes.NO_FRONT_MATTER.at(
            path, 1, "the front matter is never closed", "end the YAML fields with a '---' line"))
    else:
        sop.diagnostics.extend(apply_front_matter(sop, yaml_text, yaml_line))
    parsed = parse_body(body, body_line, path, headings=settings.procedure_headings, calendar=settings.calendar)
    sop.procedure = parsed.procedure
    sop.sections = parsed.sections
    sop.diagnostics.extend(parsed.diagnostics)
    return sop
