"""Date/time (Q.931 4.5.15): year (last two digits), month, day, hour, minute, second
(second optional), each one binary octet."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, need
from .identifiers import IEIdentifier

_RANGES = (("year", 0, 99), ("month", 1, 12), ("day", 1, 31), ("hour", 0, 23), ("minute", 0, 59),
           ("second", 0, 59))


@dataclass(frozen=True)
class DateTime(InformationElement):
    IDENTIFIER = IEIdentifier.DATE_TIME

    year: int  # 0-99
    month: int
    day: int
    hour: int
    minute: int
    second: int | None = None

    def __post_init__(self):
        for (name, lo, hi), v in zip(_RANGES, self._fields()):
            if v is not None and not lo <= v <= hi:
                raise ValueError(f"date/time {name} {v} out of range {lo}-{hi}")

    def _fields(self):
        return (self.year, self.month, self.day, self.hour, self.minute, self.second)

    def encode_content(self) -> bytes:
        return bytes(v for v in self._fields() if v is not None)

    @classmethod
    def decode_content(cls, content: bytes) -> DateTime:
        need(content, 5, "date/time")
        if len(content) > 6:
            raise IEContentError(f"date/time: {len(content)} octets of contents, at most 6")
        for (name, lo, hi), v in zip(_RANGES, content):
            if not lo <= v <= hi:
                raise IEContentError(f"date/time: {name} {v} out of range {lo}-{hi}")
        return cls(*content)
