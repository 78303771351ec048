"""Call states of Q.931 clause 2.1 (user side U0-U25, network side N0-N25) and the
global call reference states Rest 0-2 (Q.931 2.4). The value of each member is the
number coded in the call state IE (Q.931 4.5.7), so `CallState(state.value)` reports it."""

from __future__ import annotations

import enum


class UserState(enum.IntEnum):
    """Q.931 2.1.1, states at the user side of the interface."""

    U0 = 0  # Null
    U1 = 1  # Call initiated
    U2 = 2  # Overlap sending
    U3 = 3  # Outgoing call proceeding
    U4 = 4  # Call delivered
    U6 = 6  # Call present
    U7 = 7  # Call received
    U8 = 8  # Connect request
    U9 = 9  # Incoming call proceeding
    U10 = 10  # Active
    U11 = 11  # Disconnect request
    U12 = 12  # Disconnect indication
    U15 = 15  # Suspend request
    U17 = 17  # Resume request
    U19 = 19  # Release request
    U25 = 25  # Overlap receiving


class NetworkState(enum.IntEnum):
    """Q.931 2.1.2, states at the network side of the interface."""

    N0 = 0  # Null
    N1 = 1  # Call initiated
    N2 = 2  # Overlap sending
    N3 = 3  # Outgoing call proceeding
    N4 = 4  # Call delivered
    N6 = 6  # Call present
    N7 = 7  # Call received
    N8 = 8  # Connect request
    N9 = 9  # Incoming call proceeding
    N10 = 10  # Active
    N11 = 11  # Disconnect request
    N12 = 12  # Disconnect indication
    N15 = 15  # Suspend request
    N17 = 17  # Resume request
    N19 = 19  # Release request
    N22 = 22  # Call abort (point-to-multipoint)
    N25 = 25  # Overlap receiving


class GlobalState(enum.IntEnum):
    """Q.931 2.4: states of the global call reference (values of 4.5.7)."""

    REST0 = 0  # Null
    REST1 = 61  # Restart request: RESTART sent, waiting for RESTART ACKNOWLEDGE
    REST2 = 62  # Restart: RESTART received, channels being returned to idle


# Numbers shared by both sides; a call keeps one of the enums above, these name the
# moments the procedures care about without caring which side it is.
NULL = 0
ACTIVE = 10
CLEARING = frozenset({11, 12, 19})
