"""Dates: every front-matter date value becomes one aware UTC datetime.

Strict parsers go first (YAML's own datetimes, epoch numbers, ISO 8601, RFC 822,
Chinese and unpadded forms); python-dateutil is the last resort, and it may not
fill a missing year, month or day from today. A time without an offset is in the
configured zone.
"""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

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


class DateError(ValueError):
    """The value is not a date this module can read."""


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A front-matter value as an aware UTC datetime; DateError when it is not a date."""
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
    text = " ".join(value[: MAX_DATE_LENGTH * 4].split())
    if not text:
        raise DateError("empty date")
    if len(text) > MAX_DATE_LENGTH:
        raise DateError(f"too long to be a date ({len(value):,} characters): {text[:40]!r}…")
    try:
        return _parse_text(text, zone)
    except (ValueError, OverflowError) as error:
        if isinstance(error, DateError):
            raise
        raise DateError(f"not a valid date: {value!r} ({error})") from None


def _parse_text(text: str, zone: tzinfo) -> datetime:
    if _EPOCH.match(text):
        return _from_epoch(float(text))
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
    return email.utils.format_datetime(value.astimezone(UTC), usegmt=True)


def format_rfc3339(value: datetime) -> str:
    """`2021-09-10T11:48:10Z`: Atom and JSON Feed dates, in UTC."""
    value = value.astimezone(UTC).replace(microsecond=0)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}Z"
