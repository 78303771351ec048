"""Shared set-up of the echo canceller tests: far-end signal, echo through a
G.168 Annex D path after a pure delay, A-law on both directions (an E1 trunk)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import signals as S

from cti_daemon import dsp

TAIL = 1024  # samples in 128 ms
MODELS = ["D.2", "D.3", "D.4", "D.5", "D.6", "D.7", "D.8", "D.9"]


def delays_for(model: str, tail: int = TAIL) -> dict[str, int]:
    """Pure delays putting the path at the start, middle and end of the tail."""
    n = dsp.g168_echo_path(model, 0.0).size
    return {"start": 0, "middle": (tail - n) // 2, "end": tail - n - 4}


@dataclass
class Case:
    rin: np.ndarray  # int16, what we sent (after A-law)
    echo: np.ndarray  # float64, the echo before the trunk's coder
    near: np.ndarray  # float64, near-end signal added before the coder
    sin: np.ndarray  # int16, alaw(echo + near)

    def ideal_residual(self) -> np.ndarray:
        """What an ideal canceller leaves: Sin minus the exact echo (the coding noise and the near end)."""
        return self.sin.astype(np.float64) - self.echo


def make_case(far, model: str, erl_db: float, delay: int, near=None) -> Case:
    rin = S.through_alaw(far)
    echo = S.echo_of(rin, dsp.g168_echo_path(model, erl_db), delay)
    near = np.zeros(rin.size) if near is None else np.asarray(near, dtype=np.float64)[: rin.size]
    sin = S.through_alaw(echo + near)
    return Case(rin, echo, near, sin)


def reduction(case: Case, sout, start: int, stop: int) -> tuple[float, float]:
    """(echo reduction achieved, ideal L) over [start, stop), both measured in the
    200-3600 Hz band on the echo component: Sout minus the near-end signal as the
    canceller passes it (high-passed at 150 Hz, the filter it applies to Sin)."""
    near_out = S.echo_canceller_highpass(case.near) if np.any(case.near) else case.near
    residual = np.asarray(sout, dtype=np.float64) - near_out
    ideal = case.ideal_residual() - case.near
    return (S.band_reduction_db(case.echo, residual, start, stop),
            S.band_reduction_db(case.echo, ideal, start, stop))


def echo_onset(case: Case, model: str, delay: int) -> int:
    """Sample at which the echo first reaches Sin: the first far-end activity,
    plus the pure delay, plus the first tap of the path model above 1 % of its
    peak."""
    h = np.abs(dsp.g168_echo_path(model, 0.0))
    first_tap = int(np.nonzero(h > 0.01 * h.max())[0][0])
    return S.first_activity(case.rin) + delay + first_tap


def genie_reduction(case: Case, start: int, stop: int, exact_from: int) -> float:
    """Echo reduction over [start, stop) of a genie canceller that passes Sin
    untouched before sample `exact_from` and subtracts the exact echo from then
    on (so it leaves only the coding noise). With `exact_from` at the echo
    onset this is L restricted to the window; later, it bounds any canceller
    that needs that long after the onset to converge."""
    residual = case.sin.astype(np.float64) - case.near
    residual[exact_from:] -= case.echo[exact_from:]
    return S.band_reduction_db(case.echo, residual, start, stop)


def oracle_ls_residual(case: Case, lag0: int, first_solve: int, taps: int = 160, every: int = 8,
                       ridge: float = 1e-5, upto: int = 4000) -> np.ndarray:
    """Residual of a least-squares canceller that is told where the echo lies
    (a `taps`-tap window starting at lag `lag0`): from `first_solve` on, and
    every `every` samples after, it solves the (lightly ridge-regularised)
    normal equations on all of Sin and Rin so far and applies that filter to
    the following samples (up to sample `upto`). With the window equal to the
    path's support this is the Gauss-Markov (minimum-variance unbiased)
    estimate of the path from the data so far: a yardstick for how fast any
    unbiased adaptive filter can converge on these signals."""
    n = min(case.rin.size, upto)
    rin = case.rin[:n].astype(np.float64)
    sin = case.sin[:n].astype(np.float64)
    # x[t, k] = rin[t - lag0 - k] (zero before the start).
    pad = np.concatenate([np.zeros(lag0 + taps), rin])
    x = pad[np.arange(n)[:, None] + taps - np.arange(taps)[None, :]]
    residual = sin.copy()
    r = x[:first_solve].T @ x[:first_solve]
    p = x[:first_solve].T @ sin[:first_solve]
    t = first_solve
    while t < n:
        a = r.copy()
        a[np.diag_indices(taps)] += ridge * np.trace(r) / taps + 1.0
        h = np.linalg.solve(a, p)
        end = min(n, t + every)
        residual[t:end] = sin[t:end] - x[t:end] @ h
        r += x[t:end].T @ x[t:end]
        p += x[t:end].T @ sin[t:end]
        t = end
    return residual


def oracle_ls_reduction(case: Case, model: str, delay: int, start: int, stop: int, after_onset_ms: float = 5.0) -> float:
    """Echo reduction over [start, stop) of `oracle_ls_residual` with the
    window exactly on the path model's significant taps (above 1 % of its
    peak), its first solve `after_onset_ms` after the echo onset, re-solved
    every millisecond."""
    h = np.abs(dsp.g168_echo_path(model, 0.0))
    sig = np.nonzero(h > 0.01 * h.max())[0]
    first, last = int(sig[0]), int(sig[-1])
    onset = echo_onset(case, model, delay)
    residual = oracle_ls_residual(case, delay + first, onset + S.samples(after_onset_ms),
                                  taps=last - first + 1, upto=stop)
    return S.band_reduction_db(case.echo, residual, start, stop)
