"""Primitives the Q.921 entities pass up (Q.921 clause 4, Table 3).

Each class carries the ITU name in `primitive`. Requests from layer 3 and from the
management entity are methods on the entities (`DataLink.establish_request`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class DlEstablishIndication:
    primitive: ClassVar[str] = "DL-ESTABLISH-INDICATION"
    tei: int = 0


@dataclass(frozen=True)
class DlEstablishConfirm:
    primitive: ClassVar[str] = "DL-ESTABLISH-CONFIRM"
    tei: int = 0


@dataclass(frozen=True)
class DlReleaseIndication:
    primitive: ClassVar[str] = "DL-RELEASE-INDICATION"
    tei: int = 0


@dataclass(frozen=True)
class DlReleaseConfirm:
    primitive: ClassVar[str] = "DL-RELEASE-CONFIRM"
    tei: int = 0


@dataclass(frozen=True)
class DlDataIndication:
    primitive: ClassVar[str] = "DL-DATA-INDICATION"
    data: bytes
    tei: int = 0


@dataclass(frozen=True)
class DlUnitDataIndication:
    primitive: ClassVar[str] = "DL-UNIT-DATA-INDICATION"
    data: bytes
    tei: int = 0


@dataclass(frozen=True)
class MdlErrorIndication:
    """Q.921 Appendix II, Table II-1: `code` is one of A-O; `reason` is its meaning."""

    primitive: ClassVar[str] = "MDL-ERROR-INDICATION"
    code: str
    reason: str
    tei: int = 0


@dataclass(frozen=True)
class MdlAssignIndication:
    """The data link entity needs a TEI (Q.921 5.3.2): the management entity starts
    the TEI assignment procedure."""

    primitive: ClassVar[str] = "MDL-ASSIGN-INDICATION"
    sapi: int = 0


# Q.921 Appendix II, Table II-1: MDL-ERROR-INDICATION codes.
MDL_ERRORS = {
    "A": "supervisory (F=1) response received unsolicited",
    "B": "DM (F=1) response received unsolicited",
    "C": "UA (F=1) response received unsolicited",
    "D": "UA (F=0) response received unsolicited",
    "E": "DM (F=0) response received: peer initiated re-establishment",
    "F": "SABME received: peer initiated re-establishment",
    "G": "SABME retransmitted N200 times without answer",
    "H": "DISC retransmitted N200 times without answer",
    "I": "status enquiry retransmitted N200 times without answer",
    "J": "N(R) error",
    "K": "FRMR response received",
    "L": "undefined or not implemented frame received",
    "M": "information field not permitted",
    "N": "frame of wrong size",
    "O": "information field longer than N201",
}
