"""Shared measuring tools for the benchmarks.

Every benchmark module ``benchmarks/bench_*.py`` defines ``run() -> list[Result]``;
``benchmarks/run.py`` imports them all and writes BENCHMARKS.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 8000

# Set by `run.py --quick` (the test suite's check that every benchmark still runs):
# each figure is timed once and briefly, so its value means nothing.
QUICK = False


@dataclass
class Result:
    """One measured figure, with its target and the baseline measured beside it."""

    group: str  # table it belongs to, e.g. "DTMF detection"
    name: str  # what was measured, e.g. "ours, 160-sample blocks"
    value: float
    unit: str  # e.g. "channels/core", "Msample/s"
    target: str = ""  # e.g. ">= 50000"; empty for baselines
    met: bool | None = None  # None for baselines and figures without a target
    note: str = ""


def cpu_seconds(fn, *, min_seconds: float = 1.0, repeat: int = 3) -> float:
    """Best-of-`repeat` CPU seconds per call of fn(), each trial at least min_seconds long."""
    if QUICK:
        min_seconds, repeat = 0.0, 1
    best = float("inf")
    for _ in range(repeat):
        calls = 0
        start = time.process_time()
        while True:
            fn()
            calls += 1
            elapsed = time.process_time() - start
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / calls)
    return best


def channels_per_core(process_block, channels: int, block: int, **kw) -> float:
    """Channels one core keeps in real time, given process_block() that handles one
    block of `block` samples on each of `channels` channels."""
    per_call = cpu_seconds(process_block, **kw)
    return channels * block / SAMPLE_RATE / per_call


def speech_like(seconds: float, dbm0: float = -20.0, seed: int = 1) -> np.ndarray:
    """A speech-like int16 signal (syllabic bursts of coloured noise with pauses),
    RMS over the whole signal at `dbm0` (A-law reference), for speed figures where
    data-dependent branches matter. Not a conformance signal."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    # Coloured noise shaped in the frequency domain: speech band, falling spectrum.
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
    shape = np.where((f > 200) & (f < 3600), 1.0 / np.sqrt(np.maximum(f, 200) / 200), 0.0)
    coloured = np.fft.irfft(spec * shape, n)
    t = np.arange(n) / SAMPLE_RATE
    # Syllables at about 3 per second, phrases with pauses.
    envelope = np.clip(np.sin(2 * np.pi * 3.0 * t) + 0.2, 0, None) * (np.sin(2 * np.pi * 0.4 * t) > -0.3)
    sig = coloured * envelope
    ref_rms = 16139.0 * 10 ** (dbm0 / 20)
    sig *= ref_rms / max(np.sqrt(np.mean(sig**2)), 1e-9)
    return np.clip(np.round(sig), -32768, 32767).astype(np.int16)
