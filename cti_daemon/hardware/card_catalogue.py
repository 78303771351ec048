"""Catalogue of common E1 and BRI cards by PCI id, as data.

Sources: dahdi.md §8 (the drivers' pci tables: wct4xxp ``t4_pci_tbl``, wcte12xp,
wcte13xp, wcte43x, wct1xxp, wcte11xp, PKG-dahdi ``Dahdi/Hardware/PCI.pm``) and, for BRI,
``drivers/dahdi/wcb4xxp/base.c`` ``b4xx_ids`` of dahdi-linux 2.11.1 (Debian dahdi-source).
A row matches like the kernel's pci_device_id: vendor and device always, subvendor and
subdevice only where the row gives them; rows are tried in order, first match wins (the
kernel's order: more specific generations before the catch-all row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cti_daemon.hardware.discovery import PciId


@dataclass(frozen=True)
class CardModel:
    name: str
    driver: str
    vendor: int
    device: int
    subvendor: int | None
    subdevice: int | None
    # E1/T1 spans or BRI ports on the card.
    spans: int
    # 'E1/T1' (dual-mode framer, chosen with spantype) or 'BRI'.
    interface: str
    # True when the card can carry a hardware echo canceller (VPM module or on-board).
    hardware_echo_canceller: bool
    in_debian_dkms: bool
    note: str = ""


def _e1(name, driver, vendor, device, subvendor, spans, hwec=True, dkms=True, note=""):
    return CardModel(name, driver, vendor, device, subvendor, None, spans, "E1/T1", hwec, dkms, note)


def _bri(name, device, subdevice, ports, hwec=False, note=""):
    vendor = 0xD161 if subdevice is None else 0x1397
    subvendor = None if subdevice is None else 0x1397
    return CardModel(name, "wcb4xxp", vendor, device, subvendor, subdevice, ports, "BRI", hwec, True, note)


DIGIUM = 0xD161
TIGERJET = 0xE159
OPENVOX = 0x1B74
SANGOMA = 0x1923
XILINX = 0x10EE

CARDS: tuple[CardModel, ...] = (
    # wct4xxp: the subvendor encodes the generation (dahdi.md §8); 5th gen first.
    _e1("TE820", "wct4xxp", DIGIUM, 0x1820, None, 8),
    _e1("TE420 (5th gen)", "wct4xxp", DIGIUM, 0x1420, 0x0005, 4),
    _e1("TE410P (5th gen)", "wct4xxp", DIGIUM, 0x1410, 0x0005, 4),
    _e1("TE405P (5th gen)", "wct4xxp", DIGIUM, 0x1405, 0x0005, 4),
    _e1("TE420 (4th gen)", "wct4xxp", DIGIUM, 0x0420, 0x0004, 4),
    _e1("TE410P (4th gen)", "wct4xxp", DIGIUM, 0x0410, 0x0004, 4),
    _e1("TE405P (4th gen)", "wct4xxp", DIGIUM, 0x0405, 0x0004, 4),
    _e1("TE410P (3rd gen)", "wct4xxp", DIGIUM, 0x0410, 0x0003, 4),
    _e1("TE405P (3rd gen)", "wct4xxp", DIGIUM, 0x0405, 0x0003, 4),
    _e1("TE410P (2nd gen)", "wct4xxp", DIGIUM, 0x0410, None, 4),
    _e1("TE405P (2nd gen)", "wct4xxp", DIGIUM, 0x0405, None, 4),
    _e1("TE410P/TE405P (1st gen)", "wct4xxp", XILINX, 0x0314, None, 4, hwec=False),
    _e1("TE220 (5th gen)", "wct4xxp", DIGIUM, 0x1220, 0x0005, 2),
    _e1("TE205P (5th gen)", "wct4xxp", DIGIUM, 0x1205, 0x0005, 2),
    _e1("TE210P (5th gen)", "wct4xxp", DIGIUM, 0x1210, 0x0005, 2),
    _e1("TE220 (4th gen)", "wct4xxp", DIGIUM, 0x0220, 0x0004, 2),
    _e1("TE205P (4th gen)", "wct4xxp", DIGIUM, 0x0205, 0x0004, 2),
    _e1("TE210P (4th gen)", "wct4xxp", DIGIUM, 0x0210, 0x0004, 2),
    _e1("TE205P (3rd gen)", "wct4xxp", DIGIUM, 0x0205, 0x0003, 2),
    _e1("TE210P (3rd gen)", "wct4xxp", DIGIUM, 0x0210, 0x0003, 2),
    _e1("TE205P (2nd gen)", "wct4xxp", DIGIUM, 0x0205, None, 2),
    _e1("TE210P (2nd gen)", "wct4xxp", DIGIUM, 0x0210, None, 2),
    _e1("TE120P", "wcte12xp", DIGIUM, 0x0120, None, 1),
    _e1("TE121", "wcte12xp", DIGIUM, 0x8000, None, 1),
    _e1("TE122", "wcte12xp", DIGIUM, 0x8001, None, 1),
    _e1("TE131/TE133 (PCIe)", "wcte13xp", DIGIUM, 0x800A, None, 1, dkms=False,
        note="not built by Debian's dahdi-dkms; firmware not packaged (dahdi.md §8)"),
    _e1("TE132/TE134 (PCI)", "wcte13xp", DIGIUM, 0x800B, None, 1, dkms=False,
        note="not built by Debian's dahdi-dkms; firmware not packaged (dahdi.md §8)"),
    _e1("TE235/TE435 (PCIe)", "wcte43x", DIGIUM, 0x800E, None, 4, dkms=False,
        note="TE235 has 2 spans: the model comes from hardware_id 1TE235F/1TE435F (dahdi.md §8)"),
    _e1("TE236/TE436 (PCI)", "wcte43x", DIGIUM, 0x8013, None, 4, dkms=False,
        note="TE236 has 2 spans: the model comes from hardware_id (dahdi.md §8)"),
    _e1("T100P/E100P", "wct1xxp", TIGERJET, 0x0001, 0x6159, 1, hwec=False),
    *(
        _e1("TE110P", "wcte11xp", TIGERJET, 0x0001, sub, 1, hwec=False)
        for sub in (0x71FE, 0x79FE, 0x795E, 0x79DE, 0x797E)
    ),
    _e1("OpenVox D115P/E", "opvxd115", OPENVOX, 0x0115, None, 1, dkms=False, note="OpenVox's own driver package"),
    _e1("OpenVox D130P/E", "opvxd115", OPENVOX, 0xD130, None, 1, dkms=False, note="OpenVox's own driver package"),
    _e1("OpenVox D210E", "wct4xxp (OpenVox-patched)", OPENVOX, 0xD210, None, 2, dkms=False),
    _e1("OpenVox D230P/E", "wct4xxp (OpenVox-patched)", OPENVOX, 0xD230, None, 2, dkms=False),
    _e1("OpenVox D410", "wct4xxp (OpenVox-patched)", OPENVOX, 0xD410, None, 4, dkms=False),
    _e1("OpenVox D430", "wct4xxp (OpenVox-patched)", OPENVOX, 0xD430, None, 4, dkms=False),
    _e1("OpenVox D420", "wct4xxp (OpenVox-patched)", OPENVOX, 0x1420, None, 4, dkms=False),
    _e1("Sangoma A101", "wanpipe", SANGOMA, 0x0300, None, 1, dkms=False, note="wanpipe is out of tree"),
    _e1("Sangoma A104d", "wanpipe", SANGOMA, 0x0100, None, 4, dkms=False, note="wanpipe is out of tree"),
    _e1("Sangoma A104u", "wanpipe", SANGOMA, 0x0400, None, 4, dkms=False, note="wanpipe is out of tree"),
    _e1("Aligera AP40x", "ap400", XILINX, 0x1004, None, 4, dkms=False),
    # BRI, wcb4xxp b4xx_ids (order kept; b550 is listed twice there, the first wins).
    _bri("Digium B410P", 0xB410, None, 4, hwec=True),
    _bri("Digium B430P", 0x8014, None, 4, hwec=True),
    _bri("Digium B430P", 0x8015, None, 4, hwec=True),
    _bri("Digium B230P", 0x8016, None, 2, hwec=True),
    _bri("Digium B230P", 0x8017, None, 2, hwec=True),
    _bri("Junghanns.NET octoBRI (HFC-8S)", 0x16B8, 0xB552, 8),
    _bri("Junghanns.NET octoBRI (HFC-8S)", 0x16B8, 0xB55B, 8),
    _bri("Junghanns.NET quadBRI (HFC-4S)", 0x08B4, 0xB520, 4),
    _bri("Junghanns.NET quadBRI (HFC-4S)", 0x08B4, 0xB550, 4),
    _bri("Junghanns.NET quadBRI (HFC-4S)", 0x08B4, 0xB752, 4),
    _bri("Junghanns.NET duoBRI (HFC-2S)", 0x08B4, 0xB556, 2),
    _bri("OpenVox B200P", 0x08B4, 0xE884, 2),
    _bri("OpenVox B400P", 0x08B4, 0xE888, 4),
    _bri("OpenVox B800P", 0x16B8, 0xE998, 8),
    _bri("BeroNet BN2S0", 0x08B4, 0xB566, 2),
    _bri("BeroNet BN2S0", 0x08B4, 0xB761, 2),
    _bri("BeroNet BN4S0", 0x08B4, 0xB560, 4),
    _bri("BeroNet BN4S0", 0x08B4, 0xB762, 4),
    _bri("BeroNet BN8S0", 0x16B8, 0xB562, 8),
    _bri("BeroNet BN8S0", 0x16B8, 0xB56B, 8),
    _bri("Swyx 4xS0 SX2 QuadBri", 0x08B4, 0xB540, 4),
    _bri("CCD HFC-4S evaluation board", 0x08B4, 0x08B4, 4),
)

# Two-span variants of the TE43x family, told apart by the hardware_id prefix (§8).
_HARDWARE_ID_MODELS = {"1TE235F": ("TE235", 2), "1TE236F": ("TE236", 2), "1TE435F": ("TE435", 4), "1TE436F": ("TE436", 4)}


def _matches(card: CardModel, pci_id: "PciId") -> bool:
    return (
        card.vendor == pci_id.vendor
        and card.device == pci_id.device
        and (card.subvendor is None or card.subvendor == pci_id.subvendor)
        and (card.subdevice is None or card.subdevice == pci_id.subdevice)
    )


def lookup_card(pci_id: "PciId", hardware_id: str = "") -> CardModel | None:
    """The catalogue entry for a PCI id (None if unknown), refined by hardware_id."""
    for card in CARDS:
        if _matches(card, pci_id):
            for prefix, (model, spans) in _HARDWARE_ID_MODELS.items():
                if card.driver == "wcte43x" and hardware_id.startswith(prefix):
                    return replace(card, name=model, spans=spans)
            return card
    return None
