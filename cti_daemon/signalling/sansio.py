"""The one convention every sans-I/O signalling layer follows (h11/h2 style).

A layer never touches sockets, threads or clocks. Each input (bytes from below, a
primitive from above, a timer expiry) carries `now`, trunk-clock seconds, and returns
an `Output`: frames to send down, primitives for the layer above, and timers to
(re)start at an absolute deadline or to stop (None). When a deadline passes the owner
calls `layer.expire(name, now)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Output:
    transmit: list[bytes] = field(default_factory=list)
    indications: list[Any] = field(default_factory=list)
    timers: dict[str, float | None] = field(default_factory=dict)

    def extend(self, other: Output) -> Output:
        """Append `other` after this one (later timer settings win)."""
        self.transmit.extend(other.transmit)
        self.indications.extend(other.indications)
        self.timers.update(other.timers)
        return self
