"""Lifecycle arithmetic shared by the checks, the dashboard and ``sop due``."""

from __future__ import annotations

import calendar
import datetime as dt

from .model import Sop
from .settings import Settings

DEFAULT_INTERVAL_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_review(sop: Sop) -> dt.date | None:
    """The last Monev record's date, else the effective date."""
    dates = [m.date for m in sop.monitoring if m.date]
    if dates:
        return max(dates)
    return sop.effective


def next_review(sop: Sop, settings: Settings | None = None) -> dt.date | None:
    """Last review (or effective date) + ``review.interval_months`` (12 when not given)."""
    base = last_review(sop)
    if base is None:
        return None
    return add_months(base, sop.review_interval_months or DEFAULT_INTERVAL_MONTHS)
