"""A fake sysfs tree of DAHDI cards, spans and channels, laid out as dahdi.md §7.1
measured it: the card's directory under its PCI device, spans under the card, channels
under the span, and /sys/bus/dahdi_* entries as symlinks to them."""

from __future__ import annotations

from pathlib import Path


def _write(directory: Path, **attributes: object) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, value in attributes.items():
        (directory / name).write_text(f"{value}\n")


def _bus_link(root: Path, bus: str, target: Path) -> None:
    link_dir = root / "bus" / bus / "devices"
    link_dir.mkdir(parents=True, exist_ok=True)
    (link_dir / target.name).symlink_to(target)


def make_card(
    root: Path,
    pci_address: str = "0000:03:00.0",
    *,
    pci_id: tuple[int, int, int, int] = (0xD161, 0x1420, 0x0005, 0x0000),
    hardware_id: str = "1TE420F-0001",
    location: str = "PCI Express Bus 03 Slot 01",
    manufacturer: str = "Digium",
    card_type: str = "Wildcard TE420 (5th Gen)",
    spantypes: tuple[str, ...] = ("E1", "E1", "E1", "E1"),
    debian_attribute_names: bool = True,
) -> Path:
    """A card, its spans unassigned. Debian's 2.11.1 names the attributes
    dahdi_spantype / dahdi_registration_time; upstream spantype / registration_time."""
    vendor, device, subvendor, subdevice = pci_id
    pci_dir = root / "devices" / "pci0000:00" / "0000:00:1c.0" / pci_address
    _write(
        pci_dir,
        vendor=f"0x{vendor:04x}",
        device=f"0x{device:04x}",
        subsystem_vendor=f"0x{subvendor:04x}",
        subsystem_device=f"0x{subdevice:04x}",
    )
    card_dir = pci_dir / f"pci:{pci_address}"
    prefix = "dahdi_" if debian_attribute_names else ""
    _write(
        card_dir,
        manufacturer=manufacturer,
        type=card_type,
        span_count=len(spantypes),
        hardware_id=hardware_id,
        location=location,
        **{
            f"{prefix}spantype": "\n".join(f"{i}:{t}" for i, t in enumerate(spantypes, start=1)),
            f"{prefix}registration_time": "0000000012.345678901",
        },
    )
    for write_only in ("auto_assign", "assign_span", "unassign_span"):
        (card_dir / write_only).write_text("")
    _bus_link(root, "dahdi_devices", card_dir)
    return card_dir


def assign_span(
    root: Path,
    card_dir: Path,
    local: int,
    spanno: int,
    basechan: int,
    *,
    spantype: str = "E1",
    channels: int = 31,
    alarms: str = "0x0",
    signalling: dict[int, str] | None = None,
) -> Path:
    """An assigned span with its channels, as the kernel shows it after assign_span."""
    span_dir = card_dir / f"span-{spanno}"
    _write(
        span_dir,
        name=f"TE4/0/{local}",
        desc=f"T4XXP (PCI) Card 0 Span {local}",
        spantype=spantype,
        local_spanno=local,
        alarms=alarms,
        lbo=0,
        syncsrc=1,
        is_digital=1,
        is_sync_master=1 if spanno == 1 else 0,
        basechan=basechan,
        channels=channels,
        lineconfig="CCS/HDB3/CRC4",
        linecompat="D4 ESF AMI B8ZS CCS HDB3 CRC4",
    )
    _bus_link(root, "dahdi_spans", span_dir)
    signalling = signalling or {}
    for position in range(1, channels + 1):
        channel_dir = span_dir / f"dahdi!chan!{spanno:03d}!{position:03d}"
        _write(
            channel_dir,
            name=f"TE4/0/{local}/{position}",
            channo=basechan + position - 1,
            chanpos=position,
            sig=signalling.get(position, "Clear"),
            sigcap="Clear HDLCRAW HDLCFCS",
            alarms="RED " if alarms != "0x0" else "",
            ec_factory="VPMOCT032" if position != 16 else "",
            ec_state="ACTIVE" if position == 1 else "INACTIVE",
            blocksize=1024,
            chanmute=0,
            in_use=1 if position in (1, 16) else 0,
        )
        _bus_link(root, "dahdi_channels", channel_dir)
    return span_dir
