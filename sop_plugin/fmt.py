"""Numbers, durations and dates as the page's language writes them (Babel).

One place for every displayed quantity, so that an Indonesian page reads
"1 jam 30 menit", "1–2 hari", "13,7 jam" and "10 Februari 2026", and an
English page "1 hour 30 minutes", "1–2 days", "13.7 hours" and
"February 10, 2026".  Durations are shown from their parsed value
(working minutes), never as the author typed them, so ``PT1H30M`` and
``90 menit`` look the same; text that could not be read is shown as
written (the linter reports it).

Days and weeks are *working* days and weeks (the site's calendar), the same
units the parser reads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal
from babel.units import format_unit

from .memo import memo
from .model import Calendar, Duration

RANGE_DASH = "\u2013"  # en dash, as in "1–2 hari"
SOFT_HYPHEN = "\u00ad"

_UNITS = ("week", "day", "hour", "minute")


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse("en" if lang == "en" else "id")


def _lang(lang: str | None) -> str:
    return "en" if (lang or "").split("-")[0].split("_")[0].lower() == "en" else "id"


@memo(8192)  # Babel is slow and a portal formats the same few quantities thousands of times
def number(value: float, lang: str = "id", digits: int = 1) -> str:
    """``13,7`` / ``13.7``: at most ``digits`` decimals, trailing zeros dropped, grouped thousands."""
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(round(float(value), digits), format=pattern, locale=_locale(_lang(lang)))


@memo(1)  # 2.5 MB of patterns: loaded when first needed, dropped with the portal
def _hyphenator() -> pyphen.Pyphen:
    hyphenator = pyphen.Pyphen(lang="id_ID", left=3, right=3)
    # pyphen keeps every dictionary it loads in its module cache (even with cache=False): take ours
    # out, and only ours, so that it goes with this memo; others' dictionaries stay cached
    for path in [path for path, loaded in pyphen.hdcache.items() if loaded is hyphenator.hd]:
        del pyphen.hdcache[path]
    return hyphenator


@memo(4096)
def hyphenate(text: str) -> str:
    """``text`` with soft hyphens where Indonesian may break its words (pyphen's id_ID patterns: SOPs
    are written in Indonesian, whatever the page's language), so that a narrow column breaks
    "Verifi-kator" at a syllable, with a hyphen, instead of "Verifikato r".  The hyphens show only
    where a line breaks; text that fits is unchanged on the page."""
    return _LONG_WORD.sub(lambda m: _hyphenator().inserted(m.group(0), hyphen=SOFT_HYPHEN), text)


_LONG_WORD = re.compile(r"[^\W\d_]{7,}")  # letters only: shorter words fit the narrowest column


def forget_hyphenation() -> None:
    """Let the hyphenation patterns go now (2.5 MB): only the SOP-AP table hyphenates, and a build
    renders SOP pages beside their analysis, before any view (loaded again if a page needs them)."""
    hyphenate.cache_clear()
    _hyphenator.cache_clear()


def break_word(word: str, width: int) -> tuple[str, str] | None:
    """``word`` cut after an Indonesian syllable: a first part of at most ``width`` characters with
    its hyphen, and the rest; ``None`` when no syllable ends early enough."""
    return _hyphenator().wrap(word, width)


def percent(value: float, lang: str = "id", digits: int = 0) -> str:
    """A share in 0..1 as ``80%`` / ``12,5%``."""
    return number(value * 100, lang, digits) + "%"


def date(value: dt.date | None, lang: str = "id") -> str:
    """``10 Februari 2026`` / ``February 10, 2026``; ``""`` for no date."""
    if not isinstance(value, dt.date):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return _babel_date(value, format="long", locale=_locale(_lang(lang)))


@memo(8192)
def unit(value: float, name: str, lang: str = "id", digits: int = 1, length: str = "long") -> str:
    """One quantity with its unit word: ``2 hari``, ``13,7 jam``, ``1 hour``.

    ``name`` is one of week, day, hour, minute, second; ``length="short"`` abbreviates the
    word as the language does (``225 mnt`` / ``225 min``), for compact command-line reports.
    """
    value = round(float(value), digits)
    if value == int(value):
        value = int(value)
    return format_unit(value, f"duration-{name}", length=length, locale=_locale(_lang(lang)),
                       format="#,##0" + ("." + "#" * digits if digits > 0 else ""))


def hours(minutes: float, lang: str = "id", digits: int = 1) -> str:
    """Minutes as decimal hours: ``13,7 jam`` / ``13.7 hours``."""
    return unit(minutes / 60, "hour", lang, digits)


def _unit_minutes(cal: Calendar) -> dict[str, float]:
    return {"week": cal.minutes_per_week, "day": cal.minutes_per_day, "hour": 60.0, "minute": 1.0}


def minutes(value: float, lang: str = "id", cal: Calendar | None = None) -> str:
    """Working minutes in words: ``1 hari 2 jam 30 menit``, ``1 hour 30 minutes``.

    Weeks are used only for whole weeks; below a minute, seconds.
    """
    cal = cal or Calendar()
    lang = _lang(lang)
    if 0 < value < 1:
        return unit(round(value * 60), "second", lang, 0)
    total = int(round(value))
    if total <= 0:
        return unit(0, "minute", lang, 0)
    sizes = _unit_minutes(cal)
    week = int(round(sizes["week"]))
    if week and total % week == 0:
        return unit(total // week, "week", lang, 0)
    parts = []
    rest = total
    for name in ("day", "hour", "minute"):
        size = int(round(sizes[name]))
        if size <= 0:
            continue
        n, rest = divmod(rest, size)
        if n:
            parts.append(unit(n, name, lang, 0))
    return " ".join(parts)


def _leading_unit(value: float, cal: Calendar) -> str:
    """The largest unit :func:`minutes` writes ``value`` with (weeks only when whole)."""
    sizes = _unit_minutes(cal)
    week = int(round(sizes["week"]))
    if week and int(round(value)) % week == 0 and value >= week:
        return "week"
    for name in ("day", "hour"):
        if value >= sizes[name]:
            return name
    return "minute"


@memo(8192)
def minutes_range(low: float, high: float, lang: str = "id", cal: Calendar | None = None) -> str:
    """A range in working minutes: ``1–2 hari``, ``30–45 menit``, ``1 jam 30 menit – 2 jam``."""
    cal = cal or Calendar()
    lang = _lang(lang)
    if round(low) == round(high):
        return minutes(low, lang, cal)
    name = _leading_unit(high, cal)
    size = _unit_minutes(cal)[name]
    a, b = low / size, high / size
    if a >= 1 and abs(a - round(a)) < 1e-6 and abs(b - round(b)) < 1e-6:
        whole = unit(round(b), name, lang, 0)
        hi = number(round(b), lang, 0)
        return whole.replace(hi, f"{number(round(a), lang, 0)}{RANGE_DASH}{hi}", 1)
    return f"{minutes(low, lang, cal)} {RANGE_DASH} {minutes(high, lang, cal)}"


def duration(value: Duration | None, lang: str = "id", cal: Calendar | None = None,
             text: str | None = None) -> str:
    """A step's duration for display; the author's ``text`` when it could not be read."""
    if value is None:
        return (text or "").strip()
    return minutes_range(value.low, value.high, lang, cal)


@dataclass(frozen=True)
class Formatter:
    """The functions above bound to one language and calendar (handed to templates as ``f``)."""

    lang: str = "id"
    cal: Calendar = Calendar()

    def number(self, value: float, digits: int = 1) -> str:
        return number(value, self.lang, digits)

    def percent(self, value: float, digits: int = 0) -> str:
        return percent(value, self.lang, digits)

    def date(self, value: dt.date | None) -> str:
        return date(value, self.lang)

    def hours(self, value_minutes: float, digits: int = 1) -> str:
        return hours(value_minutes, self.lang, digits)

    def minutes(self, value: float) -> str:
        return minutes(value, self.lang, self.cal)

    def range(self, low: float, high: float) -> str:
        return minutes_range(low, high, self.lang, self.cal)

    def duration(self, value: Duration | None, text: str | None = None) -> str:
        return duration(value, self.lang, self.cal, text)

    def step_duration(self, step) -> str:
        """A step's ``waktu`` as shown in tables."""
        return duration(step.duration, self.lang, self.cal, step.duration_text)


def of(ctx) -> Formatter:
    """The formatter for a render context (its language and the site's working calendar)."""
    settings = getattr(ctx, "settings", None)
    return Formatter(_lang(getattr(ctx, "lang", "id")), getattr(settings, "calendar", None) or Calendar())
