"""Test signals: tones, noise and line coding at exact dBm0 levels.

0 dBm0 is the power of the G.711 digital milliwatt decoded with our own decoder
(the same reference the kernels use): peak about 22 824 in A-law, 22 651 in mu-law.
Signals are float64 until they pass through a line coder (`through_alaw`), which
rounds, clips to int16 and companders them as a real trunk would.
"""

from __future__ import annotations

import numpy as np

from cti_daemon import dsp

SAMPLE_RATE = 8000

_MILLIWATT = {
    "alaw": bytes([0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4]),
    "ulaw": bytes([0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E]),
}


def reference_power(law: str = "alaw") -> float:
    """Mean power of 0 dBm0 in linear units squared."""
    decode = dsp.alaw_decode if law == "alaw" else dsp.ulaw_decode
    x = decode(_MILLIWATT[law]).astype(np.float64)
    return float(np.mean(x * x))


def amplitude(dbm0: float, law: str = "alaw") -> float:
    """Peak amplitude of a sine at `dbm0`."""
    return float(np.sqrt(2.0 * reference_power(law) * 10.0 ** (dbm0 / 10.0)))


def power_dbm0(x, law: str = "alaw") -> float:
    """Level in dBm0 of a signal (mean power over all of it)."""
    x = np.asarray(x, dtype=np.float64)
    p = float(np.mean(x * x)) if x.size else 0.0
    return 10.0 * np.log10(max(p, 1e-20) / reference_power(law))


def samples(ms: float) -> int:
    return int(round(ms * SAMPLE_RATE / 1000.0))


def tone(freqs, levels_dbm0, ms: float, phase=None, rng: np.random.Generator | None = None, law: str = "alaw"):
    """Sum of sines, one per frequency, each at its own level (a scalar level applies to all).

    Phases: `phase` (one per tone, radians) if given, else random when `rng` is given, else 0.
    """
    freqs = np.atleast_1d(np.asarray(freqs, dtype=np.float64))
    levels = np.broadcast_to(np.asarray(levels_dbm0, dtype=np.float64), freqs.shape)
    if phase is not None:
        phases = np.broadcast_to(np.asarray(phase, dtype=np.float64), freqs.shape)
    elif rng is not None:
        phases = rng.uniform(0, 2 * np.pi, freqs.shape)
    else:
        phases = np.zeros(freqs.shape)
    t = np.arange(samples(ms)) / SAMPLE_RATE
    out = np.zeros(t.size)
    for f, lv, ph in zip(freqs, levels, phases):
        out += amplitude(float(lv), law) * np.sin(2 * np.pi * f * t + ph)
    return out


def silence(ms: float):
    return np.zeros(samples(ms))


def concat(*parts):
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]) if parts else np.zeros(0)


def white_noise(dbm0: float, n: int, rng: np.random.Generator, law: str = "alaw"):
    """Gaussian white noise whose power over 0-4 kHz is `dbm0`."""
    return rng.standard_normal(n) * np.sqrt(reference_power(law) * 10.0 ** (dbm0 / 10.0))


def to_int16(x) -> np.ndarray:
    return np.clip(np.round(np.asarray(x, dtype=np.float64)), -32768, 32767).astype(np.int16)


def through_alaw(x) -> np.ndarray:
    """What the far end decodes after the signal crossed an A-law trunk."""
    return dsp.alaw_decode(dsp.alaw_encode(to_int16(x)))


def through_ulaw(x) -> np.ndarray:
    return dsp.ulaw_decode(dsp.ulaw_encode(to_int16(x)))
