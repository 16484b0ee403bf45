"""Shared base for the AIRS wire models.

The official SDK parses strictly (a JSON number where a string is expected fails the whole response), so every
field uses strict scalar types, and models serialise with :meth:`WireModel.to_wire` which drops ``None`` values,
exactly as the SDK does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, StrictBool, StrictInt, StrictStr

__all__ = ["Str", "Bool", "Int", "Timestamp", "WireModel", "utcnow"]

Str = StrictStr
Bool = StrictBool
Int = StrictInt


def _format_ts(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


#: RFC 3339 UTC date-time, serialised with a ``Z`` suffix as the service does.
Timestamp = Annotated[datetime, PlainSerializer(_format_ts, return_type=str, when_used="json")]


def utcnow() -> datetime:
    """Return the current UTC time (aware)."""
    return datetime.now(timezone.utc)


class WireModel(BaseModel):
    """Base of all wire models: unknown keys are ignored, ``None`` is never serialised."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON-ready dict sent on the wire (``None`` values omitted, aliases used)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def to_json(self) -> str:
        """Return the compact JSON text of :meth:`to_wire`."""
        return self.model_dump_json(exclude_none=True, by_alias=True)
