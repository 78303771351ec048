"""The full per-channel receive chain, as the media engine runs it on every channel:
A-law decode, echo canceller (128 ms), DTMF, call-progress tones (cn), voice activity,
A-law encode of the transmit side. Channels per core and state bytes per channel.

The banks process all channels of one block per call, so Python is called once per
kernel per block, never per channel or per sample.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import harness
import numpy as np
from harness import SAMPLE_RATE, Result, cpu_seconds, speech_like

from cti_daemon import dsp

CHANNELS = 600


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _signals(seconds: float):
    """Far-end speech (what we send) and what comes back: its echo through G.168 model
    D.4 at ERL 12 dB, 30 ms away, plus near-end speech, both through A-law."""
    far = speech_like(seconds, -18.0, seed=3).astype(np.float64)
    near = speech_like(seconds, -24.0, seed=4).astype(np.float64)
    path = np.concatenate([np.zeros(240), dsp.g168_echo_path("D.4", 12.0)])
    received = np.convolve(far, path)[: far.size] + np.roll(near, 4000)
    tx = dsp.alaw_decode(dsp.alaw_encode(far.astype(np.int16)))
    rx_codes = dsp.alaw_encode(np.clip(np.round(received), -32768, 32767).astype(np.int16))
    return tx, rx_codes


class Chain:
    def __init__(self, channels: int):
        self.echo = dsp.EchoCancellerBank(channels, tail_ms=128, nlp=True)
        self.dtmf = dsp.DtmfDetectorBank(channels)
        self.tones = dsp.ToneDetectorBank(channels, plan="cn")
        self.voice = dsp.VoiceDetectorBank(channels)

    def block(self, rx_codes: np.ndarray, tx_pcm: np.ndarray) -> np.ndarray:
        sin = dsp.alaw_decode(rx_codes)
        tx_codes = dsp.alaw_encode(tx_pcm)
        rin = dsp.alaw_decode(tx_codes)  # the reference is exactly what went to the line
        residual = self.echo.process(sin, rin)
        self.dtmf.process(residual)
        self.tones.process(residual)
        self.voice.process(residual)
        return tx_codes


def _blocks(tx, rx_codes, channels: int, block: int, seconds: float):
    """`seconds` of audio as a list of (rx codes, tx pcm) blocks shaped (channels, block);
    each channel reads the signals at its own offset."""
    count = int(seconds * SAMPLE_RATE) // block
    offsets = (np.arange(channels) * 997) % (tx.size - count * block)
    index = offsets[:, None] + np.arange(count * block)[None, :]
    rx_all, tx_all = rx_codes[index], tx[index]
    return [(np.ascontiguousarray(rx_all[:, k * block:(k + 1) * block]),
             np.ascontiguousarray(tx_all[:, k * block:(k + 1) * block])) for k in range(count)]


def _state_per_channel(many: int, seconds: float) -> float:
    """Resident memory added by the banks of `many` channels after `seconds` of audio
    (so that every buffer of every kernel has been written), per channel, in a fresh
    Python process. The input blocks exist before the first reading, so they do not count."""
    script = (
        "import sys, gc; sys.path.insert(0, sys.argv[1]); import bench_chain as b\n"
        "tx, rx = b._signals(30.0)\n"
        "blocks = b._blocks(tx, rx, int(sys.argv[2]), 160, float(sys.argv[3]))\n"
        "gc.collect(); before = b._rss_bytes(); chain = b.Chain(int(sys.argv[2]))\n"
        "for r, t in blocks: chain.block(r, t)\n"
        "gc.collect(); print((b._rss_bytes() - before) / int(sys.argv[2]))\n"
    )
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run([sys.executable, "-c", script, here, str(many), str(seconds)],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def run() -> list[Result]:
    global CHANNELS
    many = 1500
    if harness.QUICK:  # the test suite's check that this still runs: small and short
        CHANNELS, many = 16, 200
    tx, rx_codes = _signals(30.0)
    out = []
    g = f"Full receive chain per channel: decode, EC 128 ms + NLP, DTMF, tones (cn), VAD, encode ({CHANNELS} channels)"
    for block in (160, 16):
        blocks = _blocks(tx, rx_codes, CHANNELS, block, 1.0)
        chain = Chain(CHANNELS)
        # Converge first: the cost that matters is the steady state of a call.
        for rx, txb in _blocks(tx, rx_codes, CHANNELS, block, 2.0):
            chain.block(rx, txb)

        def second_of_audio():
            for rx, txb in blocks:
                chain.block(rx, txb)

        per_second = cpu_seconds(second_of_audio, min_seconds=2.0)
        cpc = CHANNELS / per_second
        out.append(Result(g, f"ours, {block}-sample blocks", cpc, "channels/core", ">= 600",
                          cpc >= 600, f"{cpc / 30:.1f} E1 spans of 30 channels"))
        del chain, blocks
    # State per channel, measured in a fresh process (here, freed memory of the runs
    # above would be reused by the allocator and hide the growth).
    per_channel = _state_per_channel(many, 0.1 if harness.QUICK else 1.0)
    out.append(Result(g, "state per channel (resident memory of the banks)", per_channel / 1024, "KiB",
                      "<= 40", per_channel <= 40 * 1024, f"{CHANNELS} channels: {per_channel * CHANNELS / 2**20:.1f} MiB"))
    return out
