"""Notification indicator (Q.931 4.5.22; ETSI EN 300 196 / Q.932 extend the values)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import EXT, InformationElement, need
from .identifiers import IEIdentifier


class NotificationDescription(enum.IntEnum):
    USER_SUSPENDED = 0x00  # Q.931 4.5.22
    USER_RESUMED = 0x01
    BEARER_SERVICE_CHANGE = 0x02
    DISCRIMINATOR_FOR_EXTENSION = 0x40  # ASN.1 encoded notification follows (ETSI)
    CALL_IS_A_WAITING_CALL = 0x60  # ETSI EN 300 196 / Q.932 values
    CONFERENCE_ESTABLISHED = 0x42
    REMOTE_HOLD = 0x79
    REMOTE_RETRIEVAL = 0x7A
    CALL_IS_DIVERTING = 0x7B


@dataclass(frozen=True)
class NotificationIndicator(InformationElement):
    IDENTIFIER = IEIdentifier.NOTIFICATION_INDICATOR

    description: int  # NotificationDescription for the values we name; others are national
    data: bytes = b""  # further octets (the extension's ASN.1 notification), as sent

    def encode_content(self) -> bytes:
        return bytes([EXT | self.description]) + self.data

    @classmethod
    def decode_content(cls, content: bytes) -> NotificationIndicator:
        need(content, 1, "notification indicator")
        if not content[0] & EXT:
            raise IEContentError("notification indicator: octet 3 has extension bit 0")
        value = content[0] & 0x7F
        try:
            value = NotificationDescription(value)
        except ValueError:
            pass  # Q.931 allows network-specific notifications; call control decides
        return cls(value, bytes(content[1:]))
