"""Read a step's ``waktu`` / ``duration``.

Accepted (case-insensitive, ``,`` or ``.`` as decimal mark):

* ``15 menit``, ``2 jam``, ``1 hari``, ``1 minggu`` and the English units
  ``min``/``minute(s)``, ``h``/``hour(s)``, ``day(s)``, ``week(s)``
* combined units: ``1 jam 30 menit``, ``1 hari 2 jam``
* ranges: ``1-3 hari``, ``1 – 3 hari``, ``30 menit - 1 jam``, ``1 s.d. 2 jam``,
  ``1 sampai 2 hari``
* ISO 8601 durations: ``PT1H30M``, ``P1D``, ``P2W`` (days and weeks are
  working days and weeks)

Days and weeks are converted with the site's working calendar (8 hours a
day, 5 days a week unless configured otherwise).

Not accepted: ``hr`` (English "hour", but Indonesian for *hari*: the reader
cannot tell, so it is an error that asks "jam atau hari?"), numbers in
other scripts than ASCII digits, texts longer than :data:`MAX_TEXT` and
durations above :data:`sop_plugin.limits.MAX_DURATION_MINUTES`.
:func:`why_not_duration` says which rule a text broke.
"""

from __future__ import annotations

import math
import re

from .. import limits
from ..memo import memo
from ..i18n import Msg, msg
from ..model import Calendar, Duration

MAX_TEXT = 200
"""Characters in a duration; longer texts are not read (the range search is quadratic in them)."""

_UNITS: dict[str, str] = {}
for _names, _unit in (
    (("detik", "dtk", "s", "sec", "secs", "second", "seconds"), "second"),
    (("menit", "mnt", "m", "min", "mins", "minute", "minutes"), "minute"),
    (("jam", "j", "h", "hrs", "hour", "hours"), "hour"),
    (("hari", "hr kerja", "hari kerja", "d", "day", "days", "working day", "working days"), "day"),
    (("minggu", "pekan", "w", "wk", "week", "weeks"), "week"),
):
    for _n in _names:
        _UNITS[_n] = _unit

_NUM = r"[0-9]+(?:[.,][0-9]+)?"  # ASCII digits only: '²' is a digit to \d but not to float()
_UNIT_RE = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_PART = re.compile(rf"\s*({_NUM})\s*({_UNIT_RE})\b\.?", re.IGNORECASE)
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|s\.?\s?d\.?|sampai|hingga|to)\s*", re.IGNORECASE)
_BARE_RANGE = re.compile(rf"^\s*({_NUM})\s*(?:-|–|—|s\.?\s?d\.?|sampai|hingga|to)\s*({_NUM})\s*({_UNIT_RE})\b\.?\s*$",
                         re.IGNORECASE)
_ISO = re.compile(
    rf"^P(?:(?P<w>{_NUM})W)?(?:(?P<d>{_NUM})D)?"
    rf"(?:T(?:(?P<h>{_NUM})H)?(?:(?P<m>{_NUM})M)?(?:(?P<s>{_NUM})S)?)?$",
    re.IGNORECASE,
)


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _minutes(unit: str, amount: float, cal: Calendar) -> float:
    return {
        "second": amount / 60,
        "minute": amount,
        "hour": amount * 60,
        "day": amount * cal.minutes_per_day,
        "week": amount * cal.minutes_per_week,
    }[unit]


def _compound(text: str, cal: Calendar) -> float | None:
    """``1 jam 30 menit`` -> 90; ``None`` unless the whole text is units."""
    text = text.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso and text.upper() != "P" and text.upper() != "PT":
        parts = {k: _num(v) for k, v in iso.groupdict().items() if v}
        if not parts:
            return None
        return (
            _minutes("week", parts.get("w", 0), cal)
            + _minutes("day", parts.get("d", 0), cal)
            + _minutes("hour", parts.get("h", 0), cal)
            + _minutes("minute", parts.get("m", 0), cal)
            + _minutes("second", parts.get("s", 0), cal)
        )
    total = 0.0
    pos = 0
    found = False
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            rest = text[pos:].strip(" ,")
            if rest.lower() in ("", "dan", "and"):
                break
            if rest.lower().startswith(("dan ", "and ")):
                pos = len(text) - len(rest) + rest.index(" ") + 1
                continue
            return None
        total += _minutes(_UNITS[m.group(2).lower()], _num(m.group(1)), cal)
        found = True
        pos = m.end()
        while pos < len(text) and text[pos] in " ,":
            pos += 1
    return total if found else None


def parse_duration(text: str, cal: Calendar | None = None) -> Duration | None:
    """A :class:`Duration` in working minutes, or ``None`` if ``text`` cannot be read."""
    raw = text.strip()
    if not raw or len(raw) > MAX_TEXT:
        return None
    return _parsed(raw, cal or Calendar())


@memo(4096)  # a portal writes the same few times on thousands of steps: one (frozen) Duration each
def _parsed(raw: str, cal: Calendar) -> Duration | None:
    found = _read(raw, cal)
    if found is None or not (math.isfinite(found.high) and found.high <= limits.MAX_DURATION_MINUTES):
        return None  # 309 nines are float infinity; a duration of centuries is a typo
    return found


def why_not_duration(text: str, cal: Calendar | None = None) -> tuple[Msg, Msg | None]:
    """For a text :func:`parse_duration` rejects: ``(problem, hint)``, to be put into words in the
    reader's language (:class:`~sop_plugin.i18n.Msg`); hint ``None`` = the code's own."""
    raw = " ".join(text.split())
    shown = raw if len(raw) <= 40 else raw[:39] + "…"
    if len(raw) > MAX_TEXT:
        return (msg("diag.duration.too_long_text", length=len(raw), limit=MAX_TEXT),
                msg("diag.duration.too_long_text_hint"))
    if _HR.search(raw):
        return msg("diag.duration.hr", duration=shown), msg("diag.duration.hr_hint")
    found = _read(raw, cal or Calendar())
    if found is not None:
        return (msg("diag.duration.too_long", duration=shown, limit=limits.MAX_DURATION_MINUTES),
                msg("diag.duration.too_long_hint"))
    if any(c.isdigit() and not c.isascii() for c in raw):
        return msg("diag.duration.digits", duration=shown), None
    return msg("diag.duration.unread", duration=shown), None


_HR = re.compile(r"(?<![A-Za-z])hr(?![A-Za-z])(?!\s*kerja)", re.IGNORECASE)


def _read(raw: str, cal: Calendar) -> Duration | None:
    bare = _BARE_RANGE.match(raw)
    if bare:
        unit = _UNITS[bare.group(3).lower()]
        low, high = _minutes(unit, _num(bare.group(1)), cal), _minutes(unit, _num(bare.group(2)), cal)
        return Duration(raw, min(low, high), max(low, high)) if low <= high else None
    single = _compound(raw, cal)
    if single is not None:
        return Duration(raw, single, single)
    # "30 menit - 1 jam": split on the first range separator between two quantities
    for sep in _RANGE_SEP.finditer(raw):
        left, right = raw[: sep.start()], raw[sep.end():]
        lo, hi = _compound(left, cal), _compound(right, cal)
        if lo is not None and hi is not None and lo <= hi:
            return Duration(raw, lo, hi)
    return None


def format_minutes(minutes: float, cal: Calendar | None = None, lang: str = "id") -> str:
    """Human text for a number of working minutes: ``1 hari 2 jam 30 menit`` (see :mod:`sop_plugin.fmt`)."""
    from ..fmt import minutes as _fmt_minutes

    return _fmt_minutes(minutes, lang, cal)
