"""Card, span and channel discovery from sysfs (§7.1, every attribute measured in the VM).

- ``/sys/bus/dahdi_devices/devices/<name>``: one per card (``pci:0000:03:00.0``), present
  even before its spans are assigned. Debian's 2.11.1 modules on kernels >= 4.13 name two
  attributes ``dahdi_spantype`` and ``dahdi_registration_time``; upstream names them
  ``spantype`` and ``registration_time``. Both spellings are read.
- ``/sys/bus/dahdi_spans/devices/span-N``: one per assigned span.
- ``/sys/bus/dahdi_channels/devices/dahdi!chan!SSS!PPP``: one per channel of an assigned span.

Every reader takes the sysfs root so that tests run against a tree they write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cti_daemon.hardware.card_catalogue import CardModel, lookup_card
from cti_daemon.hardware.errors import ConfigError

SYSFS_ROOT = Path("/sys")
DEVICES_BUS = "bus/dahdi_devices/devices"
SPANS_BUS = "bus/dahdi_spans/devices"
CHANNELS_BUS = "bus/dahdi_channels/devices"

# Both spellings of the renamed device attributes, Debian's first (as dahdi_span_types).
SPANTYPE_ATTRIBUTES = ("dahdi_spantype", "spantype")
REGISTRATION_TIME_ATTRIBUTES = ("dahdi_registration_time", "registration_time")

# Channels per span by span type, to check assignments for overlap (E1 TS1-31, T1 24,
# BRI 2B+D).
CHANNELS_PER_SPANTYPE = {"E1": 31, "T1": 24, "J1": 24, "BRI_NT": 3, "BRI_TE": 3, "BRI_SOFT": 3}


@dataclass(frozen=True)
class PciId:
    vendor: int
    device: int
    subvendor: int | None = None
    subdevice: int | None = None

    def __str__(self) -> str:
        text = f"{self.vendor:04x}:{self.device:04x}"
        return text if self.subvendor is None else f"{text}/{self.subvendor:04x}"


@dataclass
class CardInfo:
    """A DAHDI device: one card (or one dynamic span group)."""

    name: str
    sysfs_path: Path
    manufacturer: str
    type: str
    span_count: int
    hardware_id: str
    location: str
    # local span number -> 'E1' | 'T1' | 'J1' | 'BRI_TE' | ...
    spantypes: dict[int, str]
    registration_time: str | None
    pci_id: PciId | None
    model: CardModel | None
    # The sysfs path below /sys/devices, the third id form assigned-spans.conf accepts.
    devpath: str


@dataclass
class SpanInfo:
    spanno: int
    name: str
    description: str
    spantype: str
    local_spanno: int
    alarms: int
    basechan: int
    channel_count: int
    lineconfig: str
    linecompat: list[str]
    is_sync_master: bool
    device_name: str | None


@dataclass
class ChannelInfo:
    channo: int
    name: str
    chanpos: int
    sig: str
    alarms: list[str]
    echo_canceller: str
    echo_canceller_active: bool
    in_use: bool
    spanno: int | None


@dataclass
class Plant:
    cards: dict[str, CardInfo] = field(default_factory=dict)
    spans: dict[int, SpanInfo] = field(default_factory=dict)
    channels: dict[int, ChannelInfo] = field(default_factory=dict)

    def unassigned_cards(self) -> list[CardInfo]:
        assigned = {span.device_name for span in self.spans.values()}
        return [card for name, card in sorted(self.cards.items()) if name not in assigned]


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
    except OSError:
        return None


def _read_first(directory: Path, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = _read(directory / name)
        if value is not None:
            return value
    return None


def _int_attribute(directory: Path, name: str, default: int = 0, base: int = 10) -> int:
    text = _read(directory / name)
    if text is None or not text.strip():
        return default
    try:
        return int(text.strip(), base)
    except ValueError:
        raise ConfigError(directory / name, 1, f"{name} {text.strip()!r} is not a number") from None


def parse_spantypes(text: str, source: str | Path) -> dict[int, str]:
    """The device ``spantype`` attribute: one ``<local>:<type>`` per line."""
    spantypes: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        local, colon, kind = line.strip().partition(":")
        if not colon or not local.isdigit() or not kind:
            raise ConfigError(source, number, f"expected <local span>:<type>, found {line.strip()!r}")
        spantypes[int(local)] = kind
    return spantypes


def _pci_id(card_dir: Path) -> PciId | None:
    """The PCI ids of the card's parent device, when it is a PCI device."""
    parent = card_dir.resolve().parent
    vendor, device = _read(parent / "vendor"), _read(parent / "device")
    if vendor is None or device is None:
        return None
    try:
        subvendor = _read(parent / "subsystem_vendor")
        subdevice = _read(parent / "subsystem_device")
        return PciId(
            int(vendor, 16),
            int(device, 16),
            int(subvendor, 16) if subvendor else None,
            int(subdevice, 16) if subdevice else None,
        )
    except ValueError:
        raise ConfigError(parent, 1, f"PCI id {vendor!r}:{device!r} is not hex") from None


def read_card(card_dir: Path, sysfs_root: Path = SYSFS_ROOT) -> CardInfo:
    spantype_text = _read_first(card_dir, SPANTYPE_ATTRIBUTES) or ""
    pci_id = _pci_id(card_dir)
    hardware_id = _read(card_dir / "hardware_id") or ""
    resolved = card_dir.resolve()
    devices_root = (sysfs_root / "devices").resolve()
    devpath = "/" + str(resolved.relative_to(sysfs_root.resolve())) if resolved.is_relative_to(devices_root) else ""
    return CardInfo(
        name=card_dir.name,
        sysfs_path=card_dir,
        manufacturer=_read(card_dir / "manufacturer") or "",
        type=_read(card_dir / "type") or "",
        span_count=_int_attribute(card_dir, "span_count"),
        hardware_id=hardware_id,
        location=_read(card_dir / "location") or "",
        spantypes=parse_spantypes(spantype_text, card_dir / SPANTYPE_ATTRIBUTES[0]),
        registration_time=_read_first(card_dir, REGISTRATION_TIME_ATTRIBUTES),
        pci_id=pci_id,
        model=lookup_card(pci_id, hardware_id) if pci_id else None,
        devpath=devpath,
    )


def read_span(span_dir: Path) -> SpanInfo:
    name = span_dir.name
    if not name.startswith("span-") or not name[5:].isdigit():
        raise ConfigError(span_dir, 0, f"not a span device name: {name!r}")
    device_link = span_dir / "ddev"
    device_dir = device_link.resolve() if device_link.exists() else span_dir.resolve().parent
    return SpanInfo(
        spanno=int(name[5:]),
        name=_read(span_dir / "name") or "",
        description=_read(span_dir / "desc") or "",
        spantype=_read(span_dir / "spantype") or "",
        local_spanno=_int_attribute(span_dir, "local_spanno"),
        # span-N/alarms prints hex, e.g. 0xc (§3.4).
        alarms=_int_attribute(span_dir, "alarms", base=16),
        basechan=_int_attribute(span_dir, "basechan"),
        channel_count=_int_attribute(span_dir, "channels"),
        lineconfig=_read(span_dir / "lineconfig") or "",
        linecompat=(_read(span_dir / "linecompat") or "").split(),
        is_sync_master=_int_attribute(span_dir, "is_sync_master") == 1,
        device_name=device_dir.name if device_dir.name != span_dir.name else None,
    )


def read_channel(channel_dir: Path) -> ChannelInfo:
    span_dir = channel_dir.resolve().parent
    spanno = int(span_dir.name[5:]) if span_dir.name.startswith("span-") and span_dir.name[5:].isdigit() else None
    return ChannelInfo(
        channo=_int_attribute(channel_dir, "channo"),
        name=_read(channel_dir / "name") or "",
        chanpos=_int_attribute(channel_dir, "chanpos"),
        sig=_read(channel_dir / "sig") or "",
        # The channel's alarms attribute prints words, e.g. "RED " (§3.4).
        alarms=(_read(channel_dir / "alarms") or "").split(),
        echo_canceller=(_read(channel_dir / "ec_factory") or "").strip(),
        echo_canceller_active=(_read(channel_dir / "ec_state") or "").strip() == "ACTIVE",
        in_use=_int_attribute(channel_dir, "in_use") == 1,
        spanno=spanno,
    )


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError:
        return []


def discover(sysfs_root: Path = SYSFS_ROOT) -> Plant:
    """Everything DAHDI shows in sysfs now. An absent bus (DAHDI not loaded) is empty."""
    plant = Plant()
    for card_dir in _entries(sysfs_root / DEVICES_BUS):
        card = read_card(card_dir, sysfs_root)
        plant.cards[card.name] = card
    for span_dir in _entries(sysfs_root / SPANS_BUS):
        span = read_span(span_dir)
        plant.spans[span.spanno] = span
    for channel_dir in _entries(sysfs_root / CHANNELS_BUS):
        channel = read_channel(channel_dir)
        plant.channels[channel.channo] = channel
    return plant
