"""Documented limits on what an SOP file may contain.

Real SOPs are far below every one of these (the largest bundled SOP is
about 8 KB with 14 steps).  The limits exist so that a mistaken or hostile
file gets a clear, located error at once instead of minutes of work, huge
memory use or a number that overflows further down (dates past the year
9999, float infinity).  They are listed for authors in
``docs/guide/limits.md``; change both together.
"""

from __future__ import annotations

import datetime as dt

from .i18n import Msg, msg

MAX_FILE_BYTES = 1_000_000
"""An SOP file (front matter and body, UTF-8) larger than this is not read."""

MAX_FRONT_MATTER_BYTES = 100_000
"""The YAML front matter larger than this is not parsed."""

MAX_UNITS_BYTES = 1_000_000
"""``units.yml`` larger than this is not parsed."""

MAX_STEPS = 200
"""Steps in one procedure; the steps after this are not read."""

MAX_DURATION_MINUTES = 10_000_000.0
"""One step's duration (about 80 years of 8-hour working days)."""

MAX_INTERVAL_MONTHS = 120
"""``review.interval_months``: at most ten years between Monev reviews."""

MIN_YEAR, MAX_YEAR = 1900, 2999
"""Dates in the front matter; later dates would overflow review arithmetic."""

MAX_VERSION = 1_000_000
"""The ``version`` number and revision versions."""

MAX_NUMBER_DIGITS = 9
"""Digits in a step number written as a flow target (``-> 3``)."""


def date_in_range(day: dt.date) -> bool:
    return MIN_YEAR <= day.year <= MAX_YEAR


def size_msg(n: int) -> Msg:
    """``1.2 MB`` / ``100 KB`` / ``512 bytes`` (decimal units, as file managers show them), in the
    reader's language (``1,2 MB`` in Indonesian), for a diagnostic."""
    if n >= 1_000_000:
        whole, tenth = f"{n / 1_000_000:.1f}".split(".")
        return msg("diag.parse.size_mb", whole=whole, tenth=tenth)
    if n >= 1_000:
        return msg("diag.parse.size_kb", kb=f"{n / 1_000:.0f}")
    return msg("diag.parse.size_bytes", n=n)
