"""Q.921 frame codec: exact octets per Table 5, C/R by side (Table 1), decode errors
with their Appendix II codes, fuzzing, and tshark as the independent dissector."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tshark
from cti_daemon.signalling.isdn.q921 import Frame, FrameError, FrameType, FrmrInfo, Side, decode, encode
from cti_daemon.signalling.isdn.q921.frames import cr_bit
from cti_daemon.signalling.trace import LINKTYPE_LINUX_LAPD, Direction, PcapWriter

U, N = Side.USER, Side.NETWORK
SETUP = bytes([0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90, 0xA3])
FRMR_Z = FrmrInfo(bytes([0x01, 0x02]), vs=3, vr=4, rejected_was_response=False, z=True)
TEI_REQUEST = bytes([0x0F, 0x12, 0x34, 0x01, 0xFF])

# (frame, sender, exact octets, tshark: cr, ftype/s_ftype/u_modifier, N(S), N(R), P, F)
# The U-frame "modifier" is the M bits as Wireshark's xdlc shows them.
CASES = [
    (Frame(FrameType.SABME, poll_final=True), U, "00017f", "0", "cmd 0x1b", "", "", "1", ""),
    (Frame(FrameType.SABME, poll_final=True), N, "02017f", "1", "cmd 0x1b", "", "", "1", ""),
    (Frame(FrameType.UA, command=False, poll_final=True), N, "000173", "0", "resp 0x18", "", "", "", "1"),
    (Frame(FrameType.UA, command=False, poll_final=False), U, "020163", "1", "resp 0x18", "", "", "", ""),
    (Frame(FrameType.DM, command=False, poll_final=True), U, "02011f", "1", "resp 0x03", "", "", "", "1"),
    (Frame(FrameType.DM, command=False), N, "00010f", "0", "resp 0x03", "", "", "", ""),
    (Frame(FrameType.DISC, poll_final=True), N, "020153", "1", "cmd 0x10", "", "", "1", ""),
    (Frame(FrameType.DISC), U, "000143", "0", "cmd 0x10", "", "", "", ""),
    (Frame(FrameType.I, ns=5, nr=127, info=SETUP), U, "00010afe" + SETUP.hex(), "0", "I", "5", "127", "", ""),
    (Frame(FrameType.I, ns=127, nr=0, poll_final=True, info=SETUP), N, "0201fe01" + SETUP.hex(), "1", "I", "127", "0", "1", ""),
    (Frame(FrameType.RR, command=False, nr=6), N, "0001010c", "0", "S 0x0000", "", "6", "", ""),
    (Frame(FrameType.RR, command=True, nr=0, poll_final=True), U, "00010101", "0", "S 0x0000", "", "0", "1", ""),
    (Frame(FrameType.RNR, command=True, nr=6, poll_final=True), N, "0201050d", "1", "S 0x0001", "", "6", "1", ""),
    (Frame(FrameType.RNR, command=False, nr=1, poll_final=True), U, "02010503", "1", "S 0x0001", "", "1", "", "1"),
    (Frame(FrameType.REJ, command=False, nr=100, poll_final=True), U, "020109c9", "1", "S 0x0002", "", "100", "", "1"),
    (Frame(FrameType.REJ, command=True, nr=2), U, "00010904", "0", "S 0x0002", "", "2", "", ""),
    (Frame(FrameType.FRMR, command=False, info=FRMR_Z.encode()), U, "0201870102060808", "1", "resp 0x21", "", "", "", ""),
    (Frame(FrameType.UI, sapi=63, tei=127, info=TEI_REQUEST), U, "fcff03" + TEI_REQUEST.hex(), "0", "cmd 0x00", "", "", "", ""),
    (Frame(FrameType.UI, sapi=0, tei=127, info=SETUP), N, "02ff03" + SETUP.hex(), "1", "cmd 0x00", "", "", "", ""),
    (Frame(FrameType.XID, command=True), U, "0001af", "0", "cmd 0x2b", "", "", "", ""),
]


@pytest.mark.parametrize("frame,sender,octets", [c[:3] for c in CASES])
def test_frames_encode_to_the_exact_octets_and_back(frame, sender, octets):
    assert encode(frame, sender).hex() == octets
    assert decode(bytes.fromhex(octets), sender) == frame


def test_cr_bit_follows_table_1():
    # Q.921 Table 1: command N->U 1, U->N 0; response N->U 0, U->N 1.
    assert [cr_bit(True, N), cr_bit(True, U), cr_bit(False, N), cr_bit(False, U)] == [1, 0, 0, 1]


def test_the_same_octets_are_a_command_from_one_side_and_a_response_from_the_other():
    rr = bytes.fromhex("02010101")  # C/R = 1
    assert decode(rr, N).command is True
    assert decode(rr, U).command is False


def test_every_frame_dissects_in_tshark_as_we_meant(tmp_path):
    path = tmp_path / "frames.pcap"
    with PcapWriter.open(path, LINKTYPE_LINUX_LAPD) as w:
        for i, (frame, sender, *_ignored) in enumerate(CASES):
            w.write_lapd(i * 0.01, encode(frame, sender), Direction.SENT, network_side=sender is N)
    rows = tshark.fields(path, "lapd.sapi", "lapd.tei", "lapd.cr", "lapd.control.ftype", "lapd.control.s_ftype",
                         "lapd.control.u_modifier_cmd", "lapd.control.u_modifier_resp", "lapd.control.n_s",
                         "lapd.control.n_r", "lapd.control.p", "lapd.control.f", "lapd.direction")
    assert len(rows) == len(CASES)
    for row, (frame, sender, _, cr, kind, ns, nr, p, f) in zip(rows, CASES):
        sapi, tei, got_cr, ftype, s_ftype, u_cmd, u_resp, got_ns, got_nr, got_p, got_f, direction = row
        assert (int(sapi), int(tei), got_cr) == (frame.sapi, frame.tei, cr), frame
        if kind == "I":
            assert ftype == "0x0000"
        elif kind.startswith("S "):
            assert (ftype, s_ftype) == ("0x0001", kind[2:])
        elif kind.startswith("cmd "):
            assert (ftype, u_cmd, u_resp) == ("0x03", kind[4:], ""), frame
        else:
            assert (ftype, u_cmd, u_resp) == ("0x03", "", kind[5:]), frame
        assert (got_ns, got_nr, got_p, got_f) == (ns, nr, p, f), frame
        assert direction == ("1" if sender is N else "0")
    tei_rows = tshark.fields(path, "tei.reference", "tei.msg", "tei.action")
    assert ["4660", "1", "127"] in tei_rows  # Ri 0x1234, Identity request, Ai 127
    assert tshark.malformed(path) == 0


def test_frmr_information_field_round_trips():
    info = FrmrInfo(bytes([0x6F, 0x00]), vs=127, vr=1, rejected_was_response=True, w=True, x=True, y=False, z=True)
    assert info.encode() == bytes([0x6F, 0x00, 0xFE, 0x03, 0x0B])
    assert FrmrInfo.decode(info.encode()) == info


# Octets that are no frame we may act on, the reason, and the Appendix II code.
BAD = [
    ("", "shorter", None),
    ("0001", "shorter", None),
    ("0101ff", "EA = 1", None),
    ("00007f", "EA = 0", None),
    ("000100", "second control octet", "N"),
    ("020100000000", "response", "L"),  # I frame from the user side with C/R = 1
    ("00010d00", "undefined supervisory", "L"),
    ("000101", "second control octet", "N"),
    ("0001010000", "after the control field", "N"),
    ("00012f", "undefined or not implemented", "L"),  # SABM (modulo 8) is not used on LAPD
    ("02017f", "sent as a response", "L"),  # SABME from the user with C/R = 1
    ("000173", "sent as a command", "L"),  # UA from the user with C/R = 0
    ("00017f00", "information field", "M"),
    ("0201870102", "FRMR information field", "N"),
    ("0001" + "0000" + "00" * 261, "N201", "O"),
    ("fcff03" + "00" * 261, "N201", "O"),
]


@pytest.mark.parametrize("octets,reason,code", BAD)
def test_bad_frames_raise_frame_error_naming_the_fault(octets, reason, code):
    with pytest.raises(FrameError) as err:
        decode(bytes.fromhex(octets), Side.USER)
    assert reason in err.value.reason
    assert err.value.mdl_code == code


def test_encoder_refuses_what_q921_does_not_allow():
    for frame in (Frame(FrameType.UA, command=True), Frame(FrameType.SABME, command=False),
                  Frame(FrameType.RR, nr=128), Frame(FrameType.I, ns=0, nr=0, info=bytes(261)),
                  Frame(FrameType.DISC, info=b"x"), Frame(FrameType.UI, sapi=64), Frame(FrameType.UI, tei=128)):
        with pytest.raises(ValueError):
            encode(frame, Side.USER)


def test_n201_is_a_parameter():
    frame = Frame(FrameType.I, ns=0, nr=0, info=bytes(300))
    assert decode(encode(frame, U, n201=300), U, n201=300) == frame


@settings(max_examples=3000, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([Side.USER, Side.NETWORK]))
def test_decoder_fuzz_raises_only_frame_error_and_round_trips(data, sender):
    try:
        frame = decode(data, sender)
    except FrameError as err:
        assert err.mdl_code in (None, "L", "M", "N", "O")
        return
    # Whatever decodes re-encodes to the same octets (the codec loses nothing).
    assert encode(frame, sender) == data
