"""One call: its call reference, state, channel and running timers, and the Q.931
tables that say which messages a state expects and which peer states are compatible
with it. The procedures that move calls between states are in `layer3.py`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..message_types import MessageType as M
from .states import NetworkState, UserState

IN_BAND_HOLD = "INBAND"  # our limit on keeping the B-channel after DISCONNECT with PI 8
CLEARING_MESSAGES = frozenset({M.DISCONNECT, M.RELEASE, M.RELEASE_COMPLETE})

# Messages accepted in any state but Null; the clearing procedures (5.3, 5.3.5 clear
# collision) and 5.8.10/5.8.11 handle them everywhere.
ANY_STATE = frozenset({M.DISCONNECT, M.RELEASE, M.RELEASE_COMPLETE, M.STATUS, M.STATUS_ENQUIRY,
                       M.INFORMATION, M.NOTIFY, M.FACILITY})

# Q.931 Annex A SDL: further messages each state expects (others: 5.8.4, STATUS 98).
# Keyed by state number; received by the user side / by the network side.
USER_EXPECTS: dict[int, frozenset[M]] = {
    1: frozenset({M.SETUP_ACKNOWLEDGE, M.CALL_PROCEEDING, M.ALERTING, M.CONNECT, M.PROGRESS}),
    2: frozenset({M.CALL_PROCEEDING, M.ALERTING, M.CONNECT, M.PROGRESS}),
    3: frozenset({M.ALERTING, M.CONNECT, M.PROGRESS}),
    4: frozenset({M.CONNECT, M.PROGRESS}),
    6: frozenset(), 7: frozenset(), 9: frozenset(), 25: frozenset(),
    8: frozenset({M.CONNECT_ACKNOWLEDGE}),
    10: frozenset({M.PROGRESS, M.CONNECT_ACKNOWLEDGE}),
    11: frozenset(), 12: frozenset({M.PROGRESS}), 19: frozenset(),
}
NETWORK_EXPECTS: dict[int, frozenset[M]] = {
    1: frozenset(), 2: frozenset(), 3: frozenset(), 4: frozenset(),
    6: frozenset({M.SETUP_ACKNOWLEDGE, M.CALL_PROCEEDING, M.ALERTING, M.CONNECT}),
    25: frozenset({M.CALL_PROCEEDING, M.ALERTING, M.CONNECT, M.PROGRESS}),
    9: frozenset({M.ALERTING, M.CONNECT, M.PROGRESS}),
    7: frozenset({M.CONNECT, M.PROGRESS}),
    8: frozenset(),
    10: frozenset({M.CONNECT_ACKNOWLEDGE}),
    11: frozenset(), 12: frozenset(), 19: frozenset(), 22: frozenset(),
}

# Q.931 5.8.11: "call states not compatible". Calls set up by the user side pass
# through 1-2-3-4-10 on both sides, calls set up by the network side through
# 6-25-9-7-8-10; with messages in flight the peer may be a step ahead or behind, so
# any state of the same family is compatible. The clearing states are compatible with
# everything (the clearing procedure resolves them).
OUTGOING_FAMILY = frozenset({1, 2, 3, 4, 10})
INCOMING_FAMILY = frozenset({6, 7, 8, 9, 10, 25})
CLEARING_STATES = frozenset({11, 12, 19, 22})


def compatible(own_state: int, peer_state: int, user_originated: bool) -> bool:
    if own_state in CLEARING_STATES or peer_state in CLEARING_STATES:
        return True
    family = OUTGOING_FAMILY if user_originated else INCOMING_FAMILY
    return own_state in family and peer_state in family


@dataclass(eq=False)
class Call:
    call_id: int
    value: int  # call reference value (Q.931 4.3)
    originated_here: bool  # we allocated the call reference (flag 0 when we send it)
    state: UserState | NetworkState
    channel: int | None = None
    channel_confirmed: bool = False  # the channel went into the first answer to SETUP
    called: str = ""
    calling: str | None = None
    sending_complete: bool = False
    offered: bool = False  # SETUP-IND given to the call model
    cause: int = 16  # cause of our DISCONNECT/RELEASE (for T305/T308 retransmission)
    model_cause: int | None = None  # cause for the call model if not the peer's
    in_band: bool = False
    t303_expiries: int = 0
    t308_expiries: int = 0
    t322_expiries: int = 0
    setup_octets: bytes = b""  # SETUP as sent, for the T303 retransmission
    setup_ies: tuple = ()  # the IEs of the SETUP received, for SETUP-IND
    timers: set[str] = field(default_factory=set)  # Q.931 timers running (names, no suffix)

    @property
    def user_originated(self) -> bool:
        """Whether the user side sent the SETUP (the call families of 5.8.11)."""
        return self.originated_here == isinstance(self.state, UserState)

    @property
    def number(self) -> int:
        return int(self.state)
