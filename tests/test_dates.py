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


# --- what the generators accept: Hexo's rolled-over fields ---------------------------------


class Warnings(list[tuple[str, str]]):
    """A `warn` callback that keeps what it is told."""

    def __call__(self, field: str, message: str) -> None:
        self.append((field, message))


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2023-09-19 21:43:79", "2023-09-19 21:44:19"),
        ("2023-09-19 21:43:60", "2023-09-19 21:44:00"),
        ("2023-09-19 21:79:10", "2023-09-19 22:19:10"),
        ("2023-09-19T21:43:79", "2023-09-19 21:44:19"),
        ("2023-9-9 9:43:79", "2023-09-09 09:44:19"),
        ("2023-09-19 23:59:99", "2023-09-20 00:00:39"),
        ("2023-09-19 24:10:10", "2023-09-20 00:10:10"),
        ("2023-12-31 23:59:60", "2024-01-01 00:00:00"),
        ("2023-09-19 99:99:99", "2023-09-23 04:40:39"),
        ("2021-02-30", "2021-03-02 00:00:00"),
        ("2021-02-29 10:00:00", "2021-03-01 10:00:00"),
        ("2021-04-31 10:00:00", "2021-05-01 10:00:00"),
    ],
)
def test_out_of_range_fields_roll_over_as_hexo_publishes_them_with_a_warning(
    text: str, local: str
) -> None:
    # Hexo (js-yaml's Date.UTC, and V8 for days) carries the excess into the next field.
    warnings = Warnings()
    expected = datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).astimezone(UTC)
    assert parse_date(text, SHANGHAI, warnings) == expected
    ((field, message),) = warnings
    assert field == "date"
    assert text in message
    assert f"read as {local.removesuffix(' 00:00:00')}" in message
    assert "Hexo" in message


def test_the_warning_says_which_fields_were_out_of_range() -> None:
    warnings = Warnings()
    parse_date("2023-09-19 21:43:79", SHANGHAI, warnings)
    assert "79 seconds" in warnings[0][1]
    warnings.clear()
    parse_date("2021-02-30 24:61:00", SHANGHAI, warnings)
    assert all(part in warnings[0][1] for part in ("day 30", "hour 24", "61 minutes"))


def test_a_rolled_over_time_with_an_offset_keeps_the_offset() -> None:
    warnings = Warnings()
    parsed = parse_date("2023-09-19T21:43:79+08:00", NEW_YORK, warnings)
    assert parsed == utc(2023, 9, 19, 13, 44, 19)
    assert "read as 2023-09-19 21:44:19 +08:00" in warnings[0][1]


def test_a_rolled_over_time_keeps_its_fraction_of_a_second() -> None:
    parsed = parse_date("2023-09-19 21:43:79.25Z", SHANGHAI, Warnings())
    assert parsed == utc(2023, 9, 19, 21, 44, 19).replace(microsecond=250000)


def test_a_rolled_over_time_without_an_offset_is_in_the_configured_zone() -> None:
    # 21:44:19 in New York (UTC-4 in September) is 01:44:19 UTC the next day.
    assert parse_date("2023-09-19 21:43:79", NEW_YORK, Warnings()) == utc(2023, 9, 20, 1, 44, 19)


@pytest.mark.parametrize("text", ["2023-09-19 21:43:79", "2021-02-30", "2023-09-19 24:10:10"])
def test_without_a_warn_callback_an_out_of_range_field_is_still_an_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI)


@pytest.mark.parametrize(
    "text",
    [
        "2021-13-01",  # no month 13
        "2021-00-10",
        "2021-09-00",  # no day 0
        "2021-09-32 10:00:00",  # no month has 32 days
        "2023-09-19 21:79",  # Hexo reads a time without seconds with V8, which refuses this
        "2023/09/19 21:43:79",  # nor does anything roll over a date written with slashes
        "2023年09月19日 21:43:79",
        "2023-09-19 21:43:79 CST",
        "2023-09-19 21:43:100",
    ],
)
def test_what_is_not_a_slip_of_a_field_is_refused_even_with_a_warn_callback(text: str) -> None:
    warnings = Warnings()
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI, warnings)
    assert warnings == []


def test_a_date_followed_by_a_megabyte_of_whitespace_is_read_and_named_briefly() -> None:
    assert parse_date("2021-09-10 19:48:10" + " \n" * 500_000, SHANGHAI) == INSTANT
    with pytest.raises(DateError) as caught:
        parse_date("2021-02-30" + " " * 1_000_000, SHANGHAI)
    assert len(str(caught.value)) < 200


def test_a_valid_date_draws_no_warning() -> None:
    warnings = Warnings()
    assert parse_date("2021-09-10 19:48:10", SHANGHAI, warnings) == INSTANT
    assert warnings == []


def test_the_warning_shows_control_characters_escaped() -> None:
    # A tab is whitespace (the value is read); the message must not carry raw controls.
    warnings = Warnings()
    parse_date("2023-09-19\t21:43:79", SHANGHAI, warnings)
    assert not any(ord(char) < 32 for char in warnings[0][1])


@pytest.mark.parametrize(
    "text",
    [
        "2023-09-19 21:43:79" + "9" * 1_000_000,
        "2023-09-19 21:43:79" + " " * 1_000_000 + "x",
        " " * 1_000_000 + "2023-09-19 21:43:79",
        "9" * 1_000_000,
        "2023-09-19 " + ":".join(["99"] * 100_000),
    ],
)
def test_a_huge_value_is_refused_quickly_even_with_a_warn_callback(text: str) -> None:
    warnings = Warnings()
    with pytest.raises(DateError, match="too long"):
        parse_date(text, SHANGHAI, warnings)
    assert warnings == []


# --- what the generators accept: Jekyll's and Hugo's forms --------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-29 18:30:22 2023 -0800", utc(2023, 1, 29, 10, 30, 22)),
        ("2023-01-29 18:30:22 2023 +0800", utc(2023, 1, 29, 10, 30, 22)),
        ("2023-01-29 18:30:22 2023", utc(2023, 1, 29, 10, 30, 22)),
        ("2023-01-29 18:30 2023 -0800", utc(2023, 1, 29, 10, 30)),
        ("2023-01-29 18:30:22 2023 PST", utc(2023, 1, 29, 10, 30, 22)),
    ],
)
def test_a_time_followed_by_its_year_again_is_read_in_the_configured_zone_as_jekyll_does(
    text: str, expected: datetime
) -> None:
    # Ruby's Time.parse reads the date and the time and ignores the rest, the offset
    # included (checked with Jekyll 4.3: 18:30:22 in a site set to Asia/Shanghai).
    assert parse_date(text, SHANGHAI) == expected


def test_an_offset_jekyll_ignores_is_reported_when_it_is_not_the_configured_zones() -> None:
    warnings = Warnings()
    parse_date("2023-01-29 18:30:22 2023 -0800", SHANGHAI, warnings)
    ((field, message),) = warnings
    assert field == "date"
    assert "-0800" in message and "Jekyll" in message


@pytest.mark.parametrize("text", ["2023-01-29 18:30:22 2023 -0800", "2023-01-29 18:30:22 2023 PST"])
def test_an_offset_jekyll_ignores_draws_no_warning_when_it_agrees_with_the_zone(text) -> None:
    warnings = Warnings()
    parsed = parse_date(text, ZoneInfo("America/Los_Angeles"), warnings)
    assert parsed == utc(2023, 1, 30, 2, 30, 22)
    assert warnings == []


@pytest.mark.parametrize(
    "text", ["2023-01-29 18:30:22 1999 -0800", "2023-01-29 18:30:22 2023 -0800 trailing"]
)
def test_a_different_year_after_the_time_is_an_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, SHANGHAI, Warnings())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-05-22T9:48:00", utc(2018, 5, 22, 9, 48)),
        ("2018-05-22 9:48:00", utc(2018, 5, 22, 9, 48)),
        ("2018-05-22T9:48:00+08:00", utc(2018, 5, 22, 1, 48)),
    ],
)
def test_a_one_digit_hour_is_read_as_hugo_reads_it(text: str, expected: datetime) -> None:
    assert parse_date(text, ZoneInfo("UTC")) == expected


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
