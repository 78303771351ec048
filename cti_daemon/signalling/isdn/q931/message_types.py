"""Q.931 message types (Q.931 Table 4-2; FACILITY, HOLD and RETRIEVE families from Q.932
Table 7-1 / ETSI EN 300 196)."""

from __future__ import annotations

import enum


class MessageType(enum.IntEnum):
    # Call establishment
    ALERTING = 0x01
    CALL_PROCEEDING = 0x02
    PROGRESS = 0x03
    SETUP = 0x05
    CONNECT = 0x07
    SETUP_ACKNOWLEDGE = 0x0D
    CONNECT_ACKNOWLEDGE = 0x0F
    # Call information phase
    USER_INFORMATION = 0x20
    SUSPEND_REJECT = 0x21
    RESUME_REJECT = 0x22
    HOLD = 0x24
    SUSPEND = 0x25
    RESUME = 0x26
    HOLD_ACKNOWLEDGE = 0x28
    SUSPEND_ACKNOWLEDGE = 0x2D
    RESUME_ACKNOWLEDGE = 0x2E
    HOLD_REJECT = 0x30
    RETRIEVE = 0x31
    RETRIEVE_ACKNOWLEDGE = 0x33
    RETRIEVE_REJECT = 0x37
    # Call clearing
    DISCONNECT = 0x45
    RESTART = 0x46
    RELEASE = 0x4D
    RESTART_ACKNOWLEDGE = 0x4E
    RELEASE_COMPLETE = 0x5A
    # Miscellaneous
    SEGMENT = 0x60
    FACILITY = 0x62
    REGISTER = 0x64
    NOTIFY = 0x6E
    STATUS_ENQUIRY = 0x75
    CONGESTION_CONTROL = 0x79
    INFORMATION = 0x7B
    STATUS = 0x7D

    @property
    def title(self) -> str:
        """As the recommendation writes it, e.g. "CALL PROCEEDING"."""
        return self.name.replace("_", " ")
