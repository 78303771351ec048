"""assigned-spans.conf and span assignment through sysfs (dahdi.md §7.1, §7.3), against
files and a fake sysfs tree these tests write."""

from __future__ import annotations

import pytest

from cti_daemon.hardware.assigned_spans import (
    SpanAssignment,
    apply_assignments,
    attr_clean,
    auto_assign,
    format_assigned_spans,
    parse_assigned_spans,
    plan_assignments,
    read_assigned_spans,
    write_assigned_spans,
)
from cti_daemon.hardware.discovery import discover
from cti_daemon.hardware.errors import ConfigError
from fake_sysfs import assign_span, make_card

EXAMPLE = """\
# dahdi_span_assignments dumpconfig
1TE420F-0001                   1:1:1 2:2:32
@PCI_Express_Bus_04_*          1:3:63   # by location, globbed
/devices/pci0000:00/0000:00:1c.0/0000:05:00.0/pci:0000:05:00.0 1:4:94
"""


def test_parse_reads_every_spec_with_its_line(tmp_path):
    path = tmp_path / "assigned-spans.conf"
    path.write_text(EXAMPLE)
    assignments = read_assigned_spans(path)
    assert assignments == [
        SpanAssignment("1TE420F-0001", 1, 1, 1, 2),
        SpanAssignment("1TE420F-0001", 2, 2, 32, 2),
        SpanAssignment("@PCI_Express_Bus_04_*", 1, 3, 63, 3),
        SpanAssignment("/devices/pci0000:00/0000:00:1c.0/0000:05:00.0/pci:0000:05:00.0", 1, 4, 94, 4),
    ]
    assert assignments[1].spec == "2:2:32"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("1TE420F\n", 1, "expected <id> <local>:<spanno>:<basechan>, found '1TE420F'"),
        ("1TE420F 1:1\n", 1, "span spec '1:1' is not <local>:<spanno>:<basechan>"),
        ("1TE420F 1:x:1\n", 1, "span spec '1:x:1' is not <local>:<spanno>:<basechan>"),
        ("1TE420F 0:1:1\n", 1, "span spec '0:1:1': local >= 1, spanno 1..127, basechan 1..1023"),
        ("A 1:1:1\nB 1:1:32\n", 2, "span 1 already assigned at line 1"),
        ("A 1:1:1\n\nA 1:2:32\n", 3, "A local span 1 already assigned at line 1"),
    ],
)
def test_errors_name_file_and_line(text, line, message):
    with pytest.raises(ConfigError) as caught:
        parse_assigned_spans(text, "/etc/dahdi/assigned-spans.conf")
    assert str(caught.value) == f"/etc/dahdi/assigned-spans.conf:{line}: {message}"


def test_ids_are_normalised_as_dahdi_span_assignments_does():
    assert attr_clean("PCI Express Bus 03 Slot 01") == "PCI_Express_Bus_03_Slot_01"
    assert attr_clean("Board ID Switch 0\n") == "Board_ID_Switch_0"
    assert attr_clean("dynamic!loc:1") == "dynamic/loc:1"


def test_written_file_reads_back_the_same(tmp_path):
    assignments = parse_assigned_spans(EXAMPLE)
    path = tmp_path / "assigned-spans.conf"
    write_assigned_spans(path, assignments)
    again = read_assigned_spans(path)
    assert [(a.device_id, a.spec) for a in again] == [(a.device_id, a.spec) for a in assignments]
    assert format_assigned_spans(assignments).splitlines()[2].split() == ["1TE420F-0001", "1:1:1", "2:2:32"]
    assert not (tmp_path / "assigned-spans.conf.tmp").exists()


def _three_cards(root):
    te420 = make_card(root, "0000:03:00.0")
    te205 = make_card(
        root,
        "0000:04:00.0",
        pci_id=(0xD161, 0x1205, 0x0005, 0),
        hardware_id="1TE205F-0002",
        location="PCI Express Bus 04 Slot 02",
        spantypes=("E1", "E1"),
    )
    b410 = make_card(
        root,
        "0000:05:00.0",
        pci_id=(0xD161, 0xB410, 0xD161, 0xB410),
        hardware_id="",
        location="PCI Bus 05 Slot 03",
        spantypes=("BRI_TE", "BRI_TE", "BRI_TE", "BRI_TE"),
        debian_attribute_names=False,
    )
    return te420, te205, b410


def test_assignments_are_written_to_the_matching_cards(tmp_path):
    te420, te205, b410 = _three_cards(tmp_path)
    plant = discover(tmp_path)
    unmatched = apply_assignments(plant, parse_assigned_spans(EXAMPLE + "1TE999F-0009 1:9:200\n"))
    # assign_span is a sysfs attribute: each write is one spec; the fake keeps the last.
    assert (te420 / "assign_span").read_text() == "2:2:32\n"
    assert (te205 / "assign_span").read_text() == "1:3:63\n"  # @location glob
    assert (b410 / "assign_span").read_text() == "1:4:94\n"  # devpath
    assert unmatched == ["1TE999F-0009"]


def test_overlapping_channel_ranges_are_refused_naming_the_line(tmp_path):
    _three_cards(tmp_path)
    plant = discover(tmp_path)
    overlapping = parse_assigned_spans("1TE420F-0001 1:1:1\n1TE205F-0002 1:2:20\n", "as.conf")
    with pytest.raises(ConfigError) as caught:
        apply_assignments(plant, overlapping, "as.conf")
    assert str(caught.value) == "as.conf:2: span 2 channels 20-50 overlap span 1 channels 1-31 (line 1)"


def test_plan_packs_spans_and_channels_in_card_order(tmp_path):
    _three_cards(tmp_path)
    plan = plan_assignments(discover(tmp_path), key="location")
    assert [(a.device_id, a.spec) for a in plan] == [
        ("@PCI_Express_Bus_03_Slot_01", "1:1:1"),
        ("@PCI_Express_Bus_03_Slot_01", "2:2:32"),
        ("@PCI_Express_Bus_03_Slot_01", "3:3:63"),
        ("@PCI_Express_Bus_03_Slot_01", "4:4:94"),
        ("@PCI_Express_Bus_04_Slot_02", "1:5:125"),
        ("@PCI_Express_Bus_04_Slot_02", "2:6:156"),
        ("@PCI_Bus_05_Slot_03", "1:7:187"),  # BRI: 2B+D = 3 channels per port
        ("@PCI_Bus_05_Slot_03", "2:8:190"),
        ("@PCI_Bus_05_Slot_03", "3:9:193"),
        ("@PCI_Bus_05_Slot_03", "4:10:196"),
    ]


def test_auto_assign_touches_only_unassigned_cards(tmp_path):
    te420, te205, b410 = _three_cards(tmp_path)
    assign_span(tmp_path, te420, 1, 1, 1)
    assigned = auto_assign(discover(tmp_path))
    assert assigned == ["pci:0000:04:00.0", "pci:0000:05:00.0"]
    assert (te420 / "auto_assign").read_text() == ""
    assert (te205 / "auto_assign").read_text() == "1\n"
    assert (b410 / "auto_assign").read_text() == "1\n"


def test_plan_by_hardware_id_names_serial_less_cards_by_location(tmp_path):
    _three_cards(tmp_path)
    plan = plan_assignments(discover(tmp_path))
    assert [a.device_id for a in plan[::2]] == [
        "1TE420F-0001",
        "1TE420F-0001",
        "1TE205F-0002",
        "@PCI_Bus_05_Slot_03",
        "@PCI_Bus_05_Slot_03",
    ]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789:@* abcF-_#\t", max_size=30), max_size=8))
def test_any_text_parses_or_raises_config_error(lines):
    try:
        assignments = parse_assigned_spans("\n".join(lines), "fuzz.conf")
    except ConfigError as error:
        assert error.path == "fuzz.conf" and error.line >= 1
    else:
        assert len({a.spanno for a in assignments}) == len(assignments)
