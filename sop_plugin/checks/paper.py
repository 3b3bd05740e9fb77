"""What the official paper can hold: a step row of the SOP-AP table no taller than a printed page.

The printed SOP-AP table is cut into pages between rows (``assets/sop-print.js``); a row taller
than a page cannot be kept whole, and its drawing does not follow it across the page break.
The row heights are the estimate the layout itself draws with (:mod:`..paper`).
"""

from __future__ import annotations

from .. import codes
from ..i18n import msg
from ..memo import per_sop
from ..model import Corpus, Diagnostic, Sop
from ..paper import overlong_rows
from ..settings import Settings

# the step field a column shows, and what the message calls it (a catalogue key)
_COLUMNS = {
    "activity": ("", "diag.paper.column_activity"),
    "inputs": ("inputs", "diag.paper.column_inputs"),
    "duration": ("duration", "diag.paper.column_duration"),
    "output": ("output", "diag.paper.column_output"),
    "notes": ("notes", "diag.paper.column_notes"),
}


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    return [d for sop in corpus.sops for d in check_sop(sop)]


@per_sop  # a rebuild measures again only the SOPs it parsed again
def check_sop(sop: Sop) -> tuple[Diagnostic, ...]:
    out: list[Diagnostic] = []
    for step, column, lines in overlong_rows(sop):
        key, what = _COLUMNS[column]
        out.append(codes.OVERLONG_STEP.at(
            sop.path, step.line_of(key) if key else step.line,
            msg("diag.paper.overlong_row", step=step.number, lines=lines, what=msg(what))))
    return tuple(out)
