"""Our pcap traces dissect in tshark with the direction and side we wrote."""

import io

import pytest

import tshark
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, LINKTYPE_MTP2_WITH_PHDR, Direction, PcapWriter

# Q.921 SABME, SAPI 0, TEI 0, command from the user side (C/R = 0), P = 1.
SABME_FROM_USER = bytes([0x00, 0x01, 0x7F])
# An I-frame (N(S)=0, N(R)=0) carrying a Q.931 SETUP with protocol discriminator 0x08,
# a 2-octet call reference 0x0001 and a bearer capability (speech, 64 kbit/s, A-law).
I_SETUP = bytes([0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90, 0xA3])
# MTP2 FISU: BSN 127/BIB 1, FSN 127/FIB 1, LI 0.
FISU = bytes([0xFF, 0xFF, 0x00])


def test_lapd_trace_dissects_with_direction_and_side(tmp_path):
    path = tmp_path / "d.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        w.write_lapd(1.5, SABME_FROM_USER, Direction.SENT, network_side=False)
        w.write_lapd(2.25, I_SETUP, Direction.RECEIVED, network_side=True)
    rows = tshark.fields(path, "frame.time_relative", "lapd.direction", "q931.message_type")
    assert len(rows) == 2
    assert float(rows[1][0]) == pytest.approx(0.75)
    assert rows[0][1] == "0"  # user -> network
    assert rows[1][1] == "0"  # we are the network side and received it: user -> network
    assert rows[1][2] == "0x05"  # SETUP
    assert tshark.malformed(path) == 0


def test_lapd_direction_follows_who_sent_it_and_which_side_we_are(tmp_path):
    path = tmp_path / "d.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        w.write_lapd(0.0, I_SETUP, Direction.SENT, network_side=True)
        w.write_lapd(0.1, I_SETUP, Direction.RECEIVED, network_side=False)
    assert [r[0] for r in tshark.fields(path, "lapd.direction")] == ["1", "1"]  # network -> user


def test_mtp2_trace_keeps_direction_and_link_number(tmp_path):
    path = tmp_path / "m.pcap"
    with PcapWriter.open(path, LINKTYPE_MTP2_WITH_PHDR) as w:
        w.write_mtp2(0.0, FISU, Direction.SENT, link_number=5)
        w.write_mtp2(0.5, FISU, Direction.RECEIVED, link_number=7)
    rows = tshark.fields(path, "frame.p2p_dir", "frame.link_nr", "mtp2.bsn", "mtp2.li")
    # Wireshark's point-to-point direction: 0 = sent, 1 = received.
    assert rows == [["0", "5", "127", "0"], ["1", "7", "127", "0"]]


def test_writer_refuses_wrong_link_type_and_bad_values():
    with pytest.raises(ValueError):
        PcapWriter(io.BytesIO(), 1)
    w = PcapWriter(io.BytesIO(), LINKTYPE_LINUX_LAPD)
    with pytest.raises(ValueError):
        w.write_mtp2(0.0, FISU, Direction.SENT, 1)
    with pytest.raises(ValueError):
        w.write_lapd(-1.0, SABME_FROM_USER, Direction.SENT, False)
    m = PcapWriter(io.BytesIO(), LINKTYPE_MTP2_WITH_PHDR)
    with pytest.raises(ValueError):
        m.write_mtp2(0.0, FISU, Direction.SENT, 70000)


def test_every_frame_is_on_disk_as_soon_as_it_is_written(tmp_path):
    path = tmp_path / "live.pcap"
    w = PcapWriter.open(path, LINKTYPE_LINUX_LAPD)
    w.write_lapd(0.0, SABME_FROM_USER, Direction.SENT, network_side=False)
    assert len(tshark.fields(path, "lapd.sapi")) == 1  # read while still open
    w.close()
