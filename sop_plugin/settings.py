"""Settings shared by the CLI, the Markdown extension and the MkDocs plugin.

The plugin's config options map one-to-one onto these fields, so a build and
``sop lint`` judge a tree the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .model import Calendar

DEFAULT_HEADINGS = ("Prosedur", "Procedure", "Uraian Prosedur")


@dataclass(frozen=True)
class Settings:
    id_pattern: str = r"^[A-Za-z][A-Za-z0-9]*(?:[-./_][A-Za-z0-9]+)+$"
    procedure_headings: tuple[str, ...] = DEFAULT_HEADINGS
    calendar: Calendar = field(default_factory=Calendar)
    require_signed: bool = False
    review_due_days: int = 30  # "due soon" window of the dashboard and `sop due`
    today: dt.date | None = None  # None: the real date; tests and CI can pin it
    include_drafts: bool = False  # publish draft and review SOPs (a preview build)
    public: bool = False  # a public build leaves confidential SOPs out entirely

    def now(self) -> dt.date:
        return self.today or dt.date.today()
