"""Specification of postfeed.dates: every front-matter date becomes one UTC instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from postfeed.dates import DateError, format_rfc822, format_rfc3339, parse_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")

# The instant of the reference post: 19:48:10 in Beijing on 10 September 2021.
INSTANT = datetime(2021, 9, 10, 11, 48, 10, tzinfo=UTC)
INSTANT_NO_SECONDS = datetime(2021, 9, 10, 11, 48, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- what is read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 10 Sep 2021 11:48:10 GMT",
        "Fri, 10 Sep 2021 11:48:10 UT",
        "Fri, 10 Sep 2021 11:48:10 UTC",
        "Fri, 10 Sep 2021 19:48:10 +0800",
        "Fri, 10 Sep 2021 03:48:10 -0800",
        "10 Sep 2021 11:48:10 GMT",
    ],
)
def test_rfc822_dates_with_a_zone_are_read_as_that_instant(text: str) -> None:
    assert parse_date(text, SHANGHAI) == INSTANT


@pytest.mark.parametrize(
    "text",
    [
        "2021-09-10T11:48:10Z",
        "2021-09-10T19:48:10+08:00",
        "2021-09-10T19:48:10+0800",
        "2021-09-10T06:48:10-05:00",
        "2021-09-10 19:48:10 +08:00",
    ],
)
def test_iso8601_dates_with_z_or_an_offset_are_read_as_that_instant(text: str) -> None:
    assert parse_date(text, SHANGHAI) == INSTANT


def test_iso8601_fractions_of_a_second_are_kept() -> None:
    assert parse_date("2021-09-10T11:48:10.250Z", SHANGHAI) == INSTANT.replace(microsecond=250000)


@pytest.mark.parametrize("text", ["2021-09-10T19:48:10", "2021-09-10 19:48:10"])
def test_a_time_without_an_offset_is_in_the_configured_zone(text: str) -> None:
    assert parse_date(text, SHANGHAI) == INSTANT


def test_the_configured_zone_decides_what_a_time_without_an_offset_means() -> None:
    # 19:48:10 in New York (daylight saving time, UTC-4) is 23:48:10 UTC.
    assert parse_date("2021-09-10 19:48:10", NEW_YORK) == utc(2021, 9, 10, 23, 48, 10)


def test_an_explicit_offset_wins_over_the_configured_zone() -> None:
    assert parse_date("2021-09-10T11:48:10Z", NEW_YORK) == INSTANT


def test_the_result_is_an_aware_datetime_in_utc() -> None:
    parsed = parse_date("2021-09-10T19:48:10+08:00", SHANGHAI)
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-2-06", utc(2019, 2, 5, 16, 0)),
        ("2019-2-6", utc(2019, 2, 5, 16, 0)),
        ("2021-9-10 19:48:10", INSTANT),
    ],
)
def test_unpadded_months_and_days_are_read(text: str, expected: datetime) -> None:
    assert parse_date(text, SHANGHAI) == expected


def test_a_date_with_two_spaces_before_its_offset_is_read() -> None:
    assert parse_date("2018-02-24  +0800", SHANGHAI) == utc(2018, 2, 23, 16, 0)


def test_the_two_spaced_offset_is_used_not_the_configured_zone() -> None:
    assert parse_date("2018-02-24  +0800", NEW_YORK) == utc(2018, 2, 23, 16, 0)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (SHANGHAI, utc(2021, 9, 9, 16, 0)),
        (NEW_YORK, utc(2021, 9, 10, 4, 0)),
        (ZoneInfo("UTC"), utc(2021, 9, 10, 0, 0)),
    ],
)
def test_a_date_only_value_is_midnight_in_the_configured_zone(zone, expected) -> None:
    assert parse_date("2021-09-10", zone) == expected


@pytest.mark.parametrize("text", ["1631274490", "1631274490000"])
def test_epoch_seconds_and_milliseconds_given_as_text_are_read(text: str) -> None:
    # Front matter plain scalars stay strings, so epoch times arrive as text.
    assert parse_date(text, SHANGHAI) == INSTANT


@pytest.mark.parametrize("number", [1631274490, 1631274490000])
def test_epoch_seconds_and_milliseconds_given_as_numbers_are_read(number: int) -> None:
    assert parse_date(number, SHANGHAI) == INSTANT


def test_epoch_milliseconds_keep_their_fraction_of_a_second() -> None:
    assert parse_date("1631274490250", SHANGHAI) == INSTANT.replace(microsecond=250000)


def test_a_naive_yaml_datetime_is_in_the_configured_zone() -> None:
    assert parse_date(datetime(2021, 9, 10, 19, 48, 10), SHANGHAI) == INSTANT


def test_an_aware_yaml_datetime_is_converted_to_utc() -> None:
    eastern = timezone(timedelta(hours=-4))
    value = datetime(2021, 9, 10, 7, 48, 10, tzinfo=eastern)
    assert parse_date(value, SHANGHAI) == INSTANT


def test_an_aware_yaml_datetime_ignores_the_configured_zone() -> None:
    value = datetime(2021, 9, 10, 19, 48, 10, tzinfo=timezone(timedelta(hours=8)))
    assert parse_date(value, NEW_YORK) == INSTANT


def test_a_yaml_date_is_midnight_in_the_configured_zone() -> None:
    assert parse_date(date(2021, 9, 10), SHANGHAI) == utc(2021, 9, 9, 16, 0)


@pytest.mark.parametrize(
    "text",
    [
        "2021-09-10 19:48:10 GMT+8",
        "2021-09-10 19:48:10 UTC+8",
        "2021-09-10 19:48:10 GMT+08:00",
        "2021-09-10 19:48:10 UTC+0800",
        "2021-09-10 19:48:10 gmt+8",
        "Fri, 10 Sep 2021 19:48:10 GMT+8",
        "Fri, 10 Sep 2021 19:48:10 GMT+0800",
        "September 10, 2021 19:48:10 GMT+8",
    ],
)
def test_gmt_plus_8_and_utc_plus_8_suffixes_mean_eight_hours_ahead_of_utc(text: str) -> None:
    # dateutil reads "GMT+8" as eight hours *behind* UTC (POSIX TZ sign); we do not.
    assert parse_date(text, NEW_YORK) == INSTANT


def test_a_gmt_minus_suffix_means_behind_utc() -> None:
    assert parse_date("2021-09-10 03:48:10 GMT-8", SHANGHAI) == INSTANT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-09-10 19:48:10 北京时间", INSTANT),
        ("北京时间 2021年09月10日 19:48", INSTANT_NO_SECONDS),
        ("2021-09-10 19:48（北京时间）", INSTANT_NO_SECONDS),
    ],
)
def test_beijing_time_means_utc_plus_8_whatever_the_configured_zone(text, expected) -> None:
    assert parse_date(text, NEW_YORK) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021-09-10 19:48:10 CST",
        "2021-09-10T19:48:10 CST",
        "Fri, 10 Sep 2021 19:48:10 CST",
        "Sep 10, 2021 7:48:10 PM CST",
    ],
)
def test_cst_means_china_standard_time(text: str) -> None:
    # Not US Central Standard Time (UTC-6): readers of Chinese news mean UTC+8.
    assert parse_date(text, NEW_YORK) == INSTANT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年09月10日 19:48", INSTANT_NO_SECONDS),
        ("2021年9月10日 19:48", INSTANT_NO_SECONDS),
        ("2021年09月10日", utc(2021, 9, 9, 16, 0)),
    ],
)
def test_chinese_dates_are_read_in_the_configured_zone(text: str, expected: datetime) -> None:
    assert parse_date(text, SHANGHAI) == expected


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_date("  2021-09-10T11:48:10Z \n", SHANGHAI) == INSTANT


# --- what is refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2021-02-30", "2021-02-30 10:00:00", "2021-13-01", "2021年02月30日", "2021-09-10 25:00:00"],
)
def test_an_impossible_date_is_an_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize("text", ["garbage", "not a date at all", "今天", "2021-09-10 and more"])
def test_text_that_is_not_a_date_is_an_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize("text", ["Sep 10", "10:00", "Sep 2021", "2021", "2021-09", "Friday"])
def test_a_date_missing_year_month_or_day_is_an_error_never_completed_from_today(
    text: str,
) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_string_is_an_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize("value", [None, True, False])
def test_none_and_booleans_are_errors(value: object) -> None:
    with pytest.raises(DateError):
        parse_date(value, SHANGHAI)


@pytest.mark.parametrize("value", [["2021-09-10"], {"date": "2021-09-10"}])
def test_values_that_are_not_scalars_are_errors(value: object) -> None:
    with pytest.raises(DateError):
        parse_date(value, SHANGHAI)


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)


# --- formatting ---------------------------------------------------------------------------


def test_format_rfc822_is_exactly_the_rss_form_in_gmt() -> None:
    assert format_rfc822(INSTANT) == "Fri, 10 Sep 2021 11:48:10 GMT"


def test_format_rfc822_converts_other_zones_to_gmt() -> None:
    assert format_rfc822(INSTANT.astimezone(SHANGHAI)) == "Fri, 10 Sep 2021 11:48:10 GMT"


def test_format_rfc822_pads_the_day_to_two_digits() -> None:
    assert format_rfc822(utc(2021, 9, 5, 1, 2, 3)) == "Sun, 05 Sep 2021 01:02:03 GMT"


def test_format_rfc3339_is_exactly_utc_with_z() -> None:
    assert format_rfc3339(INSTANT) == "2021-09-10T11:48:10Z"


def test_format_rfc3339_converts_other_zones_to_utc() -> None:
    assert format_rfc3339(INSTANT.astimezone(SHANGHAI)) == "2021-09-10T11:48:10Z"


def test_format_rfc3339_drops_fractions_of_a_second() -> None:
    assert format_rfc3339(INSTANT.replace(microsecond=999999)) == "2021-09-10T11:48:10Z"


def test_a_parsed_date_formats_back_to_the_same_rfc822_text() -> None:
    text = "Fri, 10 Sep 2021 11:48:10 GMT"
    assert format_rfc822(parse_date(text, SHANGHAI)) == text
