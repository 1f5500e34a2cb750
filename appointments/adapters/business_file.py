"""Read business.yml into a BusinessProfile, refusing anything it cannot use.

The file is what a business owner edits, so a mistake must stop the start-up with a
message that names the line and the field ("business.yml, línea 41, services[1] →
duration_minutes: ..."), never fall back to a default silently: an unknown field (a
typo such as `duraton_minutes`) is an error too.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

from pydantic import BaseModel, Extra, ValidationError, conint, constr, validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from appointments.domain.business import BusinessProfile, FaqEntry, Offering, Period

WEEKDAY_KEYS = {
    "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3, "viernes": 4, "sabado": 5,
    "domingo": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
PERIOD = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
PRICE_RANGE = re.compile(r"(\d{1,7})\s*-\s*(\d{1,7})")


class BusinessFileError(ValueError):
    """business.yml cannot be used; the message says where and why."""


def _plain(word: str) -> str:
    folded = unicodedata.normalize("NFKD", word.strip().lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


def parse_period(text: str) -> Period:
    match = PERIOD.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"'{text}' is not a period like '09:00-14:00'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"'{text}' is not a valid time of day")
    opens, closes = time(h1, m1), time(23, 59) if h2 == 24 else time(h2, m2)
    if opens >= closes:
        raise ValueError(f"'{text}' closes before it opens")
    return opens, closes


def check_periods(periods: List[Period], where: str) -> Tuple[Period, ...]:
    ordered = sorted(periods)
    for (_, closes), (opens, _) in zip(ordered, ordered[1:]):
        if opens < closes:
            raise ValueError(f"{where}: periods overlap")
    return tuple(ordered)


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class ServiceModel(_Strict):
    key: constr(regex=r"^[a-z0-9_-]{1,40}$")  # type: ignore[valid-type]
    name: constr(min_length=1, max_length=80)  # type: ignore[valid-type]
    duration_minutes: conint(ge=5, le=600)  # type: ignore[valid-type]
    price: Optional[Union[int, str]] = None
    description: str = ""
    preparation: str = ""
    aliases: List[constr(min_length=2)] = []  # type: ignore[valid-type]

    @validator("price", pre=True)
    def _price(cls, value: Any) -> Any:
        if isinstance(value, float) or isinstance(value, bool):
            raise ValueError(f"'{value}' is not a price in whole pesos: write 1500, not 1.500")
        if value is None or isinstance(value, int):
            if isinstance(value, int) and value < 0:
                raise ValueError("a price cannot be negative")
            return value
        if str(value).strip().isdigit():
            return int(str(value).strip())
        match = PRICE_RANGE.fullmatch(str(value).strip())
        if not match or int(match.group(1)) > int(match.group(2)):
            raise ValueError(f"'{value}' is not a price (400) or a range (800-1200)")
        return value


class ClosedDateModel(_Strict):
    date: date
    reason: constr(min_length=1, max_length=80)  # type: ignore[valid-type]


class FaqModel(_Strict):
    key: constr(regex=r"^[a-z0-9_-]{1,40}$")  # type: ignore[valid-type]
    questions: List[constr(min_length=3)]  # type: ignore[valid-type]
    answer: constr(min_length=1, max_length=1000)  # type: ignore[valid-type]

    @validator("questions")
    def _some(cls, value: List[str]) -> List[str]:
        if not value:
            raise ValueError("give at least one way to ask it")
        return value


class ProfileModel(_Strict):
    name: constr(min_length=1, max_length=80)  # type: ignore[valid-type]
    address: str = ""
    map_url: str = ""
    phone: str = ""
    directions: str = ""
    timezone: str = "America/Mexico_City"
    hours: Dict[str, List[str]]
    holidays_country: Optional[str] = "MX"
    closed_dates: List[ClosedDateModel] = []
    slot_minutes: conint(ge=5, le=240) = 30  # type: ignore[valid-type]
    booking_horizon_days: conint(ge=1, le=366) = 30  # type: ignore[valid-type]
    min_notice_minutes: conint(ge=0, le=10080) = 60  # type: ignore[valid-type]
    currency: constr(min_length=1, max_length=8) = "MXN"  # type: ignore[valid-type]
    services: List[ServiceModel] = []
    payment_methods: List[constr(min_length=1)] = []  # type: ignore[valid-type]
    parking: str = ""
    accessibility: str = ""
    cancellation_policy: str = ""
    faq: List[FaqModel] = []

    @validator("hours")
    def _hours(cls, value: Dict[str, List[str]]) -> Dict[int, Tuple[Period, ...]]:
        """Read once here: {weekday number: sorted periods}, closed days left out."""
        hours: Dict[int, Tuple[Period, ...]] = {}
        for day, periods in value.items():
            if _plain(day) not in WEEKDAY_KEYS:
                raise ValueError(f"'{day}' is not a weekday (lunes ... domingo)")
            try:
                parsed = check_periods([parse_period(p) for p in periods or []], day)
            except ValueError as error:
                raise ValueError(f"{day}: {error}") from None
            if parsed:
                hours[WEEKDAY_KEYS[_plain(day)]] = parsed
        return hours  # type: ignore[return-value]

    @validator("holidays_country")
    def _country(cls, value: Optional[str]) -> Optional[str]:
        code = (value or "").strip().upper()
        if code in ("", "NONE"):
            return value
        import holidays  # the tables load on first use; only the code is checked here

        if code not in holidays.list_supported_countries():
            raise ValueError(f"'{value}' is not a country code of the holidays package (MX)")
        return value

    @validator("slot_minutes")
    def _grid(cls, value: int) -> int:
        if 24 * 60 % value:
            raise ValueError("must divide a day evenly (e.g. 15, 20, 30, 60)")
        return value

    @validator("timezone")
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @validator("services")
    def _unique_services(cls, value: List[ServiceModel]) -> List[ServiceModel]:
        keys = [s.key for s in value]
        if len(set(keys)) != len(keys):
            raise ValueError("two services share one key")
        return value


def _to_profile(model: ProfileModel) -> BusinessProfile:
    services = []
    for s in model.services:
        low = high = None
        if isinstance(s.price, int):
            low = s.price
        elif s.price is not None:
            match = PRICE_RANGE.fullmatch(str(s.price))
            low, high = int(match.group(1)), int(match.group(2))  # type: ignore[union-attr]
        services.append(Offering(
            key=s.key, name=s.name, duration_minutes=s.duration_minutes, price_from=low,
            price_to=high, description=s.description, preparation=s.preparation,
            aliases=tuple(s.aliases)))
    country = (model.holidays_country or "").strip().upper()
    return BusinessProfile(
        name=model.name, address=model.address, map_url=model.map_url, phone=model.phone,
        directions=model.directions, timezone=model.timezone, hours=model.hours,
        closed_dates={c.date: c.reason for c in model.closed_dates},
        holidays_country=None if country in ("", "NONE") else country,
        slot_minutes=model.slot_minutes, booking_horizon_days=model.booking_horizon_days,
        min_notice_minutes=model.min_notice_minutes, currency=model.currency,
        services=tuple(services), payment_methods=tuple(model.payment_methods),
        parking=model.parking, accessibility=model.accessibility,
        cancellation_policy=model.cancellation_policy,
        faq=tuple(FaqEntry(key=f.key, questions=tuple(f.questions), answer=f.answer)
                  for f in model.faq),
    )


def _line_of(document: Any, location: Tuple[Any, ...]) -> Optional[int]:
    """The 1-based line of the deepest node of `location` that exists in the file."""
    line, node = None, document
    for step in location:
        try:
            if isinstance(step, int):
                position = node.lc.item(step)
            else:
                position = node.lc.key(step)
            node = node[step]
        except (AttributeError, KeyError, IndexError, TypeError):
            break
        line = position[0] + 1
    return line


def _field(location: Tuple[Any, ...]) -> str:
    text = ""
    for step in location:
        if step == "__root__":
            continue
        text += f"[{step}]" if isinstance(step, int) else (f" → {step}" if text else str(step))
    return text or "(file)"


def load_profile(path: Path) -> BusinessProfile:
    """The profile in `path`; BusinessFileError naming line and field when it is wrong."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BusinessFileError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise BusinessFileError(f"{name}{where}: not valid YAML ({problem})") from None
    except ValueError as error:  # a date such as 2026-13-01
        line = _value_error_line(text, error)
        raise BusinessFileError(f"{name}{line}: not valid YAML ({error})") from None
    if not isinstance(document, dict):
        raise BusinessFileError(f"{name}: expected fields such as 'name:' and 'hours:'")
    try:
        return _to_profile(ProfileModel.parse_obj(_plain_data(document)))
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = tuple(item["loc"])
            line = _line_of(document, location)
            where = f", line {line}" if line else ""
            message = "unknown field (a typo?)" if item["type"] == "value_error.extra" \
                else item["msg"]
            problems.append(f"{name}{where}, {_field(location)}: {message}")
        raise BusinessFileError("\n".join(problems)) from None


def _value_error_line(text: str, error: ValueError) -> str:
    """ruamel builds dates while loading and reports a bad one without a position: find
    the first date-looking value that Python cannot build."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", line)
        if match:
            try:
                date(*(int(g) for g in match.groups()))
            except ValueError:
                return f", line {number}"
    return ""


def _plain_data(node: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (pydantic wants those)."""
    if isinstance(node, dict):
        return {str(k): _plain_data(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain_data(v) for v in node]
    return node
