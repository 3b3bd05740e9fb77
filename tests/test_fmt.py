"""Localised output: durations, numbers and dates as each page language writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from sop_plugin import fmt
from sop_plugin.model import Calendar
from sop_plugin.parsing.duration import parse_duration


@pytest.mark.parametrize("written,id_text,en_text", [
    ("PT1H30M", "1 jam 30 menit", "1 hour 30 minutes"),
    ("PT2H", "2 jam", "2 hours"),
    ("P1D", "1 hari", "1 day"),
    ("P2W", "2 minggu", "2 weeks"),
    ("90 menit", "1 jam 30 menit", "1 hour 30 minutes"),
    ("1,5 jam", "1 jam 30 menit", "1 hour 30 minutes"),
    ("2 days", "2 hari", "2 days"),
    ("1 hari 2 jam", "1 hari 2 jam", "1 day 2 hours"),
    ("15 min", "15 menit", "15 minutes"),
    ("30 detik", "30 detik", "30 seconds"),
    ("1-2 hari", "1–2 hari", "1–2 days"),
    ("1 s.d. 2 jam", "1–2 jam", "1–2 hours"),
    ("2 - 3 minggu", "2–3 minggu", "2–3 weeks"),
    ("30 menit - 1 jam", "30 menit – 1 jam", "30 minutes – 1 hour"),
    ("15-45 menit", "15–45 menit", "15–45 minutes"),
    ("3-6 hari", "3–6 hari", "3–6 days"),
    ("1 jam 30 menit - 2 jam", "1 jam 30 menit – 2 jam", "1 hour 30 minutes – 2 hours"),
    ("PT30M - PT1H30M", "30 menit – 1 jam 30 menit", "30 minutes – 1 hour 30 minutes"),
])
def test_durations_in_both_languages(written, id_text, en_text):
    d = parse_duration(written)
    assert d is not None, written
    assert fmt.duration(d, "id") == id_text
    assert fmt.duration(d, "en") == en_text


def test_duration_that_cannot_be_read_is_shown_as_written():
    assert fmt.duration(None, "id", text=" sebentar ") == "sebentar"
    assert fmt.duration(None, "en") == ""


def test_days_follow_the_working_calendar():
    cal = Calendar(hours_per_day=7.5)
    d = parse_duration("1-2 hari", cal)
    assert fmt.duration(d, "id", cal) == "1–2 hari"
    assert fmt.minutes(450 + 30, "id", cal) == "1 hari 30 menit"
    assert fmt.minutes(450 + 30, "id") == "1 hari"  # the default 8-hour day: 480 minutes


@pytest.mark.parametrize("value,id_text,en_text", [
    (13.7, "13,7", "13.7"), (13.0, "13", "13"), (1234.56, "1.234,6", "1,234.6"), (0.25, "0,2", "0.2"),
])
def test_numbers(value, id_text, en_text):
    assert fmt.number(value, "id") == id_text
    assert fmt.number(value, "en") == en_text


def test_hours_and_percent():
    assert fmt.hours(822, "id") == "13,7 jam"
    assert fmt.hours(822, "en") == "13.7 hours"
    assert fmt.hours(60, "en") == "1 hour"
    assert fmt.percent(0.125, "id", 1) == "12,5%"
    assert fmt.percent(0.8, "en") == "80%"


def test_short_unit_words():
    assert fmt.unit(225, "minute", "id", 0, length="short") == "225 mnt"
    assert fmt.unit(1234, "minute", "id", 0, length="short") == "1.234 mnt"
    assert fmt.unit(225, "minute", "en", 0, length="short") == "225 min"
    assert fmt.unit(225, "minute", "en", 0) == "225 minutes"  # long by default


def test_dates():
    d = dt.date(2026, 2, 10)
    assert fmt.date(d, "id") == "10 Februari 2026"
    assert fmt.date(d, "en") == "February 10, 2026"
    assert fmt.date(dt.datetime(2026, 8, 17, 9, 30), "id") == "17 Agustus 2026"
    assert fmt.date(None, "id") == ""


def test_formatter_binds_language_and_calendar():
    f = fmt.Formatter("en", Calendar(hours_per_day=6))
    assert f.minutes(6 * 60) == "1 day"
    assert f.range(60, 120) == "1–2 hours"
    assert f.number(2.5) == "2.5" and f.date(dt.date(2026, 1, 1)) == "January 1, 2026"


def test_the_hyphenation_patterns_go_with_the_portal():
    """The patterns (2.5 MB) are loaded when first needed and freed when a build forgets its
    portal (memo.forget_all), not kept by pyphen's own cache of loaded dictionaries."""
    import gc
    import weakref

    from sop_plugin import memo

    assert fmt.SOFT_HYPHEN in fmt.hyphenate("Verifikator")  # the patterns are loaded and used
    patterns = weakref.ref(fmt._hyphenator().hd)
    memo.forget_all()
    gc.collect()
    assert patterns() is None
    assert fmt.SOFT_HYPHEN in fmt.hyphenate("Verifikatur")  # loaded again when needed again


def test_other_hyphenation_dictionaries_stay_in_pyphens_cache():
    """Only the portal's own patterns leave pyphen's cache: a dictionary someone else in the
    process loaded stays cached."""
    import pyphen

    from sop_plugin import memo

    other = pyphen.Pyphen(lang="en_US")
    memo.forget_all()
    assert fmt.SOFT_HYPHEN in fmt.hyphenate("Verifikator")  # the portal's patterns loaded again
    cached = list(pyphen.hdcache.values())
    assert any(loaded is other.hd for loaded in cached)
    assert not any(loaded is fmt._hyphenator().hd for loaded in cached)
