"""G.168 echo canceller throughput (128 ms tail, NLP on) with the bank on
speech-like input, at 160- and 16-sample blocks, AVX2+FMA and scalar kernels.

The far end is `harness.speech_like`; Sin is its echo through G.168 model D.5
(ERL 12 dB, 40 ms bulk delay) through A-law plus near-end speech-like noise.
Every channel is first run for 3 s so the first convergence search is over,
then seconds 3-12 are timed (path-change checks and double-talk searches
included); the convergence cost and a whole 12 s call are reported beside."""

from __future__ import annotations

import time

import harness
import numpy as np
import spandsp_baseline
from harness import SAMPLE_RATE, Result, speech_like

from cti_daemon import dsp

CHANNELS = 64
TARGET = 1000.0


def _alaw(x):
    return dsp.alaw_decode(dsp.alaw_encode(np.clip(np.round(x), -32768, 32767).astype(np.int16)))


def _signals(seconds: float, channels: int):
    rin = np.stack([speech_like(seconds, -20.0, seed=10 + c) for c in range(channels)])
    h = dsp.g168_echo_path("D.5", 12.0)
    sin = np.empty_like(rin)
    for c in range(channels):
        echo = np.convolve(rin[c].astype(float), h)[: rin.shape[1]]
        echo = np.concatenate([np.zeros(320), echo[:-320]])
        near = speech_like(seconds, -45.0, seed=100 + c).astype(float)
        sin[c] = _alaw(echo + near)
    return sin, rin


def _after_convergence(block: int, force_scalar: bool, sin, rin) -> float:
    """Channels per core over seconds 3-12 of the calls (one pass, CPU time),
    after 3 s of convergence that is not timed."""
    bank = dsp.EchoCancellerBank(CHANNELS, tail_ms=128, nlp=True, force_scalar=force_scalar)
    warm = 3 * SAMPLE_RATE
    for i in range(0, warm, 800):
        bank.process(sin[:, i:i + 800], rin[:, i:i + 800])
    total = sin.shape[1]
    start = time.process_time()
    for i in range(warm, total - block + 1, block):
        bank.process(sin[:, i:i + block], rin[:, i:i + block])
    spent = time.process_time() - start
    return CHANNELS * (total - warm) / SAMPLE_RATE / spent


def run() -> list[Result]:
    global CHANNELS
    if harness.QUICK:  # the test suite's check that this still runs: small and short
        CHANNELS = 4
    sin, rin = _signals(4.0 if harness.QUICK else 12.0, CHANNELS)
    out = []
    g = f"Echo canceller, 128 ms tail, NLP on (bank of {CHANNELS}, speech-like input)"
    probe = dsp.EchoCanceller()
    for block in (160, 16):
        fast = _after_convergence(block, False, sin, rin)
        out.append(Result(g, f"{probe.kernel}, {block}-sample blocks", fast, "channels/core", f">= {TARGET:.0f}",
                          fast >= TARGET, f"{1e9 / (fast * SAMPLE_RATE):.0f} ns/sample"))
        slow = _after_convergence(block, True, sin, rin)
        out.append(Result(g, f"scalar, {block}-sample blocks", slow, "channels/core", "", None,
                          f"{1e9 / (slow * SAMPLE_RATE):.0f} ns/sample"))
    # Cost of the first 3 s of a call (bulk-delay search and least-squares solves included),
    # and of a whole 12 s call from reset.
    start = time.process_time()
    bank = dsp.EchoCancellerBank(CHANNELS)
    for i in range(0, 3 * SAMPLE_RATE, 160):
        bank.process(sin[:, i:i + 160], rin[:, i:i + 160])
    conv = time.process_time() - start
    for i in range(3 * SAMPLE_RATE, sin.shape[1], 160):
        bank.process(sin[:, i:i + 160], rin[:, i:i + 160])
    whole = time.process_time() - start
    whole_cpc = CHANNELS * sin.shape[1] / SAMPLE_RATE / whole
    out.append(Result(g, "whole 12 s calls from reset (convergence included), 160-sample blocks", whole_cpc,
                      "channels/core", note=f"{1e9 / (whole_cpc * SAMPLE_RATE):.0f} ns/sample"))
    per_channel_ms = conv / CHANNELS * 1e3
    out.append(Result(g, "first 3 s of a call (convergence), CPU per channel", per_channel_ms, "ms",
                      note=f"{3000.0 / per_channel_ms:.0f} channel-starts in parallel per core"))
    out.append(Result(g, "state per channel", float(probe.state_bytes), "bytes", "<= 24576",
                      probe.state_bytes <= 24576))
    # SpanDSP 0.0.6 echo_can_update, 1024 taps (128 ms), adaption only, on the same signals.
    out += spandsp_baseline.rows(g, "echo128", "echo_can_update, 1024 taps", sin[0], rin[0],
                                 channels=2 if harness.QUICK else 8)
    return out


if __name__ == "__main__":
    for r in run():
        print(r)
