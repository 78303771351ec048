"""Single octet IEs (Q.931 4.5.1 Figure 4-7 a/b, Table 4-3): shift, more data, sending
complete, congestion level, repeat indicator."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .base import SingleOctetIE
from .identifiers import IEIdentifier


@dataclass(frozen=True)
class Shift(SingleOctetIE):
    """Codeset shift (Q.931 4.5.3 locking, 4.5.4 non-locking): 1001 lccc, l = 1 non-locking."""

    codeset: int
    locking: bool

    def __post_init__(self):
        if not 0 <= self.codeset <= 7:
            raise ValueError(f"codeset {self.codeset} out of range 0-7")

    def encode(self) -> bytes:
        return bytes([IEIdentifier.SHIFT | (0 if self.locking else 0x08) | self.codeset])


@dataclass(frozen=True)
class MoreData(SingleOctetIE):
    """Q.931 4.5.20 (USER INFORMATION only)."""

    IDENTIFIER = IEIdentifier.MORE_DATA

    def encode(self) -> bytes:
        return bytes([IEIdentifier.MORE_DATA])


@dataclass(frozen=True)
class SendingComplete(SingleOctetIE):
    """Q.931 4.5.27: the called number is complete (en bloc)."""

    IDENTIFIER = IEIdentifier.SENDING_COMPLETE

    def encode(self) -> bytes:
        return bytes([IEIdentifier.SENDING_COMPLETE])


class CongestionLevelValue(enum.IntEnum):
    RECEIVER_READY = 0x0  # Q.931 4.5.14
    RECEIVER_NOT_READY = 0xF


@dataclass(frozen=True)
class CongestionLevel(SingleOctetIE):
    IDENTIFIER = IEIdentifier.CONGESTION_LEVEL

    level: int  # 4 bits; CongestionLevelValue for the defined ones

    def encode(self) -> bytes:
        return bytes([IEIdentifier.CONGESTION_LEVEL | (self.level & 0x0F)])


class RepeatIndication(enum.IntEnum):
    PRIORITIZED_LIST = 0x2  # Q.931 4.5.24 (ETSI: for descending priority, Annex L)


@dataclass(frozen=True)
class RepeatIndicator(SingleOctetIE):
    IDENTIFIER = IEIdentifier.REPEAT_INDICATOR

    indication: int = RepeatIndication.PRIORITIZED_LIST

    def encode(self) -> bytes:
        return bytes([IEIdentifier.REPEAT_INDICATOR | (self.indication & 0x0F)])


def decode_single_octet(octet: int) -> SingleOctetIE | None:
    """The single octet IE of codeset 0 this octet is, or None if reserved (1000xxxx)."""
    if octet == IEIdentifier.MORE_DATA:
        return MoreData()
    if octet == IEIdentifier.SENDING_COMPLETE:
        return SendingComplete()
    high = octet & 0xF0
    if high == IEIdentifier.SHIFT:
        return Shift(octet & 0x07, locking=not octet & 0x08)
    if high == IEIdentifier.CONGESTION_LEVEL:
        return CongestionLevel(octet & 0x0F)
    if high == IEIdentifier.REPEAT_INDICATOR:
        return RepeatIndicator(octet & 0x0F)
    return None
