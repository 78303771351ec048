"""Segmented message (Q.931 4.5.26): first segment indicator, number of segments
remaining, and the message type of the message that was segmented."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement
from .identifiers import IEIdentifier


@dataclass(frozen=True)
class SegmentedMessage(InformationElement):
    IDENTIFIER = IEIdentifier.SEGMENTED_MESSAGE

    first: bool
    remaining: int  # segments still to come, 0 on the last
    message_type: int  # of the segmented message

    def __post_init__(self):
        if not 0 <= self.remaining <= 127 or not 0 <= self.message_type <= 127:
            raise ValueError("segments remaining and segmented message type are 7-bit fields")

    def encode_content(self) -> bytes:
        return bytes([(0x80 if self.first else 0) | self.remaining, self.message_type])

    @classmethod
    def decode_content(cls, content: bytes) -> SegmentedMessage:
        if len(content) != 2:
            raise IEContentError(f"segmented message: {len(content)} octets of contents, 2 expected")
        if content[1] & 0x80:
            raise IEContentError("segmented message: bit 8 of octet 4 (spare) is 1")
        return cls(bool(content[0] & 0x80), content[0] & 0x7F, content[1])
