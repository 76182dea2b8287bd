"""The report as shown, to and from plain JSON data, so an adopted report keeps its figures
(docs/domain.md#adopted-reports).

`to_data` and `from_data` know no field of `exports.ShownReport`: they walk any tree of dataclasses
by `dataclasses.fields` and `typing.get_type_hints`, so a field added to the report, a table or a
figure is stored and read back without a change here. What JSON has no type for is tagged: a
Decimal as {"$decimal": "0.800"}, a datetime as {"$datetime": ISO 8601}, a date as {"$date": …}.
A field the stored data lacks takes its default; a stored field the class no longer has is ignored.
"""

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from .exports import ShownReport

DECIMAL, DATETIME, DATE = "$decimal", "$datetime", "$date"
TAGGED = {DECIMAL: Decimal, DATETIME: datetime, DATE: date}
# When and by whom a report was made: not a difference between an adopted report and the live one.
NOT_COMPARED = ("generated_at", "generated_by")


def to_data(value: Any) -> Any:
    """`value` (a dataclass, a list, a dict with text keys, or a scalar) as JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_data(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, enum.Enum):
        return to_data(value.value)
    if isinstance(value, Decimal):
        return {DECIMAL: str(value)}
    if isinstance(value, datetime):
        return {DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {DATE: value.isoformat()}
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"Cannot archive a {type(value).__name__}: {value!r}")


def from_data(data: dict) -> ShownReport:
    """The ShownReport that `to_data` turned into `data`."""
    return _read(data, ShownReport)


def differs(adopted: ShownReport, live: ShownReport) -> bool:
    """Whether the live report differs from the adopted one in anything but when and by whom it was
    made: a figure, a label, a certification (docs/domain.md#adopted-reports)."""
    first, second = to_data(adopted), to_data(live)
    for name in NOT_COMPARED:
        first.pop(name, None)
        second.pop(name, None)
    return first != second


def _read(data: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _read_union(data, typing.get_args(hint))
    if origin is list or hint is list:
        (item_hint,) = typing.get_args(hint) or (Any,)
        return [_read(item, item_hint) for item in data]
    if origin is tuple or hint is tuple:
        args = typing.get_args(hint) or (Any, ...)
        hints = [args[0]] * len(data) if len(args) == 2 and args[1] is Ellipsis else args
        return tuple(_read(item, item_hint) for item, item_hint in zip(data, hints, strict=True))
    if origin is dict or hint is dict:
        _key, item_hint = typing.get_args(hint) or (str, Any)
        return {key: _read(item, item_hint) for key, item in data.items()}
    if hint is Any:
        return data
    if dataclasses.is_dataclass(hint):
        return _read_dataclass(data, hint)
    return _read_scalar(data, hint)


def _read_dataclass(data: dict, cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    values = {
        field.name: _read(data[field.name], hints[field.name])
        for field in dataclasses.fields(cls)
        if field.init and field.name in data
    }
    return cls(**values)


def _read_union(data: Any, members: tuple) -> Any:
    """The member of `X | Y | None` the stored value is: its tag, or its JSON type."""
    if data is None:
        if type(None) in members:
            return None
        raise TypeError(f"None stored for one of {members}")
    candidates = [member for member in members if member is not type(None)]
    for member in candidates:
        if _fits(data, member):
            return _read(data, member)
    raise TypeError(f"{data!r} fits none of {members}")


def _fits(data: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint) or hint
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in TAGGED:
        return TAGGED[next(iter(data))] is origin
    if isinstance(data, list):
        return origin in (list, tuple)
    if isinstance(data, dict):
        return origin is dict or dataclasses.is_dataclass(origin)
    if not isinstance(origin, type):
        return False
    if isinstance(data, bool):
        return origin is bool
    if isinstance(data, int):
        return origin is float or (issubclass(origin, int) and origin is not bool)
    if isinstance(data, float):
        return origin is float
    return isinstance(data, str) and issubclass(origin, str)


def _read_scalar(data: Any, hint: Any) -> Any:
    if hint is Decimal:
        return Decimal(data[DECIMAL])
    if hint is datetime:
        moment = datetime.fromisoformat(data[DATETIME])
        return timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if hint is date:
        return date.fromisoformat(data[DATE])
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint in (bool, int, float, str):
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise TypeError(f"{data!r} stored for a {hint.__name__}")
        return data
    raise TypeError(f"Cannot read a {hint!r} from {data!r}")
