"""Keeps a :class:`Plant` current as hotplug events arrive (§7.4).

A removed card takes its spans and channels with it and disturbs nothing else; the
returned :class:`PlantDelta` tells the daemon which spans and channels to close. A sysfs
entry that vanished between the uevent and the read (a card pulled during assignment)
counts as gone, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cti_daemon.hardware.discovery import (
    CHANNELS_BUS,
    DEVICES_BUS,
    SPANS_BUS,
    SYSFS_ROOT,
    Plant,
    discover,
    read_card,
    read_channel,
    read_span,
)
from cti_daemon.hardware.hotplug import PlantChange, PlantEvent


@dataclass
class PlantDelta:
    cards_added: list[str] = field(default_factory=list)
    cards_removed: list[str] = field(default_factory=list)
    spans_added: list[int] = field(default_factory=list)
    spans_removed: list[int] = field(default_factory=list)
    channels_added: list[int] = field(default_factory=list)
    channels_removed: list[int] = field(default_factory=list)


class PlantWatch:
    def __init__(self, sysfs_root: Path = SYSFS_ROOT):
        self.sysfs_root = sysfs_root
        self.plant: Plant = discover(sysfs_root)

    def _drop_span(self, spanno: int, delta: PlantDelta) -> None:
        if self.plant.spans.pop(spanno, None) is not None:
            delta.spans_removed.append(spanno)
        for channo in sorted(c for c, info in self.plant.channels.items() if info.spanno == spanno):
            del self.plant.channels[channo]
            delta.channels_removed.append(channo)

    def apply(self, event: PlantEvent) -> PlantDelta:
        delta = PlantDelta()
        root = self.sysfs_root
        if event.change is PlantChange.CARD_ADDED:
            card_dir = root / DEVICES_BUS / event.name
            if card_dir.exists():
                self.plant.cards[event.name] = read_card(card_dir, root)
                delta.cards_added.append(event.name)
        elif event.change is PlantChange.CARD_REMOVED:
            if self.plant.cards.pop(event.name, None) is not None:
                delta.cards_removed.append(event.name)
            for spanno in sorted(s for s, span in self.plant.spans.items() if span.device_name == event.name):
                self._drop_span(spanno, delta)
        elif event.change is PlantChange.SPAN_ADDED and event.spanno is not None:
            span_dir = root / SPANS_BUS / f"span-{event.spanno}"
            if span_dir.exists():
                self.plant.spans[event.spanno] = read_span(span_dir)
                delta.spans_added.append(event.spanno)
        elif event.change is PlantChange.SPAN_GONE and event.spanno is not None:
            self._drop_span(event.spanno, delta)
        elif event.change is PlantChange.CHANNEL_ADDED:
            channel_dir = root / CHANNELS_BUS / event.name
            if channel_dir.exists():
                channel = read_channel(channel_dir)
                self.plant.channels[channel.channo] = channel
                delta.channels_added.append(channel.channo)
        elif event.change is PlantChange.CHANNEL_REMOVED and event.channo is not None:
            if self.plant.channels.pop(event.channo, None) is not None:
                delta.channels_removed.append(event.channo)
        return delta
