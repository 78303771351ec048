"""The libpri harness's own pieces: the FCS it appends, the event lines it parses, and
the peer program's refusal of bad arguments (no libpri run needed for most)."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libpri_peer import PEER_SOURCE, LibpriPeer, PeerEvent, build_peer, fcs16


def test_fcs16_is_crc16_x25_with_the_standard_check_value():
    # CRC-16/X.25 of "123456789" is 0x906E (ISO/IEC 13239), sent low octet first.
    assert fcs16(b"123456789") == bytes([0x6E, 0x90])
    assert fcs16(b"") == bytes([0x00, 0x00])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fcs16_over_a_frame_and_its_fcs_leaves_the_good_residual(frame):
    # ISO/IEC 13239: the receiver's CRC register over frame + FCS ends at the constant
    # 0xF0B8 whatever the frame; fcs16() inverts it: 0x0F47, low octet first.
    assert fcs16(frame + fcs16(frame)) == bytes([0x47, 0x0F])


def test_peer_event_arguments():
    event = PeerEvent(1.5, "hangup", ("3", "32769", "1", "17"))
    assert (event.int_arg(0), event.int_arg(3)) == (3, 17)


def test_a_role_libpri_does_not_have_is_refused():
    with pytest.raises(ValueError, match="network' or 'cpe"):
        LibpriPeer("/nonexistent", "te")


def test_the_peer_refuses_bad_arguments(tmp_path):
    binary = build_peer(tmp_path)
    done = subprocess.run([str(binary), "switch", "3"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr
    done = subprocess.run([str(binary), "network", "0", "-t", "T999=5"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "bad timer T999=5" in done.stderr


def test_the_peer_builds_without_a_warning(tmp_path):
    done = subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", str(PEER_SOURCE)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
