"""G.711 through the Python surface: the contract's shapes, dtypes and errors, and
conformance cross-checks against CPython's audioop (an independent encoder)."""

import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cti_daemon import dsp

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SWEEP = np.arange(-32768, 32768, dtype=np.int16)


def words_crc(codes) -> int:
    return zlib.crc32(np.asarray(codes).astype("<u2").tobytes())


def test_stl_reference_crcs():
    # CRC-32 (little-endian words) of the G.191 STL reference files for the full sweep.
    assert zlib.crc32(SWEEP.astype("<i2").tobytes()) == 0xC8BA7682
    assert words_crc(dsp.alaw_encode(SWEEP)) == 0x74719FE4
    assert words_crc(dsp.ulaw_encode(SWEEP)) == 0xCD170E15
    assert zlib.crc32(dsp.alaw_decode(dsp.alaw_encode(SWEEP)).astype("<i2").tobytes()) == 0xABCEAA69
    assert zlib.crc32(dsp.ulaw_decode(dsp.ulaw_encode(SWEEP)).astype("<i2").tobytes()) == 0x63641C01


def test_against_audioop():
    raw = SWEEP.tobytes()
    a = np.frombuffer(audioop.lin2alaw(raw, 2), dtype=np.uint8)
    assert np.array_equal(dsp.alaw_encode(SWEEP), a)
    codes = bytes(range(256))
    assert np.array_equal(dsp.alaw_decode(codes), np.frombuffer(audioop.alaw2lin(codes, 2), dtype=np.int16))
    assert np.array_equal(dsp.ulaw_decode(codes), np.frombuffer(audioop.ulaw2lin(codes, 2), dtype=np.int16))
    # audioop's mu-law encoder rounds negative inputs with the two's complement; the STL uses
    # the one's complement. They differ at exactly 508 negative inputs, by one code step.
    u = np.frombuffer(audioop.lin2ulaw(raw, 2), dtype=np.uint8)
    ours = dsp.ulaw_encode(SWEEP)
    differ = np.nonzero(ours != u)[0]
    assert differ.size == 508
    assert np.all(SWEEP[differ] < 0)
    assert np.all(np.abs(ours[differ].astype(int) - u[differ].astype(int)) == 1)


def test_round_trip_identity():
    codes = np.arange(256, dtype=np.uint8)
    assert np.array_equal(dsp.alaw_encode(dsp.alaw_decode(codes)), codes)
    back = dsp.ulaw_encode(dsp.ulaw_decode(codes))
    assert np.array_equal(back[codes != 0x7F], codes[codes != 0x7F])
    assert back[0x7F] == 0xFF


def test_conversion_tables_are_not_reencoding():
    codes = np.arange(256, dtype=np.uint8)
    table = dsp.ulaw_to_alaw(codes)
    reencoded = dsp.alaw_encode(dsp.ulaw_decode(codes))
    assert int(np.count_nonzero(table != reencoded)) == 44
    assert dsp.alaw_to_ulaw(bytes([0xD5]))[0] == dsp.ulaw_encode(dsp.alaw_decode(bytes([0xD5])))[0]


def test_any_shape_and_strides():
    x = SWEEP.reshape(64, 1024)[::3, ::-5]
    out = dsp.alaw_encode(x)
    assert out.shape == x.shape and out.dtype == np.uint8
    assert np.array_equal(out, dsp.alaw_encode(np.ascontiguousarray(x)))
    dec = dsp.ulaw_decode(out)
    assert dec.shape == x.shape and dec.dtype == np.int16
    assert dsp.alaw_encode(np.zeros((0, 3), dtype=np.int16)).shape == (0, 3)
    assert dsp.alaw_decode(bytearray(b"\xd5")).tolist() == [8]


@pytest.mark.parametrize("fn", [dsp.alaw_encode, dsp.ulaw_encode])
def test_encoders_reject_wrong_dtype(fn):
    with pytest.raises(TypeError, match="int16"):
        fn(np.zeros(4, dtype=np.float64))
    with pytest.raises(TypeError, match="int16"):
        fn([1, 2, 3])


@pytest.mark.parametrize("fn", [dsp.alaw_decode, dsp.ulaw_decode, dsp.alaw_to_ulaw, dsp.ulaw_to_alaw])
def test_decoders_reject_wrong_dtype(fn):
    with pytest.raises(TypeError, match="uint8"):
        fn(np.zeros(4, dtype=np.int16))
    with pytest.raises(TypeError):
        fn("text")


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.int16, hnp.array_shapes(min_dims=0, max_dims=3, max_side=20)))
def test_fuzz_encode_decode_matches_scalar_rule(x):
    a = dsp.alaw_encode(x)
    assert a.shape == x.shape
    # Decoding then encoding a code is the identity for A-law, so decode(encode(x)) is a fixed point.
    assert np.array_equal(dsp.alaw_encode(dsp.alaw_decode(a)), a)
    d = dsp.alaw_decode(a).astype(np.int32)
    # Quantisation error is within half a step: at most 1/32 of the magnitude plus 8 (A-law segment 0 step 16).
    assert np.all(np.abs(d - x.astype(np.int32)) <= np.abs(x.astype(np.int32)) // 32 + 16)
