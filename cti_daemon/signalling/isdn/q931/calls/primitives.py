"""Primitives between Q.931 call control and the call model above it (Q.931 Annex A,
Figure A.1 / the SDL's CC primitives: SETUP-REQ/IND, PROCEEDING-IND, ALERTING-IND,
SETUP-CONF, SETUP-COMPLETE-IND, INFO-IND, PROGRESS-IND, MORE-INFO-IND, DISCONNECT-IND,
RELEASE-IND, RESTART-CONF/IND, STATUS-IND). Each indication names its call by `call`,
the integer the layer 3 entity gave it. Requests are methods on `Layer3`
(`setup_request`, `alerting_request`, ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class SetupIndication:
    """SETUP-IND: a call offered to us, with the number complete (Q.931 5.1.5, 5.2)."""

    primitive: ClassVar[str] = "SETUP-INDICATION"
    call: int
    called: str
    calling: str | None
    channel: int | None
    sending_complete: bool
    # Every IE of the SETUP (bearer capability, LLC/HLC, user-user, facility, ...) for
    # the call model; not part of equality so that tests can state the essentials.
    ies: tuple[Any, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class MoreInfoIndication:
    """MORE-INFO-IND: SETUP ACKNOWLEDGE received (overlap sending: send the digits)."""

    primitive: ClassVar[str] = "MORE-INFO-INDICATION"
    call: int
    channel: int | None


@dataclass(frozen=True)
class ProceedingIndication:
    primitive: ClassVar[str] = "PROCEEDING-INDICATION"
    call: int
    channel: int | None
    in_band: bool = False


@dataclass(frozen=True)
class AlertingIndication:
    primitive: ClassVar[str] = "ALERTING-INDICATION"
    call: int
    in_band: bool = False


@dataclass(frozen=True)
class ProgressIndication:
    primitive: ClassVar[str] = "PROGRESS-INDICATION"
    call: int
    in_band: bool
    descriptions: tuple[int, ...] = ()


@dataclass(frozen=True)
class InBandInformation:
    """In-band information available: tones or an announcement are on the B-channel
    (progress indicator 1, 2 or 8 in ALERTING, PROGRESS, CALL PROCEEDING or
    DISCONNECT); the dialer listens to classify it."""

    primitive: ClassVar[str] = "IN-BAND-INFORMATION-AVAILABLE"
    call: int
    channel: int | None
    description: int


@dataclass(frozen=True)
class ConnectIndication:
    """SETUP-CONF: the called party answered (CONNECT received)."""

    primitive: ClassVar[str] = "SETUP-CONFIRM"
    call: int


@dataclass(frozen=True)
class SetupCompleteIndication:
    """SETUP-COMPLETE-IND: CONNECT ACKNOWLEDGE received; the call is active."""

    primitive: ClassVar[str] = "SETUP-COMPLETE-INDICATION"
    call: int


@dataclass(frozen=True)
class InfoIndication:
    primitive: ClassVar[str] = "INFO-INDICATION"
    call: int
    digits: str
    sending_complete: bool = False


@dataclass(frozen=True)
class DisconnectIndication:
    """DISCONNECT-IND. `cause` is the Q.850 cause for the call model (18 where Q.931
    sends 102 on a timer expiry); `in_band` says an announcement is being played."""

    primitive: ClassVar[str] = "DISCONNECT-INDICATION"
    call: int
    cause: int
    in_band: bool = False


@dataclass(frozen=True)
class ReleaseIndication:
    """RELEASE-IND: the call is gone and its channel free; `cause` for the call model."""

    primitive: ClassVar[str] = "RELEASE-INDICATION"
    call: int
    cause: int


@dataclass(frozen=True)
class StatusIndication:
    """STATUS-IND: the peer reported an error or its state (Q.931 5.8.11)."""

    primitive: ClassVar[str] = "STATUS-INDICATION"
    call: int | None
    cause: int
    peer_state: int


@dataclass(frozen=True)
class ChannelRestarted:
    """RESTART-CONF (we restarted, the peer acknowledged) or RESTART-IND (the peer
    restarted): these channels are idle and in service."""

    primitive: ClassVar[str] = "RESTART-INDICATION"
    channels: tuple[int, ...]
    initiated_here: bool


@dataclass(frozen=True)
class RestartFailed:
    """No RESTART ACKNOWLEDGE after N316 attempts (Q.931 5.5.1): the channels stay out
    of service."""

    primitive: ClassVar[str] = "RESTART-FAILURE"
    channels: tuple[int, ...]


@dataclass(frozen=True)
class DataLinkChange:
    """The D-channel's data link came up or went down (for alarms and the call model)."""

    primitive: ClassVar[str] = "DATA-LINK"
    up: bool
