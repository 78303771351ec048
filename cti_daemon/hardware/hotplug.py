"""Card hotplug through pyudev (§7.4, sequence measured on a 6.1 kernel):

1. card registration: ``dahdi_devices add`` (before any span is assigned);
2. span assignment: ``dahdi_spans add`` then ``bind`` with SPAN_NUM, SPAN_NAME; then per
   channel ``dahdi_channels add``/``bind`` with MINOR = channel number;
3. unassign or removal: ``dahdi_channels unbind``/``remove`` per channel, ``dahdi_spans
   offline`` with SPAN_NUM=0 (no span ``remove`` was seen: offline means gone), and
   ``dahdi_devices remove`` when the card goes away.

:func:`classify_uevent` turns one uevent into a :class:`PlantEvent` (pure, tested with
dicts); :class:`HotplugMonitor` is the thin pyudev wrapper an asyncio loop reads through
``loop.add_reader(monitor.fileno(), ...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

SUBSYSTEMS = ("dahdi_devices", "dahdi_spans", "dahdi_channels")


class PlantChange(Enum):
    CARD_ADDED = "card-added"
    CARD_REMOVED = "card-removed"
    SPAN_ADDED = "span-added"
    SPAN_GONE = "span-gone"
    CHANNEL_ADDED = "channel-added"
    CHANNEL_REMOVED = "channel-removed"


@dataclass(frozen=True)
class PlantEvent:
    change: PlantChange
    # sysfs name: pci:0000:03:00.0, span-1, dahdi!chan!001!001
    name: str
    spanno: int | None = None
    channo: int | None = None
    hardware_id: str | None = None
    location: str | None = None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _spanno_from_name(name: str) -> int | None:
    return _int(name[5:]) if name.startswith("span-") else None


def _channo_from_name(name: str) -> tuple[int, int] | None:
    """``dahdi!chan!SSS!PPP`` -> (span, position)."""
    parts = name.split("!")
    if len(parts) == 4 and parts[:2] == ["dahdi", "chan"]:
        span, position = _int(parts[2]), _int(parts[3])
        if span is not None and position is not None:
            return span, position
    return None


def classify_uevent(action: str, subsystem: str, name: str, properties: Mapping[str, str]) -> PlantEvent | None:
    """The plant change one uevent means, or None (bind/unbind/change and others)."""
    if subsystem == "dahdi_devices":
        extra = {
            "hardware_id": properties.get("DAHDI_DEVICE_HWID"),
            "location": properties.get("DAHDI_DEVICE_LOCATION"),
        }
        if action == "add":
            return PlantEvent(PlantChange.CARD_ADDED, name, **extra)
        if action == "remove":
            return PlantEvent(PlantChange.CARD_REMOVED, name, **extra)
    elif subsystem == "dahdi_spans":
        # SPAN_NUM is 0 on offline (§7.4): take the number from the device name then.
        spanno = _int(properties.get("SPAN_NUM")) or _spanno_from_name(name)
        if action == "add":
            return PlantEvent(PlantChange.SPAN_ADDED, name, spanno=spanno)
        if action in ("offline", "remove"):
            return PlantEvent(PlantChange.SPAN_GONE, name, spanno=spanno)
    elif subsystem == "dahdi_channels":
        channo = _int(properties.get("MINOR"))
        position = _channo_from_name(name)
        spanno = position[0] if position else None
        if action == "add":
            return PlantEvent(PlantChange.CHANNEL_ADDED, name, spanno=spanno, channo=channo)
        if action == "remove":
            return PlantEvent(PlantChange.CHANNEL_REMOVED, name, spanno=spanno, channo=channo)
    return None


class HotplugMonitor:
    """Kernel uevents of the three DAHDI buses, non-blocking."""

    def __init__(self) -> None:
        import pyudev  # imported here: only a running daemon needs libudev

        self._monitor = pyudev.Monitor.from_netlink(pyudev.Context())
        for subsystem in SUBSYSTEMS:
            self._monitor.filter_by(subsystem=subsystem)
        self._monitor.start()

    def fileno(self) -> int:
        return self._monitor.fileno()

    def read_events(self) -> list[PlantEvent]:
        """Every uevent queued now, classified; never blocks."""
        events = []
        while (device := self._monitor.poll(timeout=0)) is not None:
            event = classify_uevent(device.action or "", device.subsystem or "", device.sys_name, device.properties)
            if event is not None:
                events.append(event)
        return events
