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
