"""Voice activity detector through the Python surface: onsets and ends located in
time, threshold and hangover honoured, noise ignored. Signals cross A-law."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import signals as S
from cti_daemon import dsp

RATE = 8000


def speechy(ms, level, rng):
    """Speech-band noise with a syllabic (4 Hz) envelope that never falls below half,
    scaled so that its mean power is `level` dBm0."""
    n = S.samples(ms)
    x = rng.standard_normal(n)
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1 / RATE)
    spec[(f < 250) | (f > 3400)] = 0
    x = np.fft.irfft(spec, n)
    x *= 0.75 + 0.25 * np.sin(2 * np.pi * 4 * np.arange(n) / RATE)
    return x * np.sqrt(S.reference_power() * 10 ** (level / 10) / np.mean(x**2))


def bursts(spec, level, rng, lead_ms=500.0):
    """Silence of lead_ms, then (burst_ms, pause_ms) pairs. Returns the signal and the
    true (onset, end) samples of each burst."""
    parts = [S.silence(lead_ms)]
    truth = []
    pos = S.samples(lead_ms)
    for on, off in spec:
        parts += [speechy(on, level, rng), S.silence(off)]
        truth.append((pos, pos + S.samples(on)))
        pos += S.samples(on) + S.samples(off)
    return S.concat(*parts), truth


def run(x, **kw):
    v = dsp.VoiceDetector(**kw)
    return v.process(S.through_alaw(x))


@pytest.mark.parametrize("hangover_ms", [0, 100, 300, 800])
@pytest.mark.parametrize("level", [-30.0, -20.0, -5.0])
def test_bursts_located(level, hangover_ms):
    rng = np.random.default_rng(1)
    spec = [(400, 1500), (1200, 2000), (250, 1200), (3000, 1500)]
    x, truth = bursts(spec, level, rng)
    events = run(x, threshold_dbm0=-40.0, hangover_ms=hangover_ms)
    assert [e[0] for e in events] == ["speech_start", "speech_end"] * len(truth)
    tol = S.samples(20)
    for (onset, end), (start_ev, end_ev) in zip(truth, zip(events[::2], events[1::2])):
        assert abs(start_ev[1] - onset) <= tol
        assert abs(end_ev[1] - (end + S.samples(hangover_ms))) <= tol


def test_below_threshold_never_triggers():
    rng = np.random.default_rng(2)
    x, _ = bursts([(2000, 500)] * 5, -45.0, rng)
    assert run(x, threshold_dbm0=-40.0) == []
    # A steady tone 2 dB below the threshold, for 20 s.
    assert run(S.tone(1000, -42.0, 20000), threshold_dbm0=-40.0) == []
    # And just above it: one start.
    assert [e[0] for e in run(S.tone(1000, -38.0, 2000), threshold_dbm0=-40.0)] == ["speech_start"]


def test_line_noise_at_minus_60_ignored():
    rng = np.random.default_rng(3)
    x = S.white_noise(-60.0, S.samples(120_000), rng)
    assert run(x, threshold_dbm0=-40.0) == []


def test_threshold_configurable():
    rng = np.random.default_rng(4)
    x, _ = bursts([(1000, 1000)], -30.0, rng)
    assert len(run(x, threshold_dbm0=-35.0)) == 2
    assert run(x, threshold_dbm0=-25.0) == []


@pytest.mark.parametrize("pause_ms, hangover_ms, segments", [(200, 300, 1), (250, 300, 1), (500, 300, 3),
                                                              (200, 100, 3), (900, 1000, 1)])
def test_hangover_bridges_short_pauses(pause_ms, hangover_ms, segments):
    rng = np.random.default_rng(5)
    x, truth = bursts([(600, pause_ms), (600, pause_ms), (600, 3000)], -20.0, rng)
    events = run(x, hangover_ms=hangover_ms)
    assert [e[0] for e in events] == ["speech_start", "speech_end"] * segments
    assert abs(events[-1][1] - (truth[-1][1] + S.samples(hangover_ms))) <= S.samples(20)


def test_click_does_not_start_speech():
    x = S.concat(S.silence(500), S.tone(1000, -10, 8), S.silence(500))
    assert run(x) == []


def test_events_drain_and_reset():
    rng = np.random.default_rng(6)
    x, _ = bursts([(500, 1000)], -20.0, rng)
    v = dsp.VoiceDetector()
    got = v.process(S.through_alaw(x))
    assert v.events() == got and v.events() == []
    v.reset()
    assert v.process(S.through_alaw(x)) == got


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.just(0), st.just(1), st.integers(0, 400), st.integers(0, 9000)), min_size=1,
                max_size=40))
def test_chunking_invariance(sizes):
    rng = np.random.default_rng(7)
    x, _ = bursts([(400, 300), (900, 700), (300, 1200)], -25.0, rng)
    pcm = S.through_alaw(x)
    want = dsp.VoiceDetector(hangover_ms=250).process(pcm)
    v = dsp.VoiceDetector(hangover_ms=250)
    got = []
    i = k = 0
    while i < pcm.size:
        n = sizes[k % len(sizes)] or (1 if k % len(sizes) == len(sizes) - 1 else 0)
        k += 1
        got += v.process(pcm[i:i + n])
        i += n
    assert got == want


@pytest.mark.parametrize("block", [16, 160, 7])
def test_bank_equals_single(block):
    rng = np.random.default_rng(8)
    sigs = [S.through_alaw(bursts([(500, 800)] * 4, lv, rng)[0]) for lv in (-20.0, -35.0, -45.0)]
    n = min(s.size for s in sigs) // block * block
    data = np.stack([s[:n] for s in sigs])
    bank = dsp.VoiceDetectorBank(3, threshold_dbm0=-38.0, hangover_ms=200)
    got = []
    for i in range(0, n, block):
        got += bank.process(data[:, i:i + block])
    events = bank.events()
    for c in range(3):
        single = dsp.VoiceDetector(threshold_dbm0=-38.0, hangover_ms=200).process(data[c])
        assert [item for ch, item in got if ch == c] == single
        assert [e[1:] for e in events if e[0] == c] == single
    assert any(ch == 0 for ch, _ in got) and not any(ch == 2 for ch, _ in got)
    bank.reset(1)
    with pytest.raises(ValueError):
        bank.reset(3)


def test_errors():
    for kw in ({"threshold_dbm0": float("nan")}, {"threshold_dbm0": 20.0}, {"threshold_dbm0": -200.0},
               {"hangover_ms": -1}, {"hangover_ms": float("inf")}, {"hangover_ms": 1e9}):
        with pytest.raises(ValueError):
            dsp.VoiceDetector(**kw)
        with pytest.raises(ValueError):
            dsp.VoiceDetectorBank(2, **kw)
    with pytest.raises(TypeError):
        dsp.VoiceDetector(threshold_dbm0="loud")
    with pytest.raises(ValueError):
        dsp.VoiceDetector(hangover_ms=10**400)
    with pytest.raises(ValueError):
        dsp.VoiceDetectorBank(10**30)
    with pytest.raises(TypeError):
        dsp.VoiceDetectorBank(1.5)
    assert dsp.VoiceDetector(-30, 100).process(np.zeros(800, dtype=np.int16)) == []
    assert dsp.VoiceDetector(None, None).process(np.zeros(8, dtype=np.int16)) == []
    with pytest.raises(ValueError):
        dsp.VoiceDetectorBank(0)
    v = dsp.VoiceDetector()
    with pytest.raises(TypeError):
        v.process(np.zeros(8, dtype=np.float64))
    with pytest.raises(ValueError):
        v.process(np.zeros((1, 8), dtype=np.int16))
    bank = dsp.VoiceDetectorBank(2)
    with pytest.raises(ValueError):
        bank.process(np.zeros((3, 8), dtype=np.int16))


DTYPES = st.sampled_from([np.int16, np.int32, np.float64, np.uint8, np.float32, np.int64])


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, max_side=300)),
       st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
def test_fuzz(arr, threshold, hangover):
    try:
        v = dsp.VoiceDetector(threshold_dbm0=threshold, hangover_ms=hangover)
        bank = dsp.VoiceDetectorBank(2, threshold_dbm0=threshold, hangover_ms=hangover)
    except ValueError:
        return
    for call in (v.process, bank.process):
        try:
            out = call(arr)
        except (TypeError, ValueError):
            continue
        assert isinstance(out, list)


ARGS = st.one_of(st.integers(-2**80, 0), st.integers(1, 64), st.integers(100_001, 2**80), st.floats(),
                 st.text(max_size=3), st.none(), st.booleans())


@settings(max_examples=80, deadline=None)
@given(ARGS, ARGS, ARGS)
def test_fuzz_constructor_args(channels, threshold, hangover):
    for make in (lambda: dsp.VoiceDetector(threshold, hangover),
                 lambda: dsp.VoiceDetectorBank(channels, threshold, hangover),
                 lambda: dsp.ToneDetectorBank(channels),
                 lambda: dsp.tone_generate("cn", "busy", hangover, threshold)):
        try:
            make()
        except (TypeError, ValueError):
            pass
