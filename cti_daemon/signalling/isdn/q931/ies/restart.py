"""Restart indicator (Q.931 4.5.25)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, enum_value, need
from .identifiers import IEIdentifier


class RestartClass(enum.IntEnum):
    INDICATED_CHANNELS = 0b000  # the channels in the channel identification IE
    SINGLE_INTERFACE = 0b110
    ALL_INTERFACES = 0b111


@dataclass(frozen=True)
class RestartIndicator(InformationElement):
    IDENTIFIER = IEIdentifier.RESTART_INDICATOR

    restart_class: RestartClass

    def encode_content(self) -> bytes:
        return bytes([EXT | self.restart_class])

    @classmethod
    def decode_content(cls, content: bytes) -> RestartIndicator:
        need(content, 1, "restart indicator")
        if len(content) != 1 or not content[0] & EXT or content[0] & 0x78:
            raise IEContentError(f"restart indicator: contents {content.hex()} not one octet 1 0000 ccc")
        return cls(enum_value(RestartClass, content[0] & 0x07, "restart class"))
