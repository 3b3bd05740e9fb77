"""What the official paper can hold: a step row of the SOP-AP table no taller than a printed page.

The printed SOP-AP table is cut into pages between rows (``assets/sop-print.js``); a row taller
than a page cannot be kept whole, and its drawing does not follow it across the page break.
The row heights are the estimate the layout itself draws with (:mod:`..paper`).
"""

from __future__ import annotations

from .. import codes
from ..model import Corpus, Diagnostic
from ..paper import overlong_rows
from ..settings import Settings

# the step field a column shows, and what the message calls it
_COLUMNS = {
    "activity": ("", "activity (Kegiatan)"),
    "inputs": ("inputs", "documents (Kelengkapan)"),
    "duration": ("duration", "time (Waktu)"),
    "output": ("output", "output (Output)"),
    "notes": ("notes", "notes (Keterangan)"),
}


def check(corpus: Corpus, settings: Settings) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for sop in corpus.sops:
        for step, column, lines in overlong_rows(sop):
            key, what = _COLUMNS[column]
            out.append(codes.OVERLONG_STEP.at(
                sop.path, step.line_of(key) if key else step.line,
                f"step {step.number}: its row in the SOP-AP table runs to about {lines} lines of {what}, "
                f"more than a printed page holds"))
    return out
