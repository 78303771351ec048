"""Q.921 system parameters (clause 5.9), overridable per link.

Values checked against Q.921 (09/97) 5.9 and libpri's `pri_default_timers`
(docs/research/signalling.md 1.3), which agrees on every figure.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameters:
    # Q.921 5.9.1: T200 default 1 s (time the peer has to acknowledge a frame).
    T200: float = 1.0
    # Q.921 5.9.2: N200 default 3 (retransmissions of a frame on T200 expiry).
    N200: int = 3
    # Q.921 5.9.3: N201 default 260 octets (information field of I, UI frames).
    N201: int = 260
    # Q.921 5.9.4: N202 default 3 (transmissions of TEI Identity request).
    N202: int = 3
    # Q.921 5.9.5: k is 1 for SAPI 0 on basic access, 7 for SAPI 0 on primary rate.
    k: int = 7
    # Q.921 5.9.6: T201 (time between TEI Identity check requests) = T200.
    T201: float = 1.0
    # Q.921 5.9.7: T202 default 2 s (minimum time between TEI Identity requests).
    T202: float = 2.0
    # Q.921 5.9.8: T203 default 10 s (maximum time without frames exchanged).
    T203: float = 10.0
    # Q.921 5.6.7: on T200 expiry poll with RR/RNR P=1 (True) or by resending the last
    # I frame with P=1 (False, the default; an enquiry is still sent when nothing is
    # outstanding or the peer is busy).
    t200_poll_with_enquiry: bool = False

    def __post_init__(self) -> None:
        for name in ("T200", "T201", "T202", "T203"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value < math.inf:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        for name, low, high in (("N200", 1, 255), ("N201", 1, 65535), ("N202", 1, 255),
                                ("k", 1, 127)):  # k < 128: modulo-128 window (Q.921 3.5.2)
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer {low}-{high}, not {value!r}")

    @classmethod
    def primary_rate(cls, **overrides) -> Parameters:
        """SAPI 0 on a primary rate access (E1 PRI): k = 7 (Q.921 5.9.5)."""
        return cls(**overrides)

    @classmethod
    def basic_rate(cls, **overrides) -> Parameters:
        """SAPI 0 on a basic rate access (BRI): k = 1 (Q.921 5.9.5)."""
        return cls(**{"k": 1, **overrides})

    def replace(self, **overrides) -> Parameters:
        return dataclasses.replace(self, **overrides)
