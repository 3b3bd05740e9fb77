"""Lifecycle arithmetic shared by the checks, the dashboard and ``sop due``.

Next review = the last Monev record (or the effective date) + ``review.interval_months``
(12 when not given).  :func:`due_report` lists what needs acting on.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .model import Corpus, Monitoring, Sop, Status
from .settings import Settings

DEFAULT_INTERVAL_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date | None:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb).

    ``None`` past the calendar's end (year 9999).  The parser keeps dates and
    intervals within :mod:`sop_plugin.limits`, so that only happens for models
    built by hand.
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_review(sop: Sop) -> dt.date | None:
    """The last Monev record's date, else the effective date."""
    dates = [m.date for m in sop.monitoring if m.date]
    if dates:
        return max(dates)
    return sop.effective


def last_change(sop: Sop) -> dt.date | None:
    """The latest of the revised date and the revisions log."""
    dates = [r.date for r in sop.revisions if r.date]
    if sop.revised:
        dates.append(sop.revised)
    return max(dates) if dates else None


def unanswered_revisions(sop: Sop) -> list[tuple[int, Monitoring]]:
    """Monev records recommending ``revise`` that no later revision answers, with their index.

    One rule for the SOP505 note and the dashboard: a record dated after the
    SOP's latest revision is unanswered; an undated one only when the SOP has
    no revision date at all (otherwise we cannot tell, and do not nag).
    """
    changed = last_change(sop)
    out = []
    for i, m in enumerate(sop.monitoring):
        if (m.recommendation or "").strip().lower() != "revise":
            continue
        if changed is not None and (m.date is None or m.date <= changed):
            continue
        out.append((i, m))
    return out


def next_review(sop: Sop, settings: Settings | None = None) -> dt.date | None:
    """Last review (or effective date) + ``review.interval_months`` (12 when not given)."""
    base = last_review(sop)
    if base is None:
        return None
    return add_months(base, sop.review_interval_months or DEFAULT_INTERVAL_MONTHS)


# -- what is due: overdue and upcoming reviews, effective SOPs not socialised -----

OVERDUE = "overdue"
UPCOMING = "upcoming"
NOT_SOCIALISED = "not_socialised"
KINDS = (OVERDUE, NOT_SOCIALISED, UPCOMING)


@dataclass(frozen=True)
class DueItem:
    """One thing to act on for one effective SOP.

    ``kind``: ``"overdue"`` (the periodic review date has passed),
    ``"upcoming"`` (the review falls due within the window) or
    ``"not_socialised"`` (no socialisation record dated on or after the
    effective date).  ``due`` is the review date (``None`` for
    not_socialised without an effective date); ``days`` is ``due - today``
    in days (negative when overdue; for not_socialised the days since the
    effective date, as a negative number, or 0).
    """

    kind: str
    sop_id: str
    title: str
    path: str
    line: int
    unit: str | None
    due: dt.date | None
    days: int

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.sop_id, "title": self.title, "path": self.path,
                "line": self.line, "unit": self.unit, "due": self.due.isoformat() if self.due else None,
                "days": self.days}


def is_socialised(sop: Sop) -> bool:
    """A socialisation record dated on or after the effective date (any dated record without one)."""
    dated = [s.date for s in sop.socialization if s.date]
    if sop.effective is None:
        return bool(dated)
    return any(d >= sop.effective for d in dated)


def due_report(corpus: Corpus, settings: Settings | None = None, within_days: int | None = None) -> list[DueItem]:
    """Overdue and upcoming reviews and unsocialised SOPs, for effective SOPs only.

    Stable API (used by ``sop due`` and the portal dashboard):

    * ``within_days``: the "upcoming" window; ``None`` means
      ``settings.review_due_days`` (30 by default).  A review due today counts
      as upcoming (0 days), one due yesterday as overdue.
    * "today" is ``settings.now()`` (pinned by ``--today`` / the ``today`` option).
    * Order: overdue (most overdue first), then not_socialised, then upcoming
      (soonest first); ties by SOP id.
    """
    settings = settings or Settings()
    window = settings.review_due_days if within_days is None else within_days
    today = settings.now()
    items: list[DueItem] = []
    for sop in corpus.sops:
        if sop.status is not Status.EFFECTIVE:
            continue
        ident = sop.id or sop.path
        title = sop.title or ""
        due = next_review(sop, settings)
        if due is not None:
            days = (due - today).days
            line = sop.line_of("review", sop.line_of("monitoring", sop.line_of("effective")))
            if days < 0:
                items.append(DueItem(OVERDUE, ident, title, sop.path, line, sop.unit, due, days))
            elif days <= window:
                items.append(DueItem(UPCOMING, ident, title, sop.path, line, sop.unit, due, days))
        if not is_socialised(sop):
            since = (sop.effective - today).days if sop.effective else 0
            items.append(DueItem(NOT_SOCIALISED, ident, title, sop.path,
                                 sop.line_of("socialization", sop.line_of("effective")), sop.unit,
                                 sop.effective, min(since, 0)))
    items.sort(key=lambda i: (KINDS.index(i.kind), i.days if i.kind != NOT_SOCIALISED else 0, i.sop_id))
    return items
