"""Card discovery from a fake sysfs tree (dahdi.md §7.1), the card catalogue (§8) and
hotplug uevent classification (§7.4)."""

from __future__ import annotations

import pytest

from cti_daemon.hardware.card_catalogue import CARDS, lookup_card
from cti_daemon.hardware.discovery import PciId, discover, parse_spantypes
from cti_daemon.hardware.errors import ConfigError
from cti_daemon.hardware.hotplug import HotplugMonitor, PlantChange, PlantEvent, classify_uevent
from fake_sysfs import assign_span, make_card


def test_no_dahdi_means_an_empty_plant(tmp_path):
    plant = discover(tmp_path)
    assert plant.cards == {} and plant.spans == {} and plant.channels == {}


def test_cards_are_read_with_debian_and_upstream_attribute_names(tmp_path):
    make_card(tmp_path, "0000:03:00.0", debian_attribute_names=True)
    make_card(
        tmp_path,
        "0000:04:00.0",
        pci_id=(0xD161, 0xB410, 0xD161, 0xB410),
        hardware_id="",
        location="PCI Bus 04 Slot 02",
        card_type="Wildcard B410P",
        spantypes=("BRI_TE", "BRI_TE", "BRI_NT", "BRI_NT"),
        debian_attribute_names=False,
    )
    plant = discover(tmp_path)
    te420, b410 = plant.cards["pci:0000:03:00.0"], plant.cards["pci:0000:04:00.0"]
    assert te420.spantypes == {1: "E1", 2: "E1", 3: "E1", 4: "E1"}
    assert b410.spantypes == {1: "BRI_TE", 2: "BRI_TE", 3: "BRI_NT", 4: "BRI_NT"}
    assert te420.registration_time == b410.registration_time == "0000000012.345678901"
    assert (te420.manufacturer, te420.span_count, te420.hardware_id) == ("Digium", 4, "1TE420F-0001")
    assert te420.location == "PCI Express Bus 03 Slot 01"
    assert te420.pci_id == PciId(0xD161, 0x1420, 0x0005, 0x0000)
    assert te420.model.name == "TE420 (5th gen)" and te420.model.interface == "E1/T1"
    assert b410.model.name == "Digium B410P" and b410.model.interface == "BRI"
    assert te420.devpath == "/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/pci:0000:03:00.0"
    assert [c.name for c in plant.unassigned_cards()] == ["pci:0000:03:00.0", "pci:0000:04:00.0"]


def test_assigned_spans_and_channels_are_read(tmp_path):
    card = make_card(tmp_path)
    assign_span(tmp_path, card, 1, 1, 1, signalling={16: "HDLCFCS"})
    assign_span(tmp_path, card, 2, 2, 32, alarms="0xc")
    plant = discover(tmp_path)

    span1, span2 = plant.spans[1], plant.spans[2]
    assert (span1.name, span1.spantype, span1.local_spanno, span1.basechan, span1.channel_count) == (
        "TE4/0/1",
        "E1",
        1,
        1,
        31,
    )
    assert span1.alarms == 0 and span1.is_sync_master
    assert span2.alarms == 0xC  # hex in sysfs: YELLOW|RED
    assert span1.lineconfig == "CCS/HDB3/CRC4" and "CRC4" in span1.linecompat
    assert span1.device_name == "pci:0000:03:00.0"

    assert len(plant.channels) == 62
    first, dchan, span2_first = plant.channels[1], plant.channels[16], plant.channels[32]
    assert (first.sig, first.in_use, first.echo_canceller, first.echo_canceller_active) == (
        "Clear",
        True,
        "VPMOCT032",
        True,
    )
    assert (dchan.sig, dchan.echo_canceller, dchan.spanno) == ("HDLCFCS", "", 1)
    assert span2_first.alarms == ["RED"] and span2_first.chanpos == 1 and span2_first.spanno == 2
    assert plant.unassigned_cards() == []


def test_a_garbled_attribute_names_its_file(tmp_path):
    card = make_card(tmp_path)
    (card / "span_count").write_text("four\n")
    with pytest.raises(ConfigError) as caught:
        discover(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'bus/dahdi_devices/devices/pci:0000:03:00.0/span_count'}:1: " \
        "span_count 'four' is not a number"


def test_a_garbled_spantype_names_file_and_line():
    with pytest.raises(ConfigError) as caught:
        parse_spantypes("1:E1\nE1\n", "/sys/x/dahdi_spantype")
    assert str(caught.value) == "/sys/x/dahdi_spantype:2: expected <local span>:<type>, found 'E1'"


# ----- catalogue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pci_id", "name"),
    [
        (PciId(0xD161, 0x0420, 0x0004, 0), "TE420 (4th gen)"),
        (PciId(0xD161, 0x0410, 0x1234, 0), "TE410P (2nd gen)"),  # catch-all row
        (PciId(0xD161, 0x0410, 0x0003, 0), "TE410P (3rd gen)"),
        (PciId(0xD161, 0x1820, 0x0005, 0), "TE820"),
        (PciId(0xD161, 0x8001, 0xD161, 0), "TE122"),
        (PciId(0xE159, 0x0001, 0x6159, 0), "T100P/E100P"),
        (PciId(0xE159, 0x0001, 0x79DE, 0), "TE110P"),
        (PciId(0x1B74, 0xD430, 0x1B74, 0), "OpenVox D430"),
        (PciId(0x1397, 0x08B4, 0x1397, 0xB550), "Junghanns.NET quadBRI (HFC-4S)"),
        (PciId(0x1397, 0x16B8, 0x1397, 0xE998), "OpenVox B800P"),
        (PciId(0xD161, 0x8016, 0xD161, 0x0000), "Digium B230P"),
    ],
)
def test_catalogue_finds_cards_by_pci_id(pci_id, name):
    assert lookup_card(pci_id).name == name


def test_catalogue_unknowns_and_model_refinement():
    assert lookup_card(PciId(0x8086, 0x100E, 0x8086, 0x001E)) is None
    assert lookup_card(PciId(0xE159, 0x0001, 0x0000, 0)) is None, "Tiger/Jet without a Digium subvendor"
    assert lookup_card(PciId(0x1397, 0x08B4, 0x1397, 0x0001)) is None, "HFC-4S of an unknown board"
    te235 = lookup_card(PciId(0xD161, 0x800E, 0xD161, 0), "1TE235F-12345")
    assert (te235.name, te235.spans) == ("TE235", 2)
    assert lookup_card(PciId(0xD161, 0x800E, 0xD161, 0), "1TE435F-1").spans == 4


def test_no_catalogue_row_is_hidden_by_an_earlier_identical_one():
    keys = [(c.vendor, c.device, c.subvendor, c.subdevice) for c in CARDS]
    assert len(keys) == len(set(keys))
    assert sum(card.interface == "BRI" for card in CARDS) >= 10
    assert sum(card.interface == "E1/T1" for card in CARDS) >= 30


# ----- hotplug ---------------------------------------------------------------------------


def test_the_measured_uevent_sequence_becomes_plant_events():
    # dahdi.md §7.4: registration, assignment, then unassignment and removal.
    uevents = [
        ("add", "dahdi_devices", "pci:0000:03:00.0",
         {"DAHDI_DEVICE_HWID": "1TE420F-0001", "DAHDI_DEVICE_LOCATION": "PCI Express Bus 03 Slot 01"}),
        ("add", "dahdi_spans", "span-1", {"SPAN_NUM": "1", "SPAN_NAME": "TE4/0/1"}),
        ("bind", "dahdi_spans", "span-1", {"SPAN_NUM": "1", "DRIVER": "generic_lowlevel"}),
        ("add", "dahdi_channels", "dahdi!chan!001!001", {"MAJOR": "246", "MINOR": "1"}),
        ("bind", "dahdi_channels", "dahdi!chan!001!001", {"MINOR": "1"}),
        ("unbind", "dahdi_channels", "dahdi!chan!001!001", {"MINOR": "1"}),
        ("remove", "dahdi_channels", "dahdi!chan!001!001", {"MINOR": "1"}),
        ("offline", "dahdi_spans", "span-1", {"SPAN_NUM": "0"}),
        ("remove", "dahdi_devices", "pci:0000:03:00.0", {"DAHDI_DEVICE_HWID": "1TE420F-0001"}),
        ("add", "dahdi", "dahdi!ctl", {"MAJOR": "196", "MINOR": "0"}),
    ]
    events = [e for e in (classify_uevent(*u) for u in uevents) if e is not None]
    assert events == [
        PlantEvent(PlantChange.CARD_ADDED, "pci:0000:03:00.0", hardware_id="1TE420F-0001",
                   location="PCI Express Bus 03 Slot 01"),
        PlantEvent(PlantChange.SPAN_ADDED, "span-1", spanno=1),
        PlantEvent(PlantChange.CHANNEL_ADDED, "dahdi!chan!001!001", spanno=1, channo=1),
        PlantEvent(PlantChange.CHANNEL_REMOVED, "dahdi!chan!001!001", spanno=1, channo=1),
        PlantEvent(PlantChange.SPAN_GONE, "span-1", spanno=1),
        PlantEvent(PlantChange.CARD_REMOVED, "pci:0000:03:00.0", hardware_id="1TE420F-0001"),
    ]


def test_malformed_uevents_never_raise():
    assert classify_uevent("add", "dahdi_spans", "span-x", {"SPAN_NUM": "abc"}) == PlantEvent(
        PlantChange.SPAN_ADDED, "span-x", spanno=None
    )
    assert classify_uevent("add", "dahdi_channels", "weird", {}) == PlantEvent(PlantChange.CHANNEL_ADDED, "weird")
    assert classify_uevent("change", "dahdi_devices", "pci:x", {}) is None


def test_the_monitor_listens_without_blocking():
    monitor = HotplugMonitor()
    assert monitor.fileno() >= 0
    assert monitor.read_events() == []  # no DAHDI here: nothing queued, no wait


def test_removing_one_card_removes_only_its_spans_and_channels(tmp_path):
    import shutil

    from cti_daemon.hardware.plant_watch import PlantWatch

    first = make_card(tmp_path, "0000:03:00.0")
    second = make_card(tmp_path, "0000:04:00.0", hardware_id="1TE420F-0002", location="PCI Express Bus 04 Slot 02")
    assign_span(tmp_path, first, 1, 1, 1)
    assign_span(tmp_path, second, 1, 2, 32)
    watch = PlantWatch(tmp_path)
    assert sorted(watch.plant.spans) == [1, 2] and len(watch.plant.channels) == 62

    shutil.rmtree(second)  # the card is pulled: its sysfs entries vanish
    delta = watch.apply(PlantEvent(PlantChange.CARD_REMOVED, "pci:0000:04:00.0"))
    assert delta.cards_removed == ["pci:0000:04:00.0"]
    assert delta.spans_removed == [2]
    assert delta.channels_removed == list(range(32, 63))
    assert sorted(watch.plant.spans) == [1] and sorted(watch.plant.channels) == list(range(1, 32))
    assert list(watch.plant.cards) == ["pci:0000:03:00.0"]

    # Events about entries already gone (the uevent raced the removal) change nothing.
    late = watch.apply(PlantEvent(PlantChange.SPAN_ADDED, "span-2", spanno=2))
    assert late == type(late)() and sorted(watch.plant.spans) == [1]


def test_hotplugged_card_and_spans_are_picked_up(tmp_path):
    from cti_daemon.hardware.plant_watch import PlantWatch

    watch = PlantWatch(tmp_path)
    card = make_card(tmp_path)
    assert watch.apply(PlantEvent(PlantChange.CARD_ADDED, "pci:0000:03:00.0")).cards_added == ["pci:0000:03:00.0"]
    assign_span(tmp_path, card, 1, 1, 1, channels=31)
    assert watch.apply(PlantEvent(PlantChange.SPAN_ADDED, "span-1", spanno=1)).spans_added == [1]
    delta = watch.apply(PlantEvent(PlantChange.CHANNEL_ADDED, "dahdi!chan!001!016", spanno=1, channo=16))
    assert delta.channels_added == [16] and watch.plant.channels[16].chanpos == 16
    gone = watch.apply(PlantEvent(PlantChange.SPAN_GONE, "span-1", spanno=1))
    assert gone.spans_removed == [1] and gone.channels_removed == [16]
