"""The convergence and double-talk targets on real (espeak-ng) speech instead of
CSS, through A-law, without NLP."""

import numpy as np
import pytest
import signals as S
from echo_cases import MODELS, delays_for, make_case, reduction

from cti_daemon import dsp

FAR_TEXT = ("Hello, this is the far end speaking. I am calling about the order we placed last week. "
            "Could you please check the delivery date and call me back this afternoon?")
NEAR_TEXT = "Yes of course, let me have a look at that for you right now. One moment please."
SEC = S.samples(1000)


def far_speech(level, seconds=6.0):
    x = S.espeak_speech(FAR_TEXT, level, voice="en")
    return np.resize(x, int(seconds * SEC))


@pytest.mark.parametrize("k,model", list(enumerate(MODELS)))
def test_speech_convergence(k, model):
    erl = [6.0, 12.0, 20.0][k % 3]
    level = [-20.0, -10.0, -30.0][(k // 3) % 3]
    where = ["start", "middle", "end"][(k + 1) % 3]
    case = make_case(far_speech(level), model, erl, delays_for(model)[where])
    sout = dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)
    t0 = S.first_activity(case.rin)
    early, l_early = reduction(case, sout, t0 + S.samples(150), t0 + S.samples(500))
    late, l_late = reduction(case, sout, 4 * SEC, 6 * SEC)
    print(f"{model} ERL {erl} {where} {level} dBm0: early {early:.1f} (L {l_early:.1f}), late {late:.1f} (L {l_late:.1f})")
    assert early >= min(20.0, l_early - 2.0)
    assert late >= min(35.0, l_late - 2.0)


@pytest.mark.parametrize("model,erl", [("D.3", 6.0), ("D.8", 12.0)])
def test_speech_double_talk(model, erl):
    level = -15.0
    far = far_speech(level, 9.0)
    near = np.zeros(far.size)
    talk = S.espeak_speech(NEAR_TEXT, level - erl, voice="en+f3")[: 3 * SEC]
    near[3 * SEC: 3 * SEC + talk.size] = talk
    case = make_case(far, model, erl, delays_for(model)["middle"], near=near)
    sout = dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)
    before, _ = reduction(case, sout, 2 * SEC, 3 * SEC)
    end = 3 * SEC + talk.size
    after, l_after = reduction(case, sout, end, end + SEC)
    print(f"{model} ERL {erl}: before {before:.1f}, after {after:.1f} (L {l_after:.1f})")
    assert after >= before - 3.0


def test_conversation_with_double_talk_from_the_start():
    # G.168 test 3C style (simulated conversation): the near end talks 2 s of
    # every 5 s from the very start, over continuous far-end speech, so the
    # first convergence happens during double talk. Our own robustness check
    # (no G.168 figure): in every near-end-silent second after the first 5 s,
    # at least 20 dB of echo reduction, and never below 15 dB while both talk.
    # (Measured 23-33 dB and 22-30 dB: the best this line allows is ~37 dB;
    # searches during double talk still cost up to ~10 dB for a while.)
    rng = np.random.default_rng(1)
    n = 20 * SEC
    far = np.resize(S.espeak_speech(FAR_TEXT, -18.0, voice="en"), n)
    talk = np.resize(S.espeak_speech(NEAR_TEXT, -28.0, voice="en+f3"), n)
    talking = (np.arange(n) // SEC) % 5 < 2
    near = talk * talking + S.white_noise(-55.0, n, rng)
    case = make_case(far, "D.6", 8.0, 500, near=near)
    sout = dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)
    single, double = [], []
    for w in range(5, 20):
        r, _ = reduction(case, sout, w * SEC, (w + 1) * SEC)
        (double if w % 5 < 2 else single).append(r)
    print("single talk:", [round(float(v), 1) for v in single], "double talk:", [round(float(v), 1) for v in double])
    assert min(single) >= 20.0
    assert min(double) >= 15.0
