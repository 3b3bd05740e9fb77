"""Step durations in working minutes."""

from __future__ import annotations

import pytest

from sop_plugin.model import Calendar
from sop_plugin.parsing.duration import format_minutes, parse_duration

DAY, WEEK = 8 * 60, 5 * 8 * 60


@pytest.mark.parametrize("text,low,high", [
    ("15 menit", 15, 15),
    ("2 jam", 120, 120),
    ("1 hari", DAY, DAY),
    ("1 minggu", WEEK, WEEK),
    ("1 jam 30 menit", 90, 90),
    ("1 jam dan 30 menit", 90, 90),
    ("1 hari 2 jam", DAY + 120, DAY + 120),
    ("1-3 hari", DAY, 3 * DAY),
    ("1 – 3 hari", DAY, 3 * DAY),
    ("1 - 3 hari", DAY, 3 * DAY),
    ("1 s.d. 2 jam", 60, 120),
    ("1 sampai 2 hari", DAY, 2 * DAY),
    ("30 menit - 1 jam", 30, 60),
    ("30 menit – 1 jam 30 menit", 30, 90),
    ("PT1H30M", 90, 90),
    ("pt45m", 45, 45),
    ("P1D", DAY, DAY),
    ("P2W", 2 * WEEK, 2 * WEEK),
    ("P1DT2H", DAY + 120, DAY + 120),
    ("PT30S", 0.5, 0.5),
    ("30 min", 30, 30),
    ("45 minutes", 45, 45),
    ("2 h", 120, 120),
    ("3 hours", 180, 180),
    ("1 day", DAY, DAY),
    ("2 days", 2 * DAY, 2 * DAY),
    ("1 week", WEEK, WEEK),
    ("1,5 jam", 90, 90),
    ("1.5 h", 90, 90),
    ("0,5 hari", DAY / 2, DAY / 2),
    ("2 JAM", 120, 120),
    ("1 hari kerja", DAY, DAY),
])
def test_duration_forms(text, low, high):
    d = parse_duration(text)
    assert d is not None, text
    assert (d.low, d.high) == (pytest.approx(low), pytest.approx(high))
    assert d.text == text
    assert d.is_range is (low != high)


@pytest.mark.parametrize("text", ["", "  ", "sebentar", "15", "jam", "3-1 hari", "2 jam - 1 jam", "P", "PT",
                                  "1 jam lebih", "P1M", "15 menit kira-kira", "-5 menit"])
def test_unreadable_durations(text):
    assert parse_duration(text) is None


def test_working_day_is_8_hours_and_week_5_days_by_default():
    assert parse_duration("1 hari").low == 480
    assert parse_duration("1 minggu").low == 2400


def test_custom_calendar():
    cal = Calendar(hours_per_day=7.5, days_per_week=6)
    assert parse_duration("1 hari", cal).low == 450
    assert parse_duration("1 week", cal).low == 450 * 6
    assert parse_duration("P1D", cal).low == 450
    assert parse_duration("1-2 hari", cal).high == 900
    assert parse_duration("2 jam", cal).low == 120  # hours do not depend on the calendar


def test_mid():
    assert parse_duration("1-3 hari").mid == 2 * DAY


@pytest.mark.parametrize("minutes,text", [(0, "0 menit"), (15, "15 menit"), (90, "1 jam 30 menit"),
                                          (DAY + 61, "1 hari 1 jam 1 menit"), (2 * DAY, "2 hari")])
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text


def test_format_minutes_english_and_calendar():
    assert format_minutes(90, lang="en") == "1 hour 30 minutes"
    assert format_minutes(7 * 60, Calendar(hours_per_day=7)) == "1 hari"


@pytest.mark.parametrize("text", ["15 menit", "1 jam 30 menit", "2 hari", "1 hari 2 jam"])
def test_format_round_trips(text):
    assert format_minutes(parse_duration(text).low) == text
