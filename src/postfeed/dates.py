"""Dates: every front-matter date value becomes one aware UTC datetime.

Strict parsers go first (YAML's own datetimes, epoch numbers, ISO 8601, RFC 822,
Chinese and unpadded forms); python-dateutil is the last resort, and it may not
fill a missing year, month or day from today. A time without an offset is in the
configured zone.

Given a `warn` callback, parse_date also reads what Hexo publishes although it is
out of range (see _parse_rolled), and says so.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from postfeed.article import Warn, printable

# Abbreviations readers of Chinese news mean; CST is China Standard Time here.
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0,
    "CST": 8 * 3600, "BJT": 8 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600,
    "JST": 9 * 3600, "KST": 9 * 3600,
    "EST": -5 * 3600, "EDT": -4 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
}  # fmt: skip

# `GMT+8`, `UTC+08:00`, `GMT-0530`: the offset reads as written (dateutil flips the sign).
_GMT_OFFSET = re.compile(r"\s*\(?(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\)?\s*$", re.IGNORECASE)
_ZONE_SUFFIX = re.compile(r"(?<=\d)\s*\(?([A-Za-z]{1,4})\)?$")
_BEIJING = re.compile(r"\s*[（(]?北京时间[）)]?\s*")
# 2021-9-10, 2021/09/10 19:48, 2021年09月10日 19时48分, 2018-02-24  +0800
_NUMERIC = re.compile(
    r"""^(?P<year>\d{4})\s*(?:[-/.年])\s*(?P<month>\d{1,2})\s*(?:[-/.月])\s*(?P<day>\d{1,2})\s*日?
        (?:[T\s]+(?P<hour>\d{1,2})\s*[:时點点]\s*(?P<minute>\d{1,2})\s*分?
           (?:\s*[:]\s*(?P<second>\d{1,2})(?:[.,](?P<fraction>\d{1,6})\d*)?\s*秒?)?)?
        \s*(?P<offset>Z|[+-]\d{2}:?\d{2})?$""",
    re.VERBOSE | re.IGNORECASE,
)
_EPOCH = re.compile(r"^-?\d{9,13}(?:\.\d+)?$")
FIRST_YEAR, LAST_YEAR = 2, 9998
# The longest date written in any format here is about 45 characters
# ("Friday, 10 September 2021 19:48:10 GMT+08:00"); a longer value is refused
# before any parser sees it (python-dateutil takes seconds on 200 KB).
MAX_DATE_LENGTH = 64
_MILLISECONDS_ABOVE = 10**11  # seconds this large are thousands of years away: milliseconds

# Hexo reads an unquoted front-matter timestamp with js-yaml, which builds it with
# Date.UTC: a field past its range carries into the next one (21:43:79 is 21:44:19,
# 24:10:00 is 00:10:00 the next day), and Hexo (V8's Date) and Jekyll (Ruby's Time)
# both move 30 February to 2 March. Only these slips are read: a month outside 1-12
# or a day outside 1-31 (which js-yaml would also carry) is no date anyone meant.
_ROLLABLE = re.compile(
    r"""^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
        (?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6})\d*)?
           \ ?(?P<offset>Z|[+-]\d{2}:?\d{2})?)?$""",
    re.VERBOSE | re.IGNORECASE,
)
# `2023-01-29 18:30:22 2023 -0800`: Ruby's Time.parse (Jekyll) reads the date and
# time, and ignores the repeated year and what follows it, offset included: the time
# is in the site's zone. (V8 and Go refuse this form, so Jekyll's reading is the one.)
_TRAILING_YEAR = re.compile(
    r"^(?P<stamp>(?P<year>\d{4})-\d{1,2}-\d{1,2} \d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
    r" (?P<again>\d{4})(?: (?P<ignored>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?$"
)


class DateError(ValueError):
    """The value is not a date this module can read."""


def parse_date(value: object, zone: tzinfo, warn: Warn | None = None) -> datetime:
    """A front-matter value as an aware UTC datetime; DateError when it is not a date.

    With `warn`, a date Hexo publishes although a field is out of range
    (`2023-09-19 21:43:79`) is read as Hexo reads it, and reported as a warning on
    "date"; without it, that is a DateError.
    """
    if isinstance(value, datetime):
        return _to_utc(value, zone)
    if isinstance(value, date):
        return _to_utc(datetime(value.year, value.month, value.day), zone)
    if isinstance(value, bool) or value is None:
        raise DateError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise DateError(f"not a date: {value!r}")
    head = value[: MAX_DATE_LENGTH * 4]  # bounds the work of split() on a huge value
    text = " ".join(head.split())
    if len(text) > MAX_DATE_LENGTH or (len(value) > len(head) and not value[len(head) :].isspace()):
        raise DateError(f"too long to be a date ({len(value):,} characters): {text[:40]!r}…")
    if not text:
        raise DateError("empty date")
    try:
        return _parse_text(text, zone, warn)
    except (ValueError, OverflowError) as error:
        rolled = _parse_rolled(text, zone, warn) if warn is not None else None
        if rolled is not None:
            return rolled
        if isinstance(error, DateError):
            raise
        raise DateError(f"not a valid date: {text!r} ({error})") from None


def _parse_rolled(text: str, zone: tzinfo, warn: Warn) -> datetime | None:
    """`text` read as Hexo reads it when a field is out of range, with a warning;
    None when it is not such a date."""
    match = _ROLLABLE.match(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = (int(match[name] or 0) for name in ("hour", "minute", "second"))
    if not (1 <= month <= 12 and 1 <= day <= 31 and FIRST_YEAR <= year <= LAST_YEAR):
        return None
    import calendar  # only Hexo's out-of-range dates need it (it imports locale)

    month_days = calendar.monthrange(year, month)[1]
    slips = [
        f"day {day} in a month of {month_days} days" if day > month_days else "",
        f"hour {hour}" if hour > 23 else "",
        f"{minute} minutes" if minute > 59 else "",
        f"{second} seconds" if second > 59 else "",
    ]
    if not any(slips):
        return None
    microsecond = int((match["fraction"] or "0").ljust(6, "0"))
    local = datetime(year, month, 1) + timedelta(
        days=day - 1, hours=hour, minutes=minute, seconds=second, microseconds=microsecond
    )
    shown = f"{local:%Y-%m-%d %H:%M:%S}" if match["hour"] else f"{local:%Y-%m-%d}"
    if match["offset"]:
        local = local.replace(tzinfo=_fixed_offset(match["offset"]))
        shown = f"{shown} {match['offset']}"
    result = _to_utc(local, zone)
    slipped = ", ".join(slip for slip in slips if slip)
    warn("date", f"{printable(text, MAX_DATE_LENGTH)} has {slipped}; read as {shown}, as Hexo does")
    return result


def _parse_text(text: str, zone: tzinfo, warn: Warn | None) -> datetime:
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    trailing = _TRAILING_YEAR.match(text)
    if trailing and trailing["year"] == trailing["again"]:
        return _parse_trailing_year(trailing, zone, warn)
    if _BEIJING.search(text):
        text = _BEIJING.sub(" ", text).strip()
        zone = timezone(timedelta(hours=8))
    abbreviation = _ZONE_SUFFIX.search(text)
    if abbreviation and abbreviation.group(1).upper() in ZONE_ABBREVIATIONS:
        # Our table, not the parsers': email.utils reads CST as US Central time.
        seconds = ZONE_ABBREVIATIONS[abbreviation.group(1).upper()]
        zone = timezone(timedelta(seconds=seconds))
        text = text[: abbreviation.start()].strip()
    offset = _GMT_OFFSET.search(text)
    if offset and re.search(r"\d", text[: offset.start()]):
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        zone = timezone(-delta if sign == "-" else delta)
        text = text[: offset.start()].strip()
    for parse in (_parse_iso, _parse_numeric, _parse_rfc822, _parse_fallback):
        parsed = parse(text)
        if parsed is not None:
            return _to_utc(parsed, zone)
    raise DateError(f"not a date: {text!r}")


def _parse_trailing_year(match: re.Match[str], zone: tzinfo, warn: Warn | None) -> datetime:
    stamp = match["stamp"]
    parsed = _parse_iso(stamp) or _parse_numeric(stamp)
    if parsed is None:
        raise DateError(f"not a date: {match.string!r}")
    result = _to_utc(parsed, zone)
    ignored = match["ignored"]
    if ignored and warn is not None and not _same_offset(ignored, result, zone):
        warn(
            "date",
            f"{printable(match.string, MAX_DATE_LENGTH)}: {ignored} after the year is ignored,"
            f" as Jekyll does; read as {stamp} in the configured time zone",
        )
    return result


def _same_offset(written: str, moment: datetime, zone: tzinfo) -> bool:
    """Whether the offset or zone name `written` is what `zone` says at `moment`."""
    if written[0] in "+-":
        return moment.astimezone(zone).utcoffset() == _fixed_offset(written).utcoffset(None)
    return moment.astimezone(zone).tzname() == written


def _parse_iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.fromisoformat(text.replace(" Z", "Z"))
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise  # a well-formed but impossible day, such as 2021-02-30
        return None


def _parse_numeric(text: str) -> datetime | None:
    match = _NUMERIC.match(text)
    if match is None:
        return None
    parts = {
        k: int(v) for k, v in match.groupdict().items() if v and k not in ("offset", "fraction")
    }
    fraction = match["fraction"] or ""
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    parsed = datetime(microsecond=microsecond, **parts)  # ValueError on 2021-02-30
    if match["offset"]:
        parsed = parsed.replace(tzinfo=_fixed_offset(match["offset"]))
    return parsed


def _parse_rfc822(text: str) -> datetime | None:
    if not re.match(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d", text):
        return None
    import email.utils  # imported on first use: a run that reads no post never needs it

    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None and re.search(r"-0000$", text):
        parsed = parsed.replace(tzinfo=UTC)  # "-0000": UTC, origin unknown (RFC 5322)
    return parsed


def _parse_fallback(text: str) -> datetime | None:
    from dateutil import parser as dateutil_parser  # slow to import, rarely needed

    # Two different defaults: a field dateutil had to invent differs between them.
    results = [
        dateutil_parser.parse(text, default=default, tzinfos=ZONE_ABBREVIATIONS, fuzzy=False)
        for default in (datetime(1904, 1, 1), datetime(1908, 2, 2))
    ]
    if results[0] != results[1]:
        raise DateError(f"incomplete date (year, month or day missing): {text!r}")
    return results[0]


def _from_epoch(number: float) -> datetime:
    if abs(number) >= _MILLISECONDS_ABOVE:
        number /= 1000
    try:
        return _to_utc(datetime.fromtimestamp(number, UTC), UTC)
    except (OverflowError, OSError, ValueError):
        raise DateError(f"epoch time out of range: {number!r}") from None


def _fixed_offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _to_utc(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    value = value.astimezone(UTC)
    # Years 1 and 9999 cannot be moved to every time zone (permalinks use local time).
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DateError(f"year {value.year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    return value


def format_rfc822(value: datetime) -> str:
    """`Fri, 10 Sep 2021 11:48:10 GMT`: RSS dates, always in GMT, in English."""
    import email.utils

    return email.utils.format_datetime(value.astimezone(UTC), usegmt=True)


def format_rfc3339(value: datetime) -> str:
    """`2021-09-10T11:48:10Z`: Atom and JSON Feed dates, in UTC."""
    value = value.astimezone(UTC).replace(microsecond=0)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}Z"
