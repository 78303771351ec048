"""Annex H segmentation and reassembly (T314 as a deadline), round trip, the H.3 error
rules, and tshark reassembling our segments (q931.reassembly)."""

import pytest

import tshark
from cti_daemon.signalling.isdn.q931 import CallReference, Message, MessageType, SegmentationError, decode_message
from cti_daemon.signalling.isdn.q931.ies import (
    BearerCapability,
    CalledPartyNumber,
    ChannelIdentification,
    Display,
    Facility,
    TypeOfNumber,
    UserUser,
)
from cti_daemon.signalling.isdn.q931.segmentation import (
    MAX_SEGMENTS,
    N201_OCTETS,
    T314_SECONDS,
    MessageReady,
    Reassembler,
    ReassemblyState,
    SegmentsDiscarded,
    segment,
)
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, Direction, PcapWriter
from q931_samples import SAMPLES, lapd_i_frame

CR = CallReference(0x1234, 2)


def calling_name_facility(name: str) -> Facility:
    """A ROSE invoke (QSIG/ETSI callingName, operation 0) carrying a name (Q.932 facility)."""
    arg = bytes([0x80, len(name)]) + name.encode()
    component = bytes.fromhex("020101020100") + arg
    return Facility(bytes([0x91, 0xA1, len(component)]) + component)


def long_setup(n_facilities: int = 8) -> bytes:
    ies = [BearerCapability(), ChannelIdentification.e1(5)]
    ies += [calling_name_facility(f"Agent {i:02d} " + "x" * 40) for i in range(n_facilities)]
    ies += [Display("Campaign 2026-11 outbound " + "y" * 50), CalledPartyNumber("95588", TypeOfNumber.SUBSCRIBER),
            UserUser(b"u" * 120, 0x04)]
    return Message(MessageType.SETUP, CR, ies).encode()


def test_short_message_is_not_segmented():
    data = SAMPLES["SETUP"].encode()
    assert segment(data) == [data]


def test_long_setup_segments_exactly():
    data = long_setup()
    segments = segment(data)
    room = N201_OCTETS - 4 - 1 - 4  # PD + 2-octet CR, message type, segmented message IE
    expected_count = -(-(len(data) - 5) // room)
    assert len(segments) == expected_count >= 3
    for i, seg in enumerate(segments):
        assert len(seg) <= N201_OCTETS
        first_bit = 0x80 if i == 0 else 0
        assert seg[:9] == bytes([0x08, 0x02, 0x12, 0x34, 0x60, 0x00, 0x02, first_bit | (len(segments) - 1 - i), 0x05])
        decoded = decode_message(seg)
        assert decoded.message.message_type is MessageType.SEGMENT
    assert b"".join(s[9:] for s in segments) == data[5:]


def test_round_trip_through_the_reassembler_with_t314():
    data = long_setup()
    r = Reassembler()
    segments = segment(data)
    now = 10.0
    for seg in segments[:-1]:
        out = r.receive(seg, now)
        assert out.indications == [] and out.transmit == []
        assert out.timers == {"T314": now + T314_SECONDS}  # H.3 b): (re)started on each
        assert r.state is ReassemblyState.RECEIVING_SEGMENTED_MESSAGE
        now += 0.1
    out = r.receive(segments[-1], now)
    assert out.indications == [MessageReady(data, len(segments))]
    assert out.timers == {"T314": None}  # stopped on the last
    assert r.state is ReassemblyState.NULL
    assert decode_message(out.indications[0].message).message.get(UserUser).data == b"u" * 120


def test_non_segment_messages_pass_through():
    r = Reassembler()
    data = SAMPLES["DISCONNECT"].encode()
    assert r.receive(data, 0.0).indications == [MessageReady(data)]
    assert r.receive(b"\x03\x01", 0.0).indications == [MessageReady(b"\x03\x01")]  # 5.8 decides


def test_too_long_for_eight_segments_is_refused():
    with pytest.raises(SegmentationError):
        segment(long_setup(40))
    assert MAX_SEGMENTS == 8


def test_smaller_link_maximum_gives_more_segments():
    data = long_setup(2)
    segments = segment(data, max_length=100)
    assert all(len(s) <= 100 for s in segments)
    r = Reassembler()
    outs = [r.receive(s, 0.0) for s in segments]
    assert outs[-1].indications == [MessageReady(data, len(segments))]


def _segments(n=3):
    data = long_setup()
    segs = segment(data, max_length=200)
    assert len(segs) >= n
    return data, segs


def _other_cr(seg: bytes) -> bytes:
    return seg[:2] + bytes([seg[2] ^ 0x01]) + seg[3:]


def _with_ie(seg: bytes, octet3: int, octet4: int = 0x05) -> bytes:
    return seg[:7] + bytes([octet3, octet4]) + seg[9:]


# Annex H.3 error rules: (case, the messages fed in after the first segment, reason contains).
def test_t314_expiry_discards_and_tells_management():
    _, segs = _segments()
    r = Reassembler()
    r.receive(segs[0], 1.0)
    r.receive(segs[1], 2.0)
    out = r.expire("T314", 6.0)
    assert out.indications == [SegmentsDiscarded("T314 expired before the last segment", CR, 2)]
    assert out.timers == {"T314": None}
    assert r.state is ReassemblyState.NULL
    # H.3 d) note 1: later segments of that message are then discarded too.
    late = r.receive(segs[2], 6.5)
    assert isinstance(late.indications[0], SegmentsDiscarded) and late.timers == {}
    assert r.expire("T314", 7.0).indications == []  # nothing running: nothing to do


ERROR_CASES = [
    ("not first while Null", lambda s: [s[1]], "not a first segment", 1),
    ("first segment with none remaining", lambda s: [_with_ie(s[0], 0x80)], "no segments remaining", 1),
    ("wrong number remaining", lambda s: [s[0], s[2]], "segments remaining after", 2),
    ("another call reference", lambda s: [s[0], _other_cr(s[1])], "another call reference", 2),
    ("message type changes", lambda s: [s[0], _with_ie(s[1], s[1][7], 0x07)], "message type changed", 2),
    ("first again while receiving", lambda s: [s[0], s[0]], "first segment while reassembling", 2),
    ("SEGMENT without the IE", lambda s: [bytes.fromhex("08 02 12 34 60 04 03 80 90 a3")], "without a segmented", 1),
    ("bad segmented message IE", lambda s: [bytes.fromhex("08 02 12 34 60 00 02 82 85")], "bad segmented", 1),
    ("segmented message type SEGMENT", lambda s: [bytes.fromhex("08 02 12 34 60 00 02 82 60")], "is SEGMENT", 1),
]


@pytest.mark.parametrize("case,feed,reason,count", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_h3_error_rules(case, feed, reason, count):
    _, segs = _segments()
    r = Reassembler()
    outs = [r.receive(m, 0.0) for m in feed(segs)]
    last = outs[-1]
    assert len(last.indications) == 1
    d = last.indications[0]
    assert isinstance(d, SegmentsDiscarded) and reason in d.reason and d.segments == count
    assert r.state is ReassemblyState.NULL
    # After an error the reassembler works again from a first segment.
    data, segs2 = _segments()
    outs = [r.receive(m, 1.0) for m in segs2]
    assert outs[-1].indications == [MessageReady(data, len(segs2))]


def test_another_message_between_segments():
    _, segs = _segments()
    r = Reassembler()
    r.receive(segs[0], 0.0)
    other = SAMPLES["STATUS ENQUIRY"].encode()
    out = r.receive(other, 0.1)
    assert out.indications == [SegmentsDiscarded("another message arrived between segments", CR, 1),
                               MessageReady(other)]
    assert out.timers == {"T314": None}


def test_eight_segments_without_the_last_are_discarded():
    _, segs = _segments()
    r = Reassembler()
    first = _with_ie(segs[0], 0x80 | 20)  # claims 20 more
    r.receive(first, 0.0)
    body = segs[1]
    outs = [r.receive(_with_ie(body, 19 - i), 0.0) for i in range(7)]
    assert all(o.indications == [] for o in outs[:-1])
    assert outs[-1].indications == [SegmentsDiscarded("8 segments without the last one", CR, 8)]


def test_tshark_reassembles_our_segments(tmp_path):
    data = long_setup()
    segs = segment(data)
    path = tmp_path / "seg.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        for i, seg in enumerate(segs):
            frame = bytes([0x00, 0x01, (2 * i) & 0xFE, 0x00]) + seg  # N(S) = i
            w.write_lapd(0.01 * i, frame, Direction.SENT, network_side=False)
    prefs = ("q931.reassembly:TRUE",)
    assert tshark.malformed(path, *prefs) == 0
    rows = tshark.fields(path, "q931.message_type", "q931.segment_type", "q931.called_party_number.digits",
                         "q931.reassembled.length", "q931.channel.number", prefs=prefs)
    assert len(rows) == len(segs)
    for row in rows[:-1]:
        assert row[0] == "0x60" and row[1] == "0x05" and row[2] == ""
    last = rows[-1]
    assert last[2] == "95588"  # found only in the reassembled message
    assert int(last[3]) == len(data) - 5  # the IEs after the message type
    assert last[4] == "5"


def test_tshark_without_reassembly_sees_segments(tmp_path):
    segs = segment(long_setup())
    path = tmp_path / "seg.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        for i, seg in enumerate(segs):
            w.write_lapd(float(i), lapd_i_frame(seg), Direction.SENT, network_side=False)
    rows = tshark.fields(path, "q931.message_type", "q931.segment_type", "q931.called_party_number.digits",
                         prefs=("q931.reassembly:FALSE",))
    # Annex H cuts at any octet, so without reassembly tshark sees cut IEs: only the
    # segment headers are checked here.
    assert rows == [["0x60", "0x05", ""]] * len(segs)
