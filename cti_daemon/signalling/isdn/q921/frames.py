"""Q.921 frame codec: address field, modulo-128 control field, information field.

Frames are handled from the address field to the end of the information field; the
flags, bit stuffing and FCS belong to the HDLC layer below (hw-sim or DAHDI).

Formats (Q.921 clause 3):
- address (3.2, 3.3): octet 1 = SAPI (6 bits) | C/R | EA=0, octet 2 = TEI (7 bits) | EA=1;
- control (3.4, 3.6, Table 5), modulo 128 (SABME): I = 2 octets N(S)/0 then N(R)/P;
  S = 2 octets 0000 SS 01 then N(R)/P-F; U = 1 octet MMM P/F MM 11;
- C/R (3.3.2, Table 1): commands carry C/R = 1 from the network side and 0 from the
  user side; responses the opposite.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cti_daemon.signalling.isdn.q921.errors import FrameError

MODULUS = 128  # Q.921 3.5.2: sequence numbers modulo 128 (extended multiple frame operation)

# Q.921 3.3.3: SAPI 0 call control, SAPI 63 layer 2 management; 3.3.4: TEI 127 group.
SAPI_CALL_CONTROL = 0
SAPI_PACKET = 16
SAPI_MANAGEMENT = 63
TEI_GROUP = 127

# Q.921 5.8.5 / Appendix II: the codes a frame rejection condition is reported with.
MDL_UNDEFINED_FRAME = "L"
MDL_I_FIELD_NOT_PERMITTED = "M"
MDL_WRONG_SIZE = "N"
MDL_N201_EXCEEDED = "O"


class Side(enum.Enum):
    """Which end of the user-network interface a frame was sent from (Q.921 3.3.2)."""

    USER = "user"
    NETWORK = "network"

    @property
    def peer(self) -> Side:
        return Side.NETWORK if self is Side.USER else Side.USER


class FrameType(enum.Enum):
    I = "I"  # noqa: E741 - the name Q.921 gives it
    RR = "RR"
    RNR = "RNR"
    REJ = "REJ"
    SABME = "SABME"
    DM = "DM"
    UI = "UI"
    DISC = "DISC"
    UA = "UA"
    FRMR = "FRMR"
    XID = "XID"


SUPERVISORY = frozenset({FrameType.RR, FrameType.RNR, FrameType.REJ})

# Q.921 Table 5: first control octet of S frames (bits 3-4 select the function).
_S_OCTET = {FrameType.RR: 0x01, FrameType.RNR: 0x05, FrameType.REJ: 0x09}
_S_BY_OCTET = {v: k for k, v in _S_OCTET.items()}
# Q.921 Table 5: U frames with the P/F bit (0x10) cleared.
_U_OCTET = {
    FrameType.SABME: 0x6F,
    FrameType.DM: 0x0F,
    FrameType.UI: 0x03,
    FrameType.DISC: 0x43,
    FrameType.UA: 0x63,
    FrameType.FRMR: 0x87,
    FrameType.XID: 0xAF,
}
_U_BY_OCTET = {v: k for k, v in _U_OCTET.items()}
_PF_U = 0x10

# Q.921 Table 5: which frames are commands only, responses only, or either.
_COMMAND_ONLY = frozenset({FrameType.I, FrameType.SABME, FrameType.UI, FrameType.DISC})
_RESPONSE_ONLY = frozenset({FrameType.DM, FrameType.UA, FrameType.FRMR})
# Frames that may carry an information field (I, UI; FRMR and XID have their own).
_WITH_INFO = frozenset({FrameType.I, FrameType.UI, FrameType.FRMR, FrameType.XID})

FRMR_INFO_LENGTH = 5  # Q.921 3.6.11 (modulo 128)


@dataclass(frozen=True)
class Frame:
    """One LAPD frame. `command` is True for a command, False for a response; the
    C/R bit on the wire follows from it and the sender's side. `ns` is set for I
    frames, `nr` for I and S frames; `info` is the information field."""

    type: FrameType
    sapi: int = SAPI_CALL_CONTROL
    tei: int = 0
    command: bool = True
    poll_final: bool = False
    ns: int | None = None
    nr: int | None = None
    info: bytes = b""


@dataclass(frozen=True)
class FrmrInfo:
    """The FRMR information field (Q.921 3.6.11): the rejected control field,
    our V(S), V(R), whether the rejected frame was a response, and W X Y Z."""

    rejected_control: bytes  # 2 octets; a U frame's single octet is followed by 0
    vs: int
    vr: int
    rejected_was_response: bool
    w: bool = False  # undefined or not implemented control field
    x: bool = False  # information field not permitted (or wrong size)
    y: bool = False  # information field longer than N201
    z: bool = False  # invalid N(R)

    def encode(self) -> bytes:
        control = bytes(self.rejected_control)
        if len(control) != 2:
            raise ValueError("the rejected control field takes 2 octets in modulo-128 FRMR")
        _check_seq("V(S)", self.vs)
        _check_seq("V(R)", self.vr)
        wxyz = (self.w << 0) | (self.x << 1) | (self.y << 2) | (self.z << 3)
        return control + bytes([self.vs << 1, (self.vr << 1) | int(self.rejected_was_response), wxyz])

    @classmethod
    def decode(cls, data: bytes) -> FrmrInfo:
        if len(data) != FRMR_INFO_LENGTH:
            raise FrameError(f"FRMR information field has {len(data)} octets, not {FRMR_INFO_LENGTH}",
                             MDL_WRONG_SIZE)
        last = data[4]
        return cls(bytes(data[0:2]), data[2] >> 1, data[3] >> 1, bool(data[3] & 1),
                   bool(last & 1), bool(last & 2), bool(last & 4), bool(last & 8))


def _check_seq(name: str, value) -> None:
    if not isinstance(value, int) or not 0 <= value < MODULUS:
        raise ValueError(f"{name} must be 0-127, not {value!r}")


def cr_bit(command: bool, sender: Side) -> int:
    """Q.921 3.3.2, Table 1: commands network->user and responses user->network carry 1."""
    return int(command == (sender is Side.NETWORK))


def encode(frame: Frame, sender: Side, n201: int = 260) -> bytes:
    """The octets of `frame` as sent by `sender`. Raises ValueError for a frame that
    Q.921 does not allow (we never put such a frame on the wire)."""
    if not 0 <= frame.sapi <= 63:
        raise ValueError(f"SAPI must be 0-63, not {frame.sapi}")
    if not 0 <= frame.tei <= 127:
        raise ValueError(f"TEI must be 0-127, not {frame.tei}")
    if frame.type in _COMMAND_ONLY and not frame.command:
        raise ValueError(f"{frame.type.value} is a command only (Q.921 Table 5)")
    if frame.type in _RESPONSE_ONLY and frame.command:
        raise ValueError(f"{frame.type.value} is a response only (Q.921 Table 5)")
    if frame.info and frame.type not in _WITH_INFO:
        raise ValueError(f"{frame.type.value} carries no information field")
    if frame.type in (FrameType.I, FrameType.UI) and len(frame.info) > n201:
        raise ValueError(f"information field of {len(frame.info)} octets exceeds N201 = {n201}")
    address = bytes([(frame.sapi << 2) | (cr_bit(frame.command, sender) << 1), (frame.tei << 1) | 1])
    pf = int(bool(frame.poll_final))
    if frame.type is FrameType.I:
        _check_seq("N(S)", frame.ns)
        _check_seq("N(R)", frame.nr)
        control = bytes([frame.ns << 1, (frame.nr << 1) | pf])
    elif frame.type in SUPERVISORY:
        _check_seq("N(R)", frame.nr)
        control = bytes([_S_OCTET[frame.type], (frame.nr << 1) | pf])
    else:
        control = bytes([_U_OCTET[frame.type] | (_PF_U if pf else 0)])
    return address + control + bytes(frame.info)


def decode_address(data: bytes, sender: Side) -> tuple[int, int, bool]:
    """(SAPI, TEI, command) of a frame from `sender`; FrameError if the address is invalid."""
    if len(data) < 3:
        raise FrameError(f"frame of {len(data)} octets is shorter than address and control (Q.921 2.9)")
    if data[0] & 1:
        raise FrameError("address octet 1 has EA = 1; the address field is 2 octets (Q.921 3.3.1)")
    if not data[1] & 1:
        raise FrameError("address octet 2 has EA = 0; the address field is 2 octets (Q.921 3.3.1)")
    sapi = data[0] >> 2
    tei = data[1] >> 1
    command = bool((data[0] >> 1) & 1) == (sender is Side.NETWORK)
    return sapi, tei, command


def decode(data: bytes, sender: Side, n201: int = 260) -> Frame:
    """The frame in `data`, received from `sender`. Raises FrameError naming what is
    wrong; its `mdl_code` is the Appendix II code when the frame is a frame rejection
    condition (Q.921 5.8.5), None for an invalid frame to discard (2.9)."""
    data = bytes(data)
    sapi, tei, command = decode_address(data, sender)
    c0 = data[2]
    if not c0 & 1:  # I format
        if len(data) < 4:
            raise FrameError("I frame without its second control octet", MDL_WRONG_SIZE)
        if not command:
            raise FrameError("I frame sent as a response (Q.921 Table 5)", MDL_UNDEFINED_FRAME)
        info = data[4:]
        if len(info) > n201:
            raise FrameError(f"I frame information field of {len(info)} octets exceeds N201 = {n201}",
                             MDL_N201_EXCEEDED)
        return Frame(FrameType.I, sapi, tei, command, bool(data[3] & 1), c0 >> 1, data[3] >> 1, info)
    if c0 & 3 == 1:  # S format
        kind = _S_BY_OCTET.get(c0)
        if kind is None:
            raise FrameError(f"undefined supervisory control octet 0x{c0:02X}", MDL_UNDEFINED_FRAME)
        if len(data) < 4:
            raise FrameError(f"{kind.value} frame without its second control octet", MDL_WRONG_SIZE)
        if len(data) > 4:
            raise FrameError(f"{kind.value} frame with {len(data) - 4} octets after the control field",
                             MDL_WRONG_SIZE)
        return Frame(kind, sapi, tei, command, bool(data[3] & 1), None, data[3] >> 1)
    kind = _U_BY_OCTET.get(c0 & ~_PF_U)  # U format
    if kind is None:
        raise FrameError(f"undefined or not implemented unnumbered control octet 0x{c0:02X}",
                         MDL_UNDEFINED_FRAME)
    if kind in _COMMAND_ONLY and not command:
        raise FrameError(f"{kind.value} sent as a response (Q.921 Table 5)", MDL_UNDEFINED_FRAME)
    if kind in _RESPONSE_ONLY and command:
        raise FrameError(f"{kind.value} sent as a command (Q.921 Table 5)", MDL_UNDEFINED_FRAME)
    info = data[3:]
    if info and kind not in _WITH_INFO:
        raise FrameError(f"{kind.value} frame with an information field of {len(info)} octets",
                         MDL_I_FIELD_NOT_PERMITTED)
    if kind is FrameType.UI and len(info) > n201:
        raise FrameError(f"UI frame information field of {len(info)} octets exceeds N201 = {n201}",
                         MDL_N201_EXCEEDED)
    if kind is FrameType.FRMR:
        FrmrInfo.decode(info)  # its length is fixed; raises FrameError otherwise
    return Frame(kind, sapi, tei, command, bool(c0 & _PF_U), None, None, info)
