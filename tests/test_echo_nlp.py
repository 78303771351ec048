"""NLP and comfort noise (G.168 tests 2A and 9 style), through A-law.

With NLP the returned echo after 1 s is at most -65 dBm0 as the peak of the
G.168 level meter (35 ms), with a near-end background at -70 dBm0; the comfort
noise stays within +-3 dB of the near-end background from -70 to -40 dBm0."""

import numpy as np
import pytest
import signals as S
from echo_cases import MODELS, delays_for, make_case

from cti_daemon import dsp

LEVELS = [-30.0, -20.0, -10.0]


@pytest.mark.parametrize("erl", [6.0, 20.0])
@pytest.mark.parametrize("k,model", list(enumerate(MODELS)))
def test_returned_echo_with_nlp(k, model, erl):
    level = LEVELS[k % 3]
    delay = delays_for(model)[["start", "middle", "end"][k % 3]]
    rng = np.random.default_rng(k)
    n = S.samples(4000)
    near = S.white_noise(-70.0, n, rng)
    case = make_case(S.css(4000, level, seed=k), model, erl, delay, near=near)
    sout = dsp.EchoCanceller(nlp=True).process(case.sin, case.rin)
    meter = S.level_meter_dbm0(sout)
    peak = float(np.max(meter[S.samples(1000):]))
    print(f"{model} ERL {erl} {level} dBm0: returned echo peak {peak:.1f} dBm0")
    assert peak <= -65.0


@pytest.mark.parametrize("background", [-70.0, -60.0, -50.0, -40.0])
def test_comfort_noise_matches_background(background):
    rng = np.random.default_rng(int(-background))
    n = S.samples(6000)
    near = S.white_noise(background, n, rng)
    case = make_case(S.css(6000, -15.0, seed=2), "D.3", 6.0, 200, near=near)
    ec = dsp.EchoCanceller(nlp=True)
    sout = ec.process(case.sin, case.rin)
    # Where the far end talks (its echo is being replaced), after convergence.
    far_active = np.convolve(np.abs(case.rin.astype(float)) > 30, np.ones(1200), "same") > 0
    sel = far_active.copy()
    sel[: S.samples(2000)] = False
    level = S.power_dbm0(sout[sel])
    print(f"background {background}: Sout {level:.1f} dBm0 over {sel.sum()} samples")
    assert sel.sum() > S.samples(2000)
    assert abs(level - background) <= 3.0


def test_nlp_off_keeps_residual():
    # Without NLP the output is the linear residual: no comfort noise replaces it.
    case = make_case(S.css(3000, -20.0, seed=4), "D.4", 6.0, 100)
    a = dsp.EchoCanceller(nlp=False).process(case.sin, case.rin)
    b = dsp.EchoCanceller(nlp=True).process(case.sin, case.rin)
    late = slice(S.samples(1500), None)
    assert S.power_dbm0(b[late]) < S.power_dbm0(a[late]) - 10.0
