"""Is a called number complete? (issue 5, Q.931 5.1.3 / 5.2.4: sending complete, or a
configured number length per prefix, else overlap.)"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NumberCompleteness:
    """`lengths` maps a prefix to the full number length (longest prefix wins).
    A number no prefix matches is "unknown": taken as complete when
    `unknown_is_complete` (operators often send SETUP en bloc without sending complete),
    else collected by overlap receiving until T302 expires."""

    lengths: dict[str, int] = field(default_factory=dict)
    unknown_is_complete: bool = True
    overlap_receiving: bool = True

    def complete(self, digits: str) -> bool | None:
        """True / False by the configured length; None when no prefix matches."""
        best = None
        for prefix, length in self.lengths.items():
            if digits.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, length)
        if best is None:
            return None
        return len(digits) >= best[1]

    def complete_now(self, digits: str, sending_complete: bool) -> bool:
        if sending_complete:
            return True
        known = self.complete(digits)
        return self.unknown_is_complete if known is None else known

    def complete_at_t302(self, digits: str) -> bool:
        """Q.931 5.2.4: on T302 expiry proceed if the number is complete, else cause 28."""
        known = self.complete(digits)
        return bool(digits) if known is None else known
