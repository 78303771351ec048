"""Mandatory IEs per message and direction (Q.931 clause 3 message tables, Q.932 7.1,
ETSI EN 300 403-1 clause 3), and which IEs may be repeated.

Only unconditional "M" entries are here. IEs that are mandatory only in some situations
(e.g. channel identification in the first answer to SETUP; cause in the first clearing
message) depend on call state: call control checks them.
"""

from __future__ import annotations

import enum

from .ies.identifiers import IEIdentifier as I
from .message_types import MessageType as M


class Direction(enum.Enum):
    """Who sent the message."""

    USER_TO_NETWORK = "u->n"
    NETWORK_TO_USER = "n->u"


_BOTH = None

# message type -> list of (identifier, direction or None for both).
MANDATORY: dict[M, tuple[tuple[I, Direction | None], ...]] = {
    M.ALERTING: (),  # Q.931 3.1
    M.CALL_PROCEEDING: (),  # Q.931 3.1 (channel identification conditional)
    M.CONNECT: (),  # Q.931 3.1
    M.CONNECT_ACKNOWLEDGE: (),  # Q.931 3.1
    M.DISCONNECT: ((I.CAUSE, _BOTH),),  # Q.931 3.1
    M.INFORMATION: (),  # Q.931 3.1
    M.NOTIFY: ((I.NOTIFICATION_INDICATOR, _BOTH),),  # Q.931 3.1
    M.PROGRESS: ((I.PROGRESS_INDICATOR, _BOTH),),  # Q.931 3.1
    M.RELEASE: (),  # Q.931 3.1 (cause mandatory in the first clearing message)
    M.RELEASE_COMPLETE: (),  # Q.931 3.1 (idem)
    M.RESUME: (),  # Q.931 3.1
    M.RESUME_ACKNOWLEDGE: ((I.CHANNEL_IDENTIFICATION, Direction.NETWORK_TO_USER),),  # Q.931 3.1
    M.RESUME_REJECT: ((I.CAUSE, Direction.NETWORK_TO_USER),),  # Q.931 3.1
    # Q.931 3.1.14 Table 3-15 SETUP: bearer capability M both; channel identification note 4: n->u.
    M.SETUP: ((I.BEARER_CAPABILITY, _BOTH), (I.CHANNEL_IDENTIFICATION, Direction.NETWORK_TO_USER)),
    M.SETUP_ACKNOWLEDGE: (),  # Q.931 3.1.15 Table 3-16 (channel identification: note 1, conditional)
    M.STATUS: ((I.CAUSE, _BOTH), (I.CALL_STATE, _BOTH)),  # Q.931 3.1
    M.STATUS_ENQUIRY: (),  # Q.931 3.1
    M.SUSPEND: (),  # Q.931 3.1
    M.SUSPEND_ACKNOWLEDGE: (),  # Q.931 3.1
    M.SUSPEND_REJECT: ((I.CAUSE, Direction.NETWORK_TO_USER),),  # Q.931 3.1
    M.USER_INFORMATION: ((I.USER_USER, _BOTH),),  # Q.931 3.1
    M.CONGESTION_CONTROL: ((I.CONGESTION_LEVEL, _BOTH),),  # Q.931 3.1 (a single octet IE)
    M.RESTART: ((I.RESTART_INDICATOR, _BOTH),),  # Q.931 3.1 (global call reference)
    M.RESTART_ACKNOWLEDGE: ((I.RESTART_INDICATOR, _BOTH),),  # Q.931 3.1
    M.SEGMENT: ((I.SEGMENTED_MESSAGE, _BOTH),),  # Annex H
    M.FACILITY: ((I.FACILITY, _BOTH),),  # Q.932 7.1
    M.REGISTER: (),  # Q.932 7.1
    M.HOLD: (),  # Q.932 7.1
    M.HOLD_ACKNOWLEDGE: (),  # Q.932 7.1
    M.HOLD_REJECT: ((I.CAUSE, _BOTH),),  # Q.932 7.1
    M.RETRIEVE: (),  # Q.932 7.1 (channel identification optional)
    M.RETRIEVE_ACKNOWLEDGE: (),  # Q.932 7.1 (channel identification when the channel changes)
    M.RETRIEVE_REJECT: ((I.CAUSE, _BOTH),),  # Q.932 7.1
}

# Q.931 4.1: "unless specified otherwise, a particular IE may be present only once".
# Specified otherwise: bearer capability, LLC and HLC with the repeat indicator (Annex L,
# Table 3-15 notes 2, 3, 16), progress indicator (interworking plus in-band), facility
# (Q.932 4.6.2: several may be sent), the repeat indicator itself (twice in SETUP).
REPEATABLE = frozenset({I.BEARER_CAPABILITY, I.LOW_LAYER_COMPATIBILITY, I.HIGH_LAYER_COMPATIBILITY,
                        I.PROGRESS_INDICATOR, I.FACILITY, I.REPEAT_INDICATOR})


def mandatory_ies(message_type: M, direction: Direction | None) -> list[I]:
    """Mandatory codeset 0 IEs of a message sent in `direction` (None: those mandatory
    in both directions only)."""
    return [ie for ie, d in MANDATORY.get(message_type, ()) if d is None or d is direction]
