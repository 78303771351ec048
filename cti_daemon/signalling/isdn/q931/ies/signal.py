"""Signal (Q.931 4.5.28): tones the network asks the user's equipment to play."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..errors import IEContentError
from .base import InformationElement, enum_value, need
from .identifiers import IEIdentifier


class SignalValue(enum.IntEnum):
    DIAL_TONE_ON = 0x00
    RING_BACK_TONE_ON = 0x01
    INTERCEPT_TONE_ON = 0x02
    NETWORK_CONGESTION_TONE_ON = 0x03
    BUSY_TONE_ON = 0x04
    CONFIRM_TONE_ON = 0x05
    ANSWER_TONE_ON = 0x06
    CALL_WAITING_TONE_ON = 0x07
    OFF_HOOK_WARNING_TONE_ON = 0x08
    PREEMPTION_TONE_ON = 0x09
    TONES_OFF = 0x3F
    ALERTING_ON_PATTERN_0 = 0x40
    ALERTING_ON_PATTERN_1 = 0x41
    ALERTING_ON_PATTERN_2 = 0x42
    ALERTING_ON_PATTERN_3 = 0x43
    ALERTING_ON_PATTERN_4 = 0x44
    ALERTING_ON_PATTERN_5 = 0x45
    ALERTING_ON_PATTERN_6 = 0x46
    ALERTING_ON_PATTERN_7 = 0x47
    ALERTING_OFF = 0x4F


@dataclass(frozen=True)
class Signal(InformationElement):
    IDENTIFIER = IEIdentifier.SIGNAL

    value: SignalValue

    def encode_content(self) -> bytes:
        return bytes([self.value])

    @classmethod
    def decode_content(cls, content: bytes) -> Signal:
        need(content, 1, "signal")
        if len(content) != 1:
            raise IEContentError(f"signal: {len(content)} octets of contents, 1 expected")
        return cls(enum_value(SignalValue, content[0], "signal value"))
