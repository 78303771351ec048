"""Robustness (G.168 tests 3, 6, 15 style and path changes), through A-law,
without NLP so the linear canceller itself is measured."""

import numpy as np
import pytest
import signals as S
from echo_cases import Case, delays_for, make_case, reduction

from cti_daemon import dsp

SEC = S.samples(1000)


def run(case: Case) -> np.ndarray:
    return dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)


def near_speech(n: int, level: float, seed: int) -> np.ndarray:
    # Another talker: CSS from another seed, shifted so its bursts overlap the far end's.
    return np.roll(S.css(n / 8.0 + 1, level, seed=seed)[:n], 1234)


@pytest.mark.parametrize("model,erl,where", [("D.2", 6.0, "start"), ("D.5", 6.0, "middle"), ("D.7", 12.0, "end"),
                                             ("D.9", 6.0, "middle")])
def test_double_talk(model, erl, where):
    # 3 s far end alone, 3 s double talk with near-end speech as loud as the echo, 2 s far end alone.
    level = -15.0
    far = S.css(8000, level, seed=1)
    near = np.zeros(far.size)
    near[3 * SEC: 6 * SEC] = near_speech(3 * SEC, level - erl, seed=7)
    case = make_case(far, model, erl, delays_for(model)[where], near=near)
    sout = run(case)
    before, l_before = reduction(case, sout, 2 * SEC, 3 * SEC)
    after, l_after = reduction(case, sout, 6 * SEC, 7 * SEC)
    during, _ = reduction(case, sout, 3 * SEC, 6 * SEC)
    print(f"{model} ERL {erl}: before {before:.1f}, during {during:.1f}, after {after:.1f} dB (L {l_after:.1f})")
    assert after >= before - 3.0


TONES = [300, 500, 697, 941, 1004, 1209, 1336, 1633, 2000, 2400, 2900, 3400]


@pytest.mark.parametrize("signal", [str(f) for f in TONES] + ["dtmf", "697+1209", "941+1633"])
def test_narrow_band_rin(signal):
    # G.168 test 6: 5 s of a tone (or DTMF) at -10 dBm0 on Rin after convergence, then speech again.
    level = -20.0
    conv = S.css(3000, level, seed=2)
    if signal == "dtmf":
        tone = S.dtmf("1234567890*#ABCD" * 2, -13.0, 80, 80)
        tone = np.resize(tone, 5 * SEC)
    elif "+" in signal:
        f1, f2 = (float(v) for v in signal.split("+"))
        tone = S.tone([f1, f2], -13.0, 5000)  # two tones at -13 dBm0 each: -10 dBm0 together
    else:
        tone = S.tone(float(signal), -10.0, 5000)
    after_speech = S.css(2000, level, seed=3)
    far = S.concat(conv, tone, after_speech)
    case = make_case(far, "D.4", 6.0, 300)
    sout = run(case)
    before, _ = reduction(case, sout, 2 * SEC, 3 * SEC)
    # "Within 1 s": on the speech from 200 ms after the tone ends (the tone's own
    # echo lasts up to 50 ms more and is not speech) to 1 s after.
    t0 = 8 * SEC
    after, l_after = reduction(case, sout, t0 + S.samples(200), t0 + SEC)
    print(f"{signal}: before {before:.1f}, 0.2-1 s after {after:.1f} dB (L {l_after:.1f})")
    assert after >= before - 3.0


def test_low_level_rin_noise_with_near_noise():
    # Rin white noise at -55 dBm0 for 10 s, near-end noise at -45 dBm0.
    rng = np.random.default_rng(5)
    far = S.concat(S.css(3000, -20.0, seed=4), S.white_noise(-55.0, 10 * SEC, rng), S.css(2000, -20.0, seed=6))
    near = np.zeros(far.size)
    near[3 * SEC: 13 * SEC] = S.white_noise(-45.0, 10 * SEC, rng)
    case = make_case(far, "D.6", 6.0, 500, near=near)
    sout = run(case)
    w = S.samples(50)
    worst = -99.0
    for i in range(3 * SEC, 13 * SEC, w):
        excess = S.power_dbm0(sout[i:i + w]) - S.power_dbm0(case.sin[i:i + w])
        worst = max(worst, excess)
    before, _ = reduction(case, sout, 2 * SEC, 3 * SEC)
    after, _ = reduction(case, sout, 13 * SEC, 14 * SEC)
    print(f"worst Sout - Sin {worst:.2f} dB; reduction before {before:.1f}, after {after:.1f}")
    assert worst <= 0.5
    assert after >= before - 3.0


@pytest.mark.parametrize("k,model", list(enumerate(["D.2", "D.3", "D.4", "D.5", "D.6", "D.7", "D.8", "D.9"])))
def test_dc_offset_and_hum(k, model):
    # Sin carries +256 LSB DC and 50 Hz hum at -30 dBm0: convergence targets on the echo component.
    erl = [6.0, 12.0, 20.0][k % 3]
    level = [-30.0, -20.0, -10.0][(k + 1) % 3]
    n = 5 * SEC
    hum = S.tone(50.0, -30.0, 5000)
    far = S.css(5000, level, seed=k)
    case = make_case(far, model, erl, delays_for(model)["middle"], near=256.0 + hum)
    sout = run(case)
    early, l_early = reduction(case, sout, S.samples(150), S.samples(500))
    late, l_late = reduction(case, sout, 4 * SEC, n)
    print(f"{model} ERL {erl} {level}: early {early:.1f} (L {l_early:.1f}), late {late:.1f} (L {l_late:.1f})")
    assert early >= min(20.0, l_early - 2.0)
    assert late >= min(35.0, l_late - 2.0)


@pytest.mark.parametrize("first,second", [(("D.2", 6.0, "start"), ("D.7", 6.0, "end")),
                                          (("D.5", 12.0, "middle"), ("D.3", 12.0, "start")),
                                          (("D.8", 6.0, "end"), ("D.9", 6.0, "middle")),
                                          (("D.4", 20.0, "middle"), ("D.6", 12.0, "middle"))])
def test_echo_path_change(first, second):
    # A transfer: after 3 s the echo comes from another model and delay; the early
    # target applies again over 150-500 ms after the change.
    level = -15.0
    far = S.css(6000, level, seed=8)
    rin = S.through_alaw(far)
    t = 3 * SEC
    e1 = S.echo_of(rin, dsp.g168_echo_path(first[0], first[1]), delays_for(first[0])[first[2]])
    e2 = S.echo_of(rin, dsp.g168_echo_path(second[0], second[1]), delays_for(second[0])[second[2]])
    echo = np.concatenate([e1[:t], e2[t:]])
    case = Case(rin, echo, np.zeros(rin.size), S.through_alaw(echo))
    sout = run(case)
    before, l_before = reduction(case, sout, 2 * SEC, t)
    early, l_early = reduction(case, sout, t + S.samples(150), t + S.samples(500))
    late, l_late = reduction(case, sout, 5 * SEC, 6 * SEC)
    print(f"{first} -> {second}: before {before:.1f}, early {early:.1f} (L {l_early:.1f}), late {late:.1f}")
    assert before >= min(35.0, l_before - 2.0)
    assert early >= min(20.0, l_early - 2.0)
    assert late >= min(35.0, l_late - 2.0)
