"""EchoCanceller / EchoCancellerBank / g168_echo_path: the Python contract, bad
input, chunking invariance, bank = single channels, SIMD = scalar, state size."""

import numpy as np
import pytest
import signals as S
from echo_cases import make_case
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cti_daemon import dsp


def speechy(ms=2000, level=-20.0, seed=1):
    return make_case(S.css(ms, level, seed=seed), "D.5", 10.0, 300)


def test_shapes_and_dtype():
    c = speechy(500)
    ec = dsp.EchoCanceller()
    out = ec.process(c.sin, c.rin)
    assert out.dtype == np.int16 and out.shape == c.sin.shape
    assert ec.process(np.zeros(0, np.int16), np.zeros(0, np.int16)).shape == (0,)
    assert ec.events() == []


@pytest.mark.parametrize("tail", [16, 32, 64, 128])
def test_valid_tails(tail):
    dsp.EchoCanceller(tail_ms=tail, nlp=False)
    dsp.EchoCancellerBank(2, tail_ms=tail)


@pytest.mark.parametrize("tail", [0, 8, 100, 256, -16])
def test_bad_tail(tail):
    with pytest.raises(ValueError):
        dsp.EchoCanceller(tail_ms=tail)
    with pytest.raises(ValueError):
        dsp.EchoCancellerBank(2, tail_ms=tail)


def test_bad_arguments():
    ec = dsp.EchoCanceller()
    z = np.zeros(10, np.int16)
    with pytest.raises(ValueError):
        ec.process(z, np.zeros(11, np.int16))
    with pytest.raises(TypeError):
        ec.process(z.astype(np.float32), z)
    with pytest.raises(TypeError):
        ec.process(z, [0] * 10)
    with pytest.raises(ValueError):
        ec.process(np.zeros((2, 5), np.int16), np.zeros((2, 5), np.int16))
    bank = dsp.EchoCancellerBank(3)
    with pytest.raises(ValueError):
        bank.process(np.zeros((2, 8), np.int16), np.zeros((2, 8), np.int16))
    with pytest.raises(ValueError):
        bank.process(np.zeros((3, 8), np.int16), np.zeros((3, 9), np.int16))
    with pytest.raises(TypeError):
        bank.process(np.zeros((3, 8), np.int32), np.zeros((3, 8), np.int16))
    with pytest.raises(IndexError):
        bank.reset(3)
    with pytest.raises(ValueError):
        dsp.EchoCancellerBank(0)
    with pytest.raises(ValueError):
        dsp.g168_echo_path("D.1", 6.0)
    with pytest.raises(ValueError):
        dsp.g168_echo_path("D.2", float("nan"))


def test_g168_paths():
    lengths = {"D.2": 64, "D.3": 96, "D.4": 96, "D.5": 128, "D.6": 96, "D.7": 120, "D.8": 96, "D.9": 99}
    for m, n in lengths.items():
        h = dsp.g168_echo_path(m, 12.0)
        assert h.dtype == np.float64 and h.size == n
        assert abs(10 * np.log10(np.sum(h * h)) + 12.0) < 1e-9
    # G.168 Table D.2 starts -436, -829, -2797 (scaled): check the shape, not just the size.
    h = dsp.g168_echo_path("D.2", 0.0)
    assert np.allclose(h[:3] / h[0], [1.0, 829 / 436, 2797 / 436])


@settings(max_examples=60, deadline=None)
@given(
    sin=hnp.arrays(
        dtype=st.sampled_from([np.int16, np.int32, np.float64, np.uint8]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=40),
    ),
    rin_len=st.integers(0, 50),
    tail=st.sampled_from([16, 32, 64, 128, 1, 1000]),
)
def test_fuzz_single(sin, rin_len, tail):
    try:
        ec = dsp.EchoCanceller(tail_ms=tail)
    except ValueError:
        return
    rin = np.zeros(rin_len, np.int16)
    try:
        out = ec.process(sin, rin)
    except (TypeError, ValueError):
        return
    assert out.shape == (rin_len,)


@settings(max_examples=40, deadline=None)
@given(
    block=hnp.arrays(dtype=st.sampled_from([np.int16, np.float32]), shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=12)),
    channels=st.integers(1, 4),
)
def test_fuzz_bank(block, channels):
    bank = dsp.EchoCancellerBank(channels)
    try:
        out = bank.process(block, block)
    except (TypeError, ValueError):
        return
    assert out.shape == block.shape and out.dtype == np.int16


C = speechy(1500, seed=5)
WHOLE = dsp.EchoCanceller().process(C.sin, C.rin)


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(0, C.sin.size), min_size=0, max_size=12))
def test_chunking_invariance(cuts):
    # Any chunking, with empty and one-sample chunks, gives the same output.
    edges = sorted(cuts + [0, C.sin.size, 1, 1, 2])
    ec = dsp.EchoCanceller()
    parts = [ec.process(C.sin[a:b], C.rin[a:b]) for a, b in zip(edges[:-1], edges[1:])]
    assert np.array_equal(np.concatenate(parts), WHOLE)


def test_bank_equals_single():
    cases = [make_case(S.css(1500, lv, seed=k), m, erl, d) for k, (lv, m, erl, d) in
             enumerate([(-20, "D.2", 6, 0), (-30, "D.7", 12, 500), (-10, "D.9", 20, 900)])]
    singles = [dsp.EchoCanceller().process(c.sin, c.rin) for c in cases]
    bank = dsp.EchoCancellerBank(3)
    sin = np.stack([c.sin for c in cases])
    rin = np.stack([c.rin for c in cases])
    outs = [bank.process(sin[:, i:i + 160], rin[:, i:i + 160]) for i in range(0, sin.shape[1], 160)]
    got = np.concatenate(outs, axis=1)
    for k in range(3):
        assert np.array_equal(got[k], singles[k])
    # reset(channel) makes that channel start again like a new canceller.
    bank.reset(1)
    again = bank.process(sin[:, :800], rin[:, :800])
    assert np.array_equal(again[1], singles[1][:800])
    assert bank.events() == []


def test_reset_restarts():
    ec = dsp.EchoCanceller()
    first = ec.process(C.sin, C.rin)
    ec.reset()
    assert np.array_equal(ec.process(C.sin, C.rin), first)


def test_simd_and_scalar_agree():
    fast = dsp.EchoCanceller()
    slow = dsp.EchoCanceller(force_scalar=True)
    assert slow.kernel == "scalar"
    a = fast.process(C.sin, C.rin)
    b = slow.process(C.sin, C.rin)
    # Float sums in another order: rounding differences of a few LSB at most.
    assert np.max(np.abs(a.astype(int) - b.astype(int))) <= 3
    ra = S.reduction_db(C.echo, a, 4000, 12000)
    rb = S.reduction_db(C.echo, b, 4000, 12000)
    assert abs(ra - rb) < 0.2


def test_state_size():
    ec = dsp.EchoCanceller(tail_ms=128)
    print("state bytes at 128 ms:", ec.state_bytes)
    assert ec.state_bytes <= 24 * 1024
    assert dsp.EchoCancellerBank(4).state_bytes_per_channel == ec.state_bytes
