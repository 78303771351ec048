"""B-channels of one interface: which are free, hunting, and Q.931 5.1.2 / 5.2.3 channel
selection (the answer to a channel identification in SETUP).

E1 PRI: timeslots 1-15 and 17-31 (Q.931 4.5.13: channel number = timeslot; 16 is the
D-channel). BRI: B1 and B2. Hunting defaults (issue 5, as libpri and most switches):
ascending on the network side, descending on the user side, so that when both sides
pick a free channel at the same moment they rarely collide (glare)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..ies import BriChannel, ChannelIdentification, InterfaceType, PriSelection
from ..ies.cause import CauseValue
from ..ies.channel import E1_B_CHANNELS

BRI_B_CHANNELS = (1, 2)


class Hunting(enum.Enum):
    ASCENDING = "ascending"
    DESCENDING = "descending"


class ChannelUse(enum.Enum):
    IDLE = "idle"
    RESERVED = "reserved"  # in use by a call
    MAINTENANCE = "maintenance"  # state unknown: out of service until a RESTART (Q.931 5.3.4.3, 5.5)


@dataclass
class ChannelSelection:
    """The outcome of selecting a channel: a channel, or the cause to clear with."""

    channel: int | None
    cause: CauseValue | None = None


@dataclass
class ChannelPool:
    primary_rate: bool = True
    hunting: Hunting = Hunting.ASCENDING
    channels: tuple[int, ...] = E1_B_CHANNELS
    use: dict[int, ChannelUse] = field(default_factory=dict)
    owner: dict[int, object] = field(default_factory=dict)  # channel -> call key

    @classmethod
    def e1(cls, hunting: Hunting = Hunting.ASCENDING, in_service: bool = True) -> ChannelPool:
        return cls._make(True, hunting, E1_B_CHANNELS, in_service)

    @classmethod
    def bri(cls, hunting: Hunting = Hunting.ASCENDING, in_service: bool = True) -> ChannelPool:
        return cls._make(False, hunting, BRI_B_CHANNELS, in_service)

    @classmethod
    def _make(cls, pri, hunting, channels, in_service) -> ChannelPool:
        state = ChannelUse.IDLE if in_service else ChannelUse.MAINTENANCE
        return cls(pri, hunting, tuple(channels), {c: state for c in channels})

    # ---------------------------------------------------------------- queries
    def is_idle(self, channel: int) -> bool:
        return self.use.get(channel) is ChannelUse.IDLE

    def idle(self) -> list[int]:
        order = self.channels if self.hunting is Hunting.ASCENDING else tuple(reversed(self.channels))
        return [c for c in order if self.use[c] is ChannelUse.IDLE]

    def reserved(self) -> list[int]:
        return [c for c in self.channels if self.use[c] is ChannelUse.RESERVED]

    def in_maintenance(self) -> list[int]:
        return [c for c in self.channels if self.use[c] is ChannelUse.MAINTENANCE]

    # ---------------------------------------------------------------- changes
    def reserve(self, channel: int, owner: object) -> None:
        if not self.is_idle(channel):
            raise ValueError(f"channel {channel} is {self.use.get(channel)}, not idle")
        self.use[channel] = ChannelUse.RESERVED
        self.owner[channel] = owner

    def release(self, channel: int | None, owner: object) -> None:
        """Back to idle, if `owner` still holds it (a RESTART may have taken it away)."""
        if channel is not None and self.owner.get(channel) == owner:
            del self.owner[channel]
            self.use[channel] = ChannelUse.IDLE

    def to_maintenance(self, channel: int) -> None:
        self.owner.pop(channel, None)
        self.use[channel] = ChannelUse.MAINTENANCE

    def restarted(self, channels) -> None:
        """RESTART / RESTART ACKNOWLEDGE: the channels are idle and in service."""
        for c in channels:
            if c in self.use:
                self.owner.pop(c, None)
                self.use[c] = ChannelUse.IDLE

    # ------------------------------------------------------------ selection
    def hunt(self) -> int | None:
        free = self.idle()
        return free[0] if free else None

    def select(self, requested: ChannelIdentification | None) -> ChannelSelection:
        """Q.931 5.1.2 (network receiving SETUP) and 5.2.3.1 (user receiving SETUP):
        an exclusive channel is taken if idle, else cause 44; a preferred one if idle,
        else any idle one; "any" (or no IE) -> hunting; nothing idle -> cause 34.
        A channel that does not exist on this interface -> cause 82."""
        wanted = self.requested_channels(requested)
        if wanted is None:
            return ChannelSelection(None, CauseValue.IDENTIFIED_CHANNEL_DOES_NOT_EXIST)
        exclusive = requested is not None and requested.exclusive
        for c in wanted:
            if self.is_idle(c):
                return ChannelSelection(c)
        if wanted and exclusive:
            return ChannelSelection(None, CauseValue.REQUESTED_CIRCUIT_CHANNEL_NOT_AVAILABLE)
        any_channel = self.hunt()
        if any_channel is None:
            return ChannelSelection(None, CauseValue.NO_CIRCUIT_CHANNEL_AVAILABLE)
        return ChannelSelection(any_channel)

    def requested_channels(self, ie: ChannelIdentification | None) -> list[int] | None:
        """The channels an IE names ([] = any); None if it names one we do not have."""
        if ie is None:
            return []
        if ie.interface_type is InterfaceType.BASIC:
            if self.primary_rate:
                return None
            return [] if ie.selection in (BriChannel.ANY, BriChannel.NO_CHANNEL) else [int(ie.selection)]
        if not self.primary_rate:
            return None
        if ie.selection is not PriSelection.AS_INDICATED:
            return []
        if any(c not in self.use for c in ie.channels):
            return None
        return list(ie.channels)

    def identification(self, channel: int, exclusive: bool = True) -> ChannelIdentification:
        """The channel identification IE naming one channel (Q.931 4.5.13)."""
        if self.primary_rate:
            return ChannelIdentification.e1(channel, exclusive=exclusive)
        return ChannelIdentification.bri(BriChannel(channel), exclusive=exclusive)
