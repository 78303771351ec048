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


# ---------------------------------------------------------------------------
# G.168 echo canceller test signals and measurements.

# G.168 Annex C, Tables C.1 and C.3: the "voiced" part of the composite source
# signal (CSS), two pitch periods of a vowel at 8 kHz.
_CSS_VOICED_C1 = np.array([
    -155, 276, 517, 578, 491, 302, 86, -103, -207, -198, 60, 190,
    543, 948, 1362, 1741, 2043, 2276, 2422, 2500, 2552, 2595, 2655, 2758,
    2896, 3060, 3224, 3370, 3500, 3569, 3603, 3603, 3595, 3586, 3595, 3638,
    3724, 3819, 3922, 4000, 4043, 4034, 3974, 3862, 3724, 3577, 3439, 3336,
    3267, 3224, 3198, 3172, 3129, 3043, 2914, 2750, 2560, 2353, 2155, 1991,
    1853, 1750, 1672, 1603, 1534, 1440, 1310, 1146, 965, 776, 603, 448,
    345, 276, 250, 250, 267, 267, 241, 190, 103, -9, -138, -267,
    -388, -491, -569, -638, -698, -759, -813, -888, -957, -1034, -1103, -1146,
    -1181, -1190, -1198, -1215, -1259, -1327, -1457, -1629, -1853, -2121, -2414, -2707,
    -3017, -3319, -3612, -3913, -4224, -4560, -4922, -5301, -5715, -6137, -6560, -6948,
    -7301, -7568, -7732, -7758, -7620, -7310, -6810, -6155, -5344, -4439, -3474, -2508,
    -1595, -802,
], dtype=np.float64)
_CSS_VOICED_C3 = np.array([
    -198, -112, -9, 103, 233, 388, 543, 724, 896, 1060, 1233, 1388,
    1517, 1638, 1747, 1810, 1845, 1845, 1802, 1707, 1569, 1379, 1146, 871,
    560, 233, -121, -491, -871, -1250, -1638, -2043, -2465, -2896, -3345, -3819,
    -4310, -4810, -5319, -5836, -6353, -6853, -7353, -7836, -8292, -8715, -9077, -9370,
    -9542, -9542, -9361, -8956, -8327, -7465, -6396, -5163, -3827, -2448, -1103, 155,
    1293, 2241, 3034, 3655, 4138, 4517, 4827, 5094, 5344, 5594, 5827, 6043,
    6215, 6344, 6413, 6422, 6379, 6310, 6215, 6120, 6051, 6000, 5991, 5991,
    6000, 6008, 5991, 5939, 5853, 5715, 5560, 5387, 5215, 5043, 4879, 4732,
    4586, 4439, 4276, 4086, 3870, 3629, 3370, 3086, 2801, 2534, 2267, 2034,
    1819, 1612, 1422, 1224, 1026, 819, 603, 388, 181, 9, -181, -328,
    -448, -543, -629, -707, -784, -871, -948, -1026, -1112, -1181, -1241, -1276,
    -1293, -1302, -1293, -1267, -1250, -1233, -1224, -1224, -1224, -1224, -1215, -1198,
    -1172, -1129, -1077, -1026, -974, -922, -888, -871, -845, -828, -810, -793,
    -767, -741, -698, -672, -638, -603, -595, -586, -595, -603, -621, -629,
    -938, -638, -638, -638, -638, -638, -647, -664, -690, -724, -767, -793,
    -819, -845, -853, -871, -879, -888, -896, -922, -948, -974, -1009, -1026,
    -1052, -1069, -1077, -1069, -1060, -1060, -1052, -1043, -1043, -1052, -1060, -1060,
    -1060, -1052, -1034, -1017, -991, -957, -931, -905, -888, -862, -845, -819,
    -793, -767, -724, -672, -621, -560, -509, -457, -397, -345, -276, -207,
    -112,
], dtype=np.float64)


def css(ms: float, dbm0: float, seed: int = 1, law: str = "alaw") -> np.ndarray:
    """The G.168 composite source signal (Annex C), float64 at 8 kHz.

    One period (350 ms) is the voiced part (48.62 ms: the Table C.1 and C.3
    pitch periods repeated), 200 ms of pseudo-noise with a speech-like spectrum
    (flat to 800 Hz, then -6 dB/octave, 200-3400 Hz; noise from `seed`) and a
    pause of 101.38 ms; every other period is inverted. The level `dbm0` is the
    mean power over whole periods (pauses included).
    """
    n = samples(ms)
    voiced_n, noise_n, pause_n = 389, 1600, 811
    period = voiced_n + noise_n + pause_n
    cycle = np.concatenate([_CSS_VOICED_C1, _CSS_VOICED_C3])
    voiced = np.resize(cycle, voiced_n)
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal(noise_n))
    f = np.fft.rfftfreq(noise_n, 1 / SAMPLE_RATE)
    shape = np.where((f >= 200) & (f <= 3400), 1.0 / np.maximum(f, 800.0) * 800.0, 0.0)
    noise = np.fft.irfft(spec * shape, noise_n)
    # Each active part at the same power.
    voiced = voiced / np.sqrt(np.mean(voiced**2))
    noise = noise / np.sqrt(np.mean(noise**2))
    one = np.concatenate([voiced, noise, np.zeros(pause_n)])
    two = np.concatenate([one, -one])
    out = np.resize(two, n)
    target = reference_power(law) * 10.0 ** (dbm0 / 10.0)
    full = np.resize(two, 2 * period)
    return out * np.sqrt(target / np.mean(full**2))


def echo_of(rin, path, delay: int) -> np.ndarray:
    """The echo of `rin` (what was sent) through impulse response `path` after a
    pure delay of `delay` samples, float64, same length as `rin`."""
    rin = np.asarray(rin, dtype=np.float64)
    y = np.convolve(rin, np.asarray(path, dtype=np.float64))[: rin.size]
    out = np.zeros(rin.size)
    if delay < rin.size:
        out[delay:] = y[: rin.size - delay]
    return out


def band(x, lo: float = 200.0, hi: float = 3600.0) -> np.ndarray:
    """`x` restricted to lo..hi Hz (FFT mask): the measuring band for echo levels
    (G.168 6.4.1.2.1 measures through a band-pass filter too)."""
    x = np.asarray(x, dtype=np.float64)
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, 1 / SAMPLE_RATE)
    spec[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(spec, x.size)


def band_power(x, lo: float = 200.0, hi: float = 3600.0) -> float:
    """Mean power of `x` within lo..hi Hz (Parseval over the FFT bins of `x`
    alone, so nothing outside the segment leaks in)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return 0.0
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, 1 / SAMPLE_RATE)
    w = np.full(f.size, 2.0)
    w[0] = 1.0
    if x.size % 2 == 0:
        w[-1] = 1.0
    sel = (f >= lo) & (f <= hi)
    return float(np.sum(w[sel] * np.abs(spec[sel]) ** 2) / x.size**2)


def band_reduction_db(reference, residual, start: int, stop: int) -> float:
    """10 log10 of the in-band (200-3600 Hz) power of `reference` over that of
    `residual`, both over [start, stop)."""
    a = band_power(np.asarray(reference, dtype=np.float64)[start:stop])
    b = band_power(np.asarray(residual, dtype=np.float64)[start:stop])
    return 10.0 * np.log10(max(a, 1e-20) / max(b, 1e-20))


def reduction_db(reference, residual, start: int, stop: int) -> float:
    """10 log10 of the power of `reference` over that of `residual` in [start, stop)."""
    a = np.asarray(reference, dtype=np.float64)[start:stop]
    b = np.asarray(residual, dtype=np.float64)[start:stop]
    return 10.0 * np.log10(max(np.mean(a * a), 1e-20) / max(np.mean(b * b), 1e-20))


def level_meter_dbm0(x, tau_ms: float = 35.0, law: str = "alaw") -> np.ndarray:
    """G.168 level meter: power smoothed with a `tau_ms` time constant, in dBm0,
    one value per sample (recursive filter run in blocks of cumulative sums)."""
    x = np.asarray(x, dtype=np.float64)
    a = np.exp(-1.0 / (tau_ms * SAMPLE_RATE / 1000.0))
    p = x * x * (1 - a)
    # y[n] = a y[n-1] + p[n], evaluated exactly with scaled cumulative sums per block.
    out = np.empty(x.size)
    state = 0.0
    blk = 512
    k = np.arange(blk)
    decay = a ** (k + 1)
    for s in range(0, x.size, blk):
        seg = p[s : s + blk]
        m = seg.size
        w = a ** (-(k[:m]).astype(np.float64))
        y = (np.cumsum(seg * w) * a ** k[:m]) + state * decay[:m]
        out[s : s + m] = y
        state = y[-1]
    return 10.0 * np.log10(np.maximum(out, 1e-20) / reference_power(law))


def dtmf(digits: str, dbm0_per_tone: float, tone_ms: float = 100.0, gap_ms: float = 100.0):
    """DTMF digits (Q.23 frequencies), each tone at `dbm0_per_tone`."""
    rows = {"1": 697, "2": 697, "3": 697, "A": 697, "4": 770, "5": 770, "6": 770, "B": 770,
            "7": 852, "8": 852, "9": 852, "C": 852, "*": 941, "0": 941, "#": 941, "D": 941}
    cols = {"1": 1209, "4": 1209, "7": 1209, "*": 1209, "2": 1336, "5": 1336, "8": 1336, "0": 1336,
            "3": 1477, "6": 1477, "9": 1477, "#": 1477, "A": 1633, "B": 1633, "C": 1633, "D": 1633}
    parts = []
    for d in digits:
        parts.append(tone([rows[d], cols[d]], dbm0_per_tone, tone_ms))
        parts.append(silence(gap_ms))
    return concat(*parts)


def echo_canceller_highpass(x) -> np.ndarray:
    """The 4th-order Butterworth 150 Hz high-pass the echo canceller applies to
    Sin (and Rin) before cancelling (bilinear transform, two sections), so tests
    can compare Sout with the high-passed near-end signal. Applied by FFT
    convolution with its impulse response (8192 samples, far below 1e-9 at the end)."""
    x = np.asarray(x, dtype=np.float64)
    h = _ec_highpass_impulse()
    n = x.size + h.size - 1
    size = 1 << (n - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: x.size]


_EC_HP = None


def _ec_highpass_impulse() -> np.ndarray:
    global _EC_HP
    if _EC_HP is None:
        y = np.zeros(8192)
        y[0] = 1.0
        for q in (0.5411961, 1.306563):
            w0 = 2 * np.pi * 150.0 / SAMPLE_RATE
            alpha = np.sin(w0) / (2 * q)
            cw = np.cos(w0)
            a0 = 1 + alpha
            b = np.array([(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]) / a0
            a1, a2 = -2 * cw / a0, (1 - alpha) / a0
            out = np.zeros_like(y)
            x1 = x2 = y1 = y2 = 0.0
            for i, v in enumerate(y):
                o = b[0] * v + b[1] * x1 + b[2] * x2 - a1 * y1 - a2 * y2
                x2, x1, y2, y1 = x1, v, y1, o
                out[i] = o
            y = out
        _EC_HP = y
    return _EC_HP


_SPEECH_CACHE: dict = {}


def espeak_speech(text: str, dbm0: float, voice: str = "en", speed: int = 150, law: str = "alaw") -> np.ndarray:
    """Real synthetic speech from espeak-ng, float64 at 8 kHz, band-limited to
    200-3400 Hz (a telephone channel) and scaled so its mean power over the whole
    utterance (pauses included) is `dbm0`."""
    import io
    import subprocess
    import wave

    key = (text, voice, speed)
    if key not in _SPEECH_CACHE:
        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
                             check=True, capture_output=True).stdout
        with wave.open(io.BytesIO(wav)) as w:
            rate = w.getframerate()
            x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
        # FFT resampling to 8 kHz with the telephone band kept.
        n_out = int(round(x.size * SAMPLE_RATE / rate))
        spec = np.fft.rfft(x)
        f = np.fft.rfftfreq(x.size, 1 / rate)
        spec[(f < 200) | (f > 3400)] = 0
        keep = n_out // 2 + 1
        y = np.fft.irfft(spec[:keep], n_out) * (n_out / x.size)
        _SPEECH_CACHE[key] = y
    y = _SPEECH_CACHE[key]
    return y * np.sqrt(reference_power(law) * 10.0 ** (dbm0 / 10.0) / np.mean(y * y))


def first_activity(x, threshold: float = 100.0) -> int:
    """Index of the first sample whose magnitude exceeds `threshold`."""
    idx = np.nonzero(np.abs(np.asarray(x, dtype=np.float64)) > threshold)[0]
    return int(idx[0]) if idx.size else 0
