"""A short tour of the DSP core on a simulated A-law E1 channel.

Run with ``scripts/demo.sh`` (or ``python -m cti_daemon.dsp.demo`` once built). Each
scene makes what a caller or a far switch would put on a 2M trunk, passes it through
the A-law coder as the line does, and shows what the kernels recognise, with times.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np

from cti_daemon import dsp

RATE = 8000


def _ms(sample: int) -> str:
    return f"{sample / RATE * 1000:8.1f} ms"


def _line(pcm: np.ndarray) -> np.ndarray:
    """What the far end receives: the signal through the A-law coder."""
    return dsp.alaw_decode(dsp.alaw_encode(np.clip(np.round(pcm), -32768, 32767).astype(np.int16)))


def _rms(dbm0: float) -> float:
    """RMS of a signal at `dbm0` in A-law (0 dBm0: a sine of peak 22,824, G.711 Table 5)."""
    return 22824.0 / np.sqrt(2) * 10 ** (dbm0 / 20)


def _noise(seconds: float, dbm0: float, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(int(seconds * RATE)) * _rms(dbm0)


def _speech(text: str, voice: str) -> np.ndarray:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        raise SystemExit("the demo needs espeak-ng and sox (scripts/setup.sh installs them)")
    wav = subprocess.run(["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True).stdout
    raw = subprocess.run(["sox", "-G", "-D", "-t", "wav", "-", "-t", "raw", "-r", "8000", "-e", "signed",
                          "-b", "16", "-c", "1", "-"], input=wav, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float64)


def scene_g711() -> None:
    print("\n== G.711: every 16-bit input through both laws")
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    start = time.perf_counter()
    a = dsp.alaw_encode(pcm)
    u = dsp.ulaw_encode(pcm)
    took = time.perf_counter() - start
    transparent = np.array_equal(dsp.alaw_encode(dsp.alaw_decode(np.arange(256, dtype=np.uint8))),
                                 np.arange(256, dtype=np.uint8))
    print(f"   131,072 samples coded in {took * 1e6:.0f} us; A-law decode-encode is bit-transparent: {transparent}")
    print(f"   distinct codes: A-law {len(np.unique(a))}, mu-law {len(np.unique(u))}")


def scene_dtmf_and_tones(rng: np.random.Generator) -> None:
    print("\n== A caller dials 95511#, then the far switch plays China's ringback and busy tones")
    parts = [_noise(0.3, -60, rng),
             dsp.dtmf_generate("95511#", on_ms=80, off_ms=80, low_dbm0=-8.0, high_dbm0=-10.0).astype(np.float64),
             _noise(0.5, -60, rng),
             dsp.tone_generate("cn", "ringback", 5000).astype(np.float64),
             dsp.tone_generate("cn", "busy", 2800).astype(np.float64)]
    line = _line(np.concatenate(parts) + _noise(sum(p.size for p in parts) / RATE, -55, rng))
    digits = dsp.DtmfDetector()
    tones = dsp.ToneDetector(plan="cn")
    found = ""
    for chunk in np.array_split(line, line.size // 160):  # 20 ms blocks, as from the card
        found += digits.process(chunk)
        tones.process(chunk)
    digits.flush()
    print(f"   digits recognised: {found!r}")
    for digit, start, end in digits.events():
        print(f"     {digit}  {_ms(start)} .. {_ms(end)}")
    for name, what, sample in tones.events():
        print(f"   tone {name:<20} {what:<5} at {_ms(sample)}")


def scene_r2(rng: np.random.Generator) -> None:
    print("\n== China No.1 register signalling: the outgoing register sends 1-3-8 forward")
    burst = []
    for signal in (1, 3, 8):
        burst += [dsp.r2_generate(signal, "forward", 150).astype(np.float64), np.zeros(400)]
    line = _line(np.concatenate(burst) + _noise(len(np.concatenate(burst)) / RATE, -60, rng))
    detector = dsp.R2Detector("forward")
    print(f"   signals recognised: {detector.process(line)}")
    for signal, what, sample in detector.events():
        print(f"     signal {signal:>2} {what:<3} at {_ms(sample)}")


def scene_echo(rng: np.random.Generator) -> None:
    print("\n== Echo: the agent's prompt returns over a hybrid (G.168 model D.4, ERL 12 dB, 40 ms away)")
    far = _speech("Welcome to the claims line. Please hold while we find your policy.", "en-us+f3")
    far *= _rms(-18.0) / np.sqrt(np.mean(far**2))
    path = np.concatenate([np.zeros(320), dsp.g168_echo_path("D.4", 12.0)])
    echo = np.convolve(far, path)[: far.size]
    rin = _line(far)
    sin = _line(echo + _noise(far.size / RATE, -70, rng))
    canceller = dsp.EchoCanceller(tail_ms=128, nlp=False)
    sout = np.concatenate([canceller.process(s, r) for s, r in zip(np.array_split(sin, sin.size // 160),
                                                                    np.array_split(rin, rin.size // 160))])
    print("   second   echo in (dBm0)   after canceller (dBm0)   reduction")
    for second in range(int(far.size / RATE)):
        seg = slice(second * RATE, (second + 1) * RATE)
        p_in = np.mean(sin[seg].astype(np.float64) ** 2)
        p_out = np.mean(sout[seg].astype(np.float64) ** 2)
        ref = _rms(0.0) ** 2
        print(f"   {second:>5}   {10 * np.log10(p_in / ref + 1e-12):14.1f}   {10 * np.log10(p_out / ref + 1e-12):22.1f}"
              f"   {10 * np.log10((p_in + 1e-3) / (p_out + 1e-3)):8.1f} dB")


def scene_voice(rng: np.random.Generator) -> None:
    print("\n== Voice activity: a caller answers '喂，你好' after a second of line noise")
    speech = _speech("喂，你好，请问是哪位？", "cmn")
    speech *= _rms(-20.0) / np.sqrt(np.mean(speech**2))
    line = _line(np.concatenate([np.zeros(RATE), speech, np.zeros(RATE)]) + _noise(2 + speech.size / RATE, -65, rng))
    for what, sample in dsp.VoiceDetector(threshold_dbm0=-40.0, hangover_ms=300).process(line):
        print(f"   {what:<13} at {_ms(sample)}")


def main() -> None:
    rng = np.random.default_rng(7)
    print("cti-daemon DSP core demonstration (simulated A-law E1 channel, 8 kHz)")
    scene_g711()
    scene_dtmf_and_tones(rng)
    scene_r2(rng)
    scene_voice(rng)
    scene_echo(rng)


if __name__ == "__main__":
    main()
