"""Q.931 messages: protocol discriminator (4.2), call reference (4.3), message type (4.4),
then the IEs (4.5), and the codec that reports what it found per Q.931 5.8.

    msg = Message(MessageType.SETUP, CallReference(1, length=2), [BearerCapability(), ...])
    data = msg.encode()
    decoded = decode_message(data, call_reference_length=2, direction=Direction.USER_TO_NETWORK)
    decoded.message, decoded.report.findings
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from .codesets import Element, PlacedIE, walk_ies
from .errors import FindingKind, Q931DecodeError
from .ies import RawIE, RawSingleOctetIE, comprehension_required, is_recognised
from .ies.base import InformationElement
from .ies.single_octet import Shift
from .mandatory import REPEATABLE, Direction, mandatory_ies
from .message_types import MessageType
from .report import DecodeReport, Finding

PROTOCOL_DISCRIMINATOR = 0x08  # Q.931 4.2: Q.931/I.451 user-network call control messages
MAX_CALL_REFERENCE_LENGTH = 2  # Q.931 4.3: 1 octet on basic, 2 on primary rate access

T = TypeVar("T")


@dataclass(frozen=True)
class CallReference:
    """Q.931 4.3. `flag` is bit 8 of the first value octet: False when sent by the side
    that allocated the value, True when sent to it. Length 0 is the dummy call reference;
    value 0 with length 1 or 2 is the global call reference."""

    value: int
    length: int = 2
    flag: bool = False

    def __post_init__(self):
        if not 0 <= self.length <= MAX_CALL_REFERENCE_LENGTH:
            raise ValueError(f"call reference length {self.length}; 0 (dummy), 1 (BRI) or 2 (PRI)")
        limit = (1 << (8 * self.length - 1)) if self.length else 1
        if not 0 <= self.value < limit:
            raise ValueError(f"call reference value {self.value} does not fit {self.length} octet(s)")
        if self.length == 0 and self.flag:
            raise ValueError("the dummy call reference has no flag")

    @classmethod
    def dummy(cls) -> CallReference:
        return cls(0, 0)

    @classmethod
    def global_(cls, length: int = 2, flag: bool = False) -> CallReference:
        return cls(0, length, flag)

    @property
    def is_dummy(self) -> bool:
        return self.length == 0

    @property
    def is_global(self) -> bool:
        return self.length > 0 and self.value == 0

    def answer(self) -> CallReference:
        """The same call reference as the other side sends it (flag inverted)."""
        return CallReference(self.value, self.length, not self.flag) if self.length else self

    def encode(self) -> bytes:
        if self.length == 0:
            return b"\x00"
        raw = self.value.to_bytes(self.length, "big")
        return bytes([self.length, raw[0] | (0x80 if self.flag else 0)]) + raw[1:]


@dataclass
class Message:
    message_type: MessageType | int  # int only for a message type we do not know (5.8.4)
    call_reference: CallReference
    ies: list[Element] = field(default_factory=list)

    def get(self, cls: type[T]) -> T | None:
        """The first IE of this class, or None."""
        for ie in self.ies:
            if isinstance(ie, cls):
                return ie
        return None

    def get_all(self, cls: type[T]) -> list[T]:
        return [ie for ie in self.ies if isinstance(ie, cls)]

    def encode(self) -> bytes:
        return encode_message(self)


def encode_message(message: Message) -> bytes:
    """The octets of a message. IEs go out in list order; an IE of another codeset than
    the active one gets a non-locking shift before it unless the list has one (4.5.4)."""
    mt = int(message.message_type)
    # Q.931 4.4: bit 8 is 0 in every defined type; an unknown one received with bit 8 set
    # is still carried back out as it came (e.g. into a trace).
    if not 0 <= mt <= 0xFF:
        raise ValueError(f"message type {mt:#x} is not one octet")
    out = bytearray([PROTOCOL_DISCRIMINATOR]) + message.call_reference.encode() + bytes([mt])
    active, temporary = 0, None
    for ie in message.ies:
        if isinstance(ie, Shift):
            out += ie.encode()
            if ie.locking:
                active, temporary = ie.codeset, None
            else:
                temporary = ie.codeset
            continue
        current = temporary if temporary is not None else active
        if ie.CODESET != current:
            out += Shift(ie.CODESET, locking=False).encode()
        temporary = None
        out += ie.encode()
    return bytes(out)


@dataclass
class DecodedMessage:
    message: Message
    report: DecodeReport


def decode_header(data: bytes, call_reference_length: int | None = None) -> tuple[CallReference, int, int]:
    """(call reference, message type octet, offset of the first IE), or Q931DecodeError
    for the cases Q.931 5.8.1-5.8.3.1 say to ignore."""
    if len(data) < 1:
        raise Q931DecodeError(FindingKind.MESSAGE_TOO_SHORT, "empty message")
    if data[0] != PROTOCOL_DISCRIMINATOR:
        raise Q931DecodeError(FindingKind.UNKNOWN_PROTOCOL_DISCRIMINATOR,
                              f"protocol discriminator {data[0]:#04x}, Q.931 is 0x08")
    if len(data) < 2:
        raise Q931DecodeError(FindingKind.MESSAGE_TOO_SHORT, "no call reference")
    octet = data[1]
    if octet & 0xF0:
        raise Q931DecodeError(FindingKind.BAD_CALL_REFERENCE, f"call reference octet 1 = {octet:#04x}, bits 8-5 not 0000")
    length = octet & 0x0F
    if length > MAX_CALL_REFERENCE_LENGTH or (call_reference_length is not None and length not in (0, call_reference_length)):
        expected = "0 or " + str(call_reference_length) if call_reference_length is not None else "0-2"
        raise Q931DecodeError(FindingKind.BAD_CALL_REFERENCE, f"call reference length {length}, expected {expected}")
    if len(data) < 2 + length + 1:
        raise Q931DecodeError(FindingKind.MESSAGE_TOO_SHORT,
                              f"{len(data)} octets: too short for a {length}-octet call reference and a message type")
    raw = data[2 : 2 + length]
    if length:
        flag = bool(raw[0] & 0x80)
        value = int.from_bytes(bytes([raw[0] & 0x7F]) + raw[1:], "big")
        cr = CallReference(value, length, flag)
    else:
        cr = CallReference.dummy()
    return cr, data[2 + length], 3 + length


def decode_message(data: bytes, *, call_reference_length: int | None = None,
                   direction: Direction | None = None) -> DecodedMessage:
    """Decode one Q.931 message and report every Q.931 5.8 finding.

    call_reference_length: 1 on BRI, 2 on PRI (None accepts either); the dummy call
    reference (length 0) is always accepted. direction: who sent it, for the mandatory IEs
    that differ by direction (None checks those mandatory both ways only).
    Raises Q931DecodeError only for 5.8.1, 5.8.2 and 5.8.3.1 (the message is ignored)."""
    data = bytes(data)
    cr, mt_octet, start = decode_header(data, call_reference_length)
    report = DecodeReport()
    message_type: MessageType | int
    try:
        message_type = MessageType(mt_octet)
    except ValueError:
        message_type = mt_octet
        report.add(Finding(FindingKind.UNKNOWN_MESSAGE_TYPE, f"message type {mt_octet:#04x} not defined",
                           offset=start - 1))
    walk_findings: list[Finding] = []
    placed = walk_ies(data, start, walk_findings)
    message = Message(message_type, cr, [p.ie for p in placed])
    _check(message_type, direction, placed, walk_findings, report)
    return DecodedMessage(message, report)


def _identifier(p: PlacedIE) -> int | None:
    """The identifier a repetition or mandatory check goes by; None for shifts and
    unrecognised single octet IEs."""
    if isinstance(p.ie, (Shift, RawSingleOctetIE)):
        return None
    return p.ie.IDENTIFIER


def _check(message_type: MessageType | int, direction: Direction | None, placed: list[PlacedIE],
           walk_findings: list[Finding], report: DecodeReport) -> None:
    known = isinstance(message_type, MessageType)
    mandatory = set(mandatory_ies(message_type, direction)) if known else set()
    report.findings.extend(walk_findings)
    last_variable: dict[int, int] = {}  # codeset -> identifier of the last variable length IE
    seen: set[tuple[int, int]] = set()
    valid: set[int] = set()  # codeset 0 identifiers present with correct contents
    content_error: set[int] = set()
    for p in placed:
        ie = p.ie
        if isinstance(ie, RawSingleOctetIE):
            report.add(Finding(FindingKind.UNRECOGNISED_IE, f"single octet IE {ie.octet:#04x} in codeset {p.codeset}",
                               ie.octet, p.codeset, p.offset))
            continue
        ident = _identifier(p)
        if ident is None:
            continue
        variable = isinstance(ie, InformationElement)
        key = (p.codeset, ident)
        if variable:
            # Q.931 4.5.1 / 5.8.5.1: variable length IEs in ascending order within a codeset.
            previous = last_variable.get(p.codeset)
            if previous is not None and ident < previous:
                report.add(Finding(FindingKind.IE_OUT_OF_SEQUENCE,
                                   f"IE {ident:#04x} after IE {previous:#04x} in codeset {p.codeset}",
                                   ident, p.codeset, p.offset))
            last_variable[p.codeset] = max(ident, previous) if previous is not None else ident
        if key in seen and not (p.codeset == 0 and ident in REPEATABLE):
            # 5.8.5.2: only the contents of the first are handled.
            report.add(Finding(FindingKind.IE_REPEATED, f"IE {ident:#04x} repeated", ident, p.codeset, p.offset))
            continue
        seen.add(key)
        if isinstance(ie, RawIE):
            if ie.error is not None:
                kind = (FindingKind.MANDATORY_IE_CONTENT_ERROR if p.codeset == 0 and ident in mandatory
                        else FindingKind.OPTIONAL_IE_CONTENT_ERROR)
                report.add(Finding(kind, ie.error, ident, p.codeset, p.offset))
                if p.codeset == 0:
                    content_error.add(ident)
            elif not is_recognised(ident, p.codeset):
                report.add(Finding(FindingKind.UNRECOGNISED_IE, f"IE {ident:#04x} in codeset {p.codeset} not recognised",
                                   ident, p.codeset, p.offset, comprehension_required(ident, p.codeset)))
            elif p.codeset == 0:
                valid.add(ident)
        elif p.codeset == 0:
            valid.add(ident)
    for ident in sorted(mandatory):
        if ident not in valid and ident not in content_error:
            report.add(Finding(FindingKind.MANDATORY_IE_MISSING,
                               f"{message_type.title} without mandatory IE {ident:#04x}", int(ident)))
