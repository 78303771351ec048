"""G.168 convergence without NLP (tests 2B/2C style) on every Annex D echo path
model, at ERL 6, 12 and 20 dB, with the path at the start, middle and end of a
128 ms tail, CSS at -30 to -10 dBm0, through A-law.

Targets (requirements): echo reduction >= min(20 dB, L - 2) over 150-500 ms
after the first far-end speech and >= min(35 dB, L - 2) after 4 s, where L is
what an ideal canceller reaches on the same signals.

Where the early target is out of reach of any unbiased estimator. With the
path at the end of the 128 ms tail (pure delay 892-956 samples) the echo
reaches Sin 112-120 ms after the far-end speech starts, i.e. 30-38 ms before
the window opens, and those ms carry only the echo of the CSS voiced part (a
few harmonics of a ~135-sample period, weak after the hybrid's low-frequency
loss); the echo of the noise part, which alone excites the whole band, starts
~14 ms into the window. Bounds on the 9 cases that failed before (dB over
150-500 ms; "genie N" subtracts the exact echo from N ms after the echo onset,
"oracle" is `oracle_ls_reduction`: the least-squares fit of exactly the
path's significant taps, told the delay, on all the data so far, re-solved
every ms from 5 ms after the onset):

    case               L     genie N=0  5   10   20   30   40 | oracle | ours
    D.2 ERL12 -30    31.4    31.4 31.4 31.4 31.4 31.4 30.9 |  27.7  | 24.7   (before: 12.4; 21.9 before the shadow's output)
    D.2 ERL20 -20    32.9    32.9 32.9 32.9 32.9 32.9 31.8 |  29.7  | 26.6   (before: 18.7; 25.3)
    D.4 ERL20 -30    23.4    23.4 23.4 23.4 23.4 23.4 23.3 |  17.0  | 16.9   (before: 10.4; 15.6)
    D.5 ERL12 -30    31.0    31.0 31.0 31.0 31.0 31.0 30.9 |  23.7  | 22.8   (before: 12.9; 20.9)
    D.5 ERL20 -20    32.8    32.8 32.8 32.8 32.8 32.8 32.8 |  25.2  | 24.6   (before: 12.9; 21.9)
    D.7 ERL20 -30    21.7    21.7 21.7 21.7 21.7 21.7 21.6 |  14.5  | 14.7   (before: 9.3; 13.3)
    D.8 ERL12 -30    26.4    26.4 26.4 26.4 26.4 26.4 26.2 |  20.4  | 20.3   (before: 7.5; 18.4)
    D.8 ERL20 -20    28.8    28.8 28.8 28.8 28.8 28.8 28.5 |  22.3  | 21.2   (before: 12.8; 20.3)
    D.9 ERL6  -30    33.2    33.2 33.2 33.2 33.2 33.2 30.4 |  27.3  | 27.0   (before: 19.0; 24.5)

The exact-echo genie reaches L whenever it starts within 30 ms of the onset,
so on its own it says nothing is out of reach; but it knows the response at
frequencies the voiced echo never excited, which no adaptive filter can. The
oracle is the Gauss-Markov (minimum-variance unbiased) estimate with the most
prior knowledge an adaptive filter could have short of the path itself, and
starting it 0.5, 5, 10 or 20 ms after the onset changes it by at most 0.6 dB:
what limits it is the excitation and the coding noise (L 21-23 dB: a -50 dBm0
echo in A-law's smallest steps), not its start. So N = 5 ms is used, and where
the oracle falls short of min(20, L - 2) (D.4 and D.7 at ERL 20, -30 dBm0:
17.0 and 14.5 dB against 20 and 19.7) the test asserts that we stay within
BOUND_MARGIN = 3 dB of it (measured 0.1 dB short of it and 0.2 dB above: the
oracle knows the delay and the support and solves every ms, we find both
from the correlation and each solution runs 1 ms as a shadow before it replaces
the filter, but during the first search Sout takes the shadow's residual
when it had the least power of Sin, filter and shadow over the last 1 ms,
which a single filter cannot do).
Everywhere else the literal target is asserted.

The oracle bounds unbiased estimators only. A biased one can beat it when the
echo is this weak: ridge toward zero scaled to the A-law coding noise (a MAP
fit with a flat prior on the taps) measured 16.3 dB on both D.4 and D.7 above
(still short of 20 and 19.7) but lost 1-2 dB on D.5 and made it fail (measured
before the 96-tap fit was added); the canceller keeps its ridge toward the
running filter. D.8 at ERL 12, -30 dBm0, 18.4 dB against an oracle of 20.4
until Sout took the shadow's residual, now meets the literal target
(20.3 dB); KNOWN_SHORTFALL, where a case reachable by the oracle but
not yet by us would be held within BOUND_MARGIN of it, is empty."""

import itertools

import numpy as np
import pytest
import signals as S
from echo_cases import (MODELS, delays_for, echo_onset, genie_reduction, make_case, oracle_ls_reduction,
                        reduction)

from cti_daemon import dsp

LEVELS = [-30.0, -20.0, -10.0]
CASES = [
    (m, erl, where, LEVELS[(i + j + k) % 3])
    for i, m in enumerate(MODELS)
    for j, erl in enumerate([6.0, 12.0, 20.0])
    for k, where in enumerate(["start", "middle", "end"])
]

EARLY = (S.samples(150), S.samples(500))
LATE = (S.samples(4000), S.samples(5000))
# How far below the least-squares oracle we may stay where the oracle itself
# misses the early target (see the module docstring).
BOUND_MARGIN = 3.0
# Reachable by the oracle but not yet by us (see the module docstring): the one place
# the literal early target is not asserted. Remove the entry once it passes.
KNOWN_SHORTFALL: set[tuple[str, float, float]] = set()


def early_target(case, model, erl, level, where, delay, l_early):
    """(target, how it was set): the literal min(20, L - 2), or for a path at
    the end of the tail where the oracle cannot reach that, the oracle's bound
    less BOUND_MARGIN."""
    target = min(20.0, l_early - 2.0)
    if where == "end":
        bound = oracle_ls_reduction(case, model, delay, *EARLY)
        if bound < target:
            return bound - BOUND_MARGIN, f"oracle {bound:.1f} < {target:.1f}"
        if (model, erl, level) in KNOWN_SHORTFALL:
            return bound - BOUND_MARGIN, f"KNOWN SHORTFALL: literal {target:.1f} not met yet, oracle {bound:.1f}"
    return target, "literal"


@pytest.mark.parametrize("model,erl,where,level", CASES)
def test_convergence(model, erl, where, level):
    delay = delays_for(model)[where]
    case = make_case(S.css(5000, level, seed=3), model, erl, delay)
    sout = dsp.EchoCanceller(tail_ms=128, nlp=False).process(case.sin, case.rin)
    early, l_early = reduction(case, sout, *EARLY)
    late, l_late = reduction(case, sout, *LATE)
    target, why = early_target(case, model, erl, level, where, delay, l_early)
    print(f"{model} ERL {erl} {where} ({delay}) {level} dBm0: early {early:.1f} (L {l_early:.1f}, "
          f"target {target:.1f}, {why}), late {late:.1f} (L {l_late:.1f})")
    assert early >= target
    assert late >= min(35.0, l_late - 2.0)


UNREACHABLE = [("D.4", 20.0, -30.0), ("D.7", 20.0, -30.0)]


@pytest.mark.parametrize("model,erl,level", [
    ("D.2", 12.0, -30.0), ("D.2", 20.0, -20.0), ("D.4", 20.0, -30.0), ("D.5", 12.0, -30.0), ("D.5", 20.0, -20.0),
    ("D.7", 20.0, -30.0), ("D.8", 12.0, -30.0), ("D.8", 20.0, -20.0), ("D.9", 6.0, -30.0)])
def test_early_bounds_end_of_tail(model, erl, level):
    # The bounds of the module docstring, recomputed: the exact-echo genie from
    # the echo onset is L restricted to the window; starting it later never
    # helps and costs under 3 dB up to 40 ms; the least-squares oracle stays
    # below the genie; and the oracle misses min(20, L - 2) exactly on the two
    # cases listed in UNREACHABLE.
    delay = delays_for(model)["end"]
    case = make_case(S.css(5000, level, seed=3), model, erl, delay)
    _, l_early = reduction(case, case.sin.astype(np.float64), *EARLY)
    onset = echo_onset(case, model, delay)
    genie = [genie_reduction(case, *EARLY, onset + S.samples(n)) for n in (0, 5, 10, 20, 30, 40)]
    oracle = oracle_ls_reduction(case, model, delay, *EARLY)
    print(f"{model} ERL {erl} {level} dBm0: L {l_early:.1f}, genie N=0,5,10,20,30,40 ms "
          f"{[round(float(g), 1) for g in genie]}, oracle {oracle:.1f}")
    assert abs(genie[0] - l_early) < 0.05
    assert all(b <= a + 0.05 for a, b in zip(genie, genie[1:]))
    assert genie[0] - genie[-1] < 3.0
    assert oracle < genie[1]
    assert (oracle < min(20.0, l_early - 2.0)) == ((model, erl, level) in UNREACHABLE)


@pytest.mark.parametrize("tail,model,delay", [(16, "D.2", 0), (16, "D.9", 20), (32, "D.5", 100), (32, "D.3", 150),
                                              (64, "D.7", 0), (64, "D.8", 380)])
def test_shorter_tails(tail, model, delay):
    case = make_case(S.css(5000, -20.0, seed=5), model, 12.0, delay)
    sout = dsp.EchoCanceller(tail_ms=tail, nlp=False).process(case.sin, case.rin)
    early, l_early = reduction(case, sout, *EARLY)
    late, l_late = reduction(case, sout, *LATE)
    print(f"tail {tail} {model} delay {delay}: early {early:.1f} (L {l_early:.1f}), late {late:.1f} (L {l_late:.1f})")
    assert early >= min(20.0, l_early - 2.0)
    assert late >= min(35.0, l_late - 2.0)


@pytest.mark.parametrize("model,erl,where,level", [c for c in CASES if c[2] == "end"])
def test_convergence_from_echo_onset(model, erl, where, level):
    # The same early target, but timed from when the first echo reaches Sin (the
    # far-end speech onset plus the pure delay) rather than from the far-end
    # speech itself. With the path at the end of a 128 ms tail the echo arrives
    # 112-120 ms after the speech, and the strict test above leaves only a few
    # tens of ms of (voiced) echo before its window opens.
    delay = delays_for(model)[where]
    case = make_case(S.css(5000, level, seed=3), model, erl, delay)
    sout = dsp.EchoCanceller(tail_ms=128, nlp=False).process(case.sin, case.rin)
    early, l_early = reduction(case, sout, delay + EARLY[0], delay + EARLY[1])
    print(f"{model} ERL {erl} {where} ({delay}) {level} dBm0: from echo onset {early:.1f} (L {l_early:.1f})")
    assert early >= min(20.0, l_early - 2.0)
