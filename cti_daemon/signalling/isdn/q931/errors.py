"""The one exception the Q.931 codec raises, and the kinds of finding it reports.

Q.931 5.8 tells call control what to do with a faulty message (ignore it, answer with
STATUS, clear with cause 81, 95-101 or 111). The decoder does not choose the answer: it
reports precisely what it found (a `FindingKind` per 5.8.x case) and call control applies
5.8. Only the cases where 5.8 says the message is ignored outright (no call reference to
answer on) end decoding with a `Q931DecodeError`.
"""

from __future__ import annotations

import enum


class FindingKind(enum.Enum):
    """What the decoder found, named after the Q.931 5.8 case it belongs to."""

    MESSAGE_TOO_SHORT = "5.8.2"  # shorter than PD + call reference + message type: ignored
    UNKNOWN_PROTOCOL_DISCRIMINATOR = "5.8.1"  # not 0x08: ignored
    BAD_CALL_REFERENCE = "5.8.3.1"  # octet 1 bits 5-8 not 0000, or a length we do not use: ignored
    UNKNOWN_MESSAGE_TYPE = "5.8.4"  # message type not defined (call control answers with cause 97)
    IE_OUT_OF_SEQUENCE = "5.8.5.1"  # variable-length IE lower than the one before, same codeset
    IE_REPEATED = "5.8.5.2"  # repeated where repetition is not permitted: only the first counts
    MANDATORY_IE_MISSING = "5.8.6.1"  # cause 96
    MANDATORY_IE_CONTENT_ERROR = "5.8.6.2"  # cause 100
    UNRECOGNISED_IE = "5.8.7.1"  # cause 99; comprehension required (codeset 0, 0000xxxx) -> as 5.8.6.1
    OPTIONAL_IE_CONTENT_ERROR = "5.8.7.2"  # cause 100, the IE is otherwise ignored
    INVALID_SHIFT = "4.5.3"  # locking shift to a lower codeset, or to codeset 0

    @property
    def clause(self) -> str:
        return self.value


class Q931DecodeError(ValueError):
    """A Q.931 octet string that cannot be decoded; `kind` says which 5.8 case it is.

    Raised by `decode_message` only for 5.8.1, 5.8.2 and 5.8.3.1 (the message is ignored),
    and by the IE decoders (`IEContentError`) for content they cannot read."""

    def __init__(self, kind: FindingKind, detail: str):
        super().__init__(f"Q.931 {kind.clause} {kind.name.lower().replace('_', ' ')}: {detail}")
        self.kind = kind
        self.detail = detail


class IEContentError(Q931DecodeError):
    """The contents of one information element are wrong (Q.931 5.8.6.2 / 5.8.7.2)."""

    def __init__(self, detail: str):
        super().__init__(FindingKind.OPTIONAL_IE_CONTENT_ERROR, detail)


class SegmentationError(ValueError):
    """A message that cannot be segmented per Annex H (e.g. more than 8 segments)."""
