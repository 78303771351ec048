"""Q.931 layer 3 timers, a table per side (Q.931 9.1 Table 9-1 network side, 9.2
Table 9-2 user side; ETSI EN 300 403-1 clause 9 keeps the same defaults). Every value is
overridable per span: `Timers.network(T303=5.0)`.

Values in seconds. T301 has only a minimum in Q.931 ("minimum 3 min"): we use that."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Timers:
    T301: float = 180.0  # Table 9-1/9-2: ALERTING received; minimum 3 min
    T302: float = 15.0  # Table 9-1/9-2: overlap, restarted on each INFORMATION; 10-15 s
    T303: float = 4.0  # Table 9-1/9-2: SETUP sent, no answer; 4 s, sent twice
    T304: float = 30.0  # Table 9-1: overlap sending (network, 20 s) / Table 9-2 (user, 30 s)
    T305: float = 30.0  # Table 9-1/9-2: DISCONNECT sent without PI 8
    T306: float = 30.0  # Table 9-1: DISCONNECT with PI 8 sent (network only)
    T307: float = 180.0  # Table 9-1: SUSPEND ACKNOWLEDGE sent (network only)
    T308: float = 4.0  # Table 9-1/9-2: RELEASE sent; 4 s, sent twice
    T309: float = 90.0  # Table 9-1/9-2: data link disconnected, calls kept; 6-90 s (90 s here)
    T310: float = 10.0  # Table 9-1 (network 10 s) / Table 9-2 (user 30-120 s): CALL PROCEEDING received
    T312: float = 6.0  # Table 9-1: SETUP by broadcast; T303 + 2 s (network only)
    T313: float = 4.0  # Table 9-2: CONNECT sent (user only)
    T314: float = 4.0  # Table 9-1/9-2 (Annex H): segment received
    T316: float = 120.0  # Table 9-1/9-2: RESTART sent; 2 min
    T317: float = 60.0  # Table 9-1/9-2: RESTART received, internal clearing; implementation < T316
    T318: float = 4.0  # Table 9-2: RESUME sent (user only)
    T319: float = 4.0  # Table 9-2: SUSPEND sent (user only)
    T322: float = 4.0  # Table 9-1/9-2: STATUS ENQUIRY sent
    N316: int = 2  # Q.931 5.5.1: RESTART sent at most N316 times (network dependent; 2 in EN 300 403-1)
    # Not a Q.931 timer: how long the user side keeps a B-channel after DISCONNECT with
    # progress indicator 8 if the application does not release first (announcements).
    in_band_hold: float = 30.0

    @classmethod
    def network(cls, **overrides: float) -> Timers:
        # Q.931 Table 9-1: T304 20 s and T310 10 s on the network side.
        if "T303" in overrides and "T312" not in overrides:
            overrides["T312"] = overrides["T303"] + 2.0  # Table 9-1: T312 = T303 + 2 s
        return dataclasses.replace(cls(T304=20.0, T310=10.0), **overrides)

    @classmethod
    def user(cls, **overrides: float) -> Timers:
        # Q.931 Table 9-2: T310 30-120 s on the user side (30 s here), T304 30 s.
        return dataclasses.replace(cls(T304=30.0, T310=30.0), **overrides)

    def __post_init__(self):
        for f in dataclasses.fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"{f.name} must be positive, not {getattr(self, f.name)}")
