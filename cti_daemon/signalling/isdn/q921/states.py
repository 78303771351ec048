"""The states of a point-to-point data link entity (Q.921 Annex B, B.2: states 1-8)."""

from __future__ import annotations

import enum


class State(enum.Enum):
    TEI_UNASSIGNED = 1
    ASSIGN_AWAITING_TEI = 2
    ESTABLISH_AWAITING_TEI = 3
    TEI_ASSIGNED = 4
    AWAITING_ESTABLISHMENT = 5
    AWAITING_RELEASE = 6
    MULTIPLE_FRAME_ESTABLISHED = 7
    TIMER_RECOVERY = 8

    @property
    def itu_name(self) -> str:
        """The name as Q.921 spells it, e.g. "Multiple-frame-established"."""
        return _ITU_NAMES[self]

    def __str__(self) -> str:
        return self.itu_name


_ITU_NAMES = {
    State.TEI_UNASSIGNED: "TEI-unassigned",
    State.ASSIGN_AWAITING_TEI: "Assign-awaiting-TEI",
    State.ESTABLISH_AWAITING_TEI: "Establish-awaiting-TEI",
    State.TEI_ASSIGNED: "TEI-assigned",
    State.AWAITING_ESTABLISHMENT: "Awaiting-establishment",
    State.AWAITING_RELEASE: "Awaiting-release",
    State.MULTIPLE_FRAME_ESTABLISHED: "Multiple-frame-established",
    State.TIMER_RECOVERY: "Timer-recovery",
}

# States in which the entity has a TEI (Q.921 Annex B: 4-8).
TEI_HOLDING = frozenset(s for s in State if s.value >= 4)
# States in which I frames flow (multiple frame operation, Q.921 5.5-5.7).
MULTIPLE_FRAME = frozenset({State.MULTIPLE_FRAME_ESTABLISHED, State.TIMER_RECOVERY})
