"""The shared sans-I/O convention of every signalling layer (h11/h2 style).

A layer never does I/O and never reads a clock: every input carries `now` (trunk-clock
seconds) and every method returns an `Output` saying what to send down, what to tell the
layer above, and which timers to (re)start or stop. The owner calls `layer.expire(name,
now)` when a deadline it was given passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Output:
    transmit: list[bytes] = field(default_factory=list)  # frames to send to the layer below
    indications: list[Any] = field(default_factory=list)  # primitives for the layer above
    timers: dict[str, float | None] = field(default_factory=dict)  # name -> deadline, None = stop

    def extend(self, other: Output) -> Output:
        """Merge `other` into this output (later timer settings win)."""
        self.transmit.extend(other.transmit)
        self.indications.extend(other.indications)
        self.timers.update(other.timers)
        return self
