"""hw-sim capacity: one hw-sim process clocking 32 E1 spans in real time.

Four simulated cards of 8 E1 spans each, patched in pairs (32 spans, 960 clear
B-channels, 32 D-channels). A load program (`hw-sim-load`, a client through the
sim backend) opens every B-channel and echoes each 160-sample block back, so
hw-sim carries audio both ways on every timeslot. We read hw-sim's CPU time
from /proc over a window after start-up and report it as a fraction of one
core (issue 3: at least 32 spans in real time on one core). hw-sim also counts
1-ms ticks it ran late and blocks the client delivered late (underruns).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import tempfile
import time

import harness
from harness import Result

ROOT = pathlib.Path(__file__).resolve().parents[1]
RELEASE = ROOT / "target" / "release"
SPANS = 32
GROUP = "hw-sim capacity"


# Echo paths for the second run: the longest G.168 Annex D model (D.5, 128 taps)
# behind 8 ms of pure delay, on both directions of every patch (960 paths).
ECHO = ['[patch.impair]', 'echo_model = "D.5"', 'echo_delay_ms = 8.0', 'echo_erl_db = 12.0']


def config_text(echo: bool = False) -> str:
    lines = ["[clock]", "speed = 1.0", ""]
    for card in range(4):
        lines += ["[[card]]", f'name = "c{card}"']
        for _ in range(8):
            lines += ["[[card.span]]", 'bchan = "1-15,17-31"', 'dchan = "16"']
    for a, b in [(0, 1), (2, 3)]:
        for s in range(1, 9):
            lines += ["[[patch]]", f'a = "c{a}/{s}"', f'b = "c{b}/{s}"'] + (ECHO if echo else [])
    return "\n".join(lines) + "\n"


def cpu_seconds_of(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of /proc/PID/stat (13 and 14 after the name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run() -> list[Result]:
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "hw-sim", "--bins"], cwd=ROOT, check=True)
    return measure(echo=False) + measure(echo=True)


def measure(echo: bool) -> list[Result]:
    warmup, window = (0.3, 1.0) if harness.QUICK else (1.0, 10.0)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "sim.toml"
        cfg.write_text(config_text(echo))
        sock = pathlib.Path(tmp) / "hw-sim.sock"
        sim = subprocess.Popen([RELEASE / "hw-sim", "run", "--config", cfg, "--socket", sock])
        try:
            deadline = time.monotonic() + 10
            while not sock.exists():
                if time.monotonic() > deadline or sim.poll() is not None:
                    raise RuntimeError("hw-sim did not start")
                time.sleep(0.01)
            load = subprocess.Popen([RELEASE / "hw-sim-load", "--socket", sock, "--seconds", str(warmup + window + 0.5)],
                                    stdout=subprocess.PIPE, text=True)
            time.sleep(warmup)
            c0, w0 = cpu_seconds_of(sim.pid), time.monotonic()
            l0 = cpu_seconds_of(load.pid)
            time.sleep(window)
            c1, w1 = cpu_seconds_of(sim.pid), time.monotonic()
            l1 = cpu_seconds_of(load.pid)
            out, _ = load.communicate(timeout=30)
            stats = json.loads(out.strip().splitlines()[-1])
            counters = subprocess.run([RELEASE / "hw-sim", "ctl", "--socket", sock, "counters"],
                                      capture_output=True, text=True, check=True).stdout.split()
            counts = dict(zip(counters[0::2], counters[1::2]))
        finally:
            sim.kill()
            sim.wait()
    fraction = (c1 - c0) / (w1 - w0)
    load_fraction = (l1 - l0) / (w1 - w0)
    note = (f"{stats['channels']} B-channels echoing 160-sample blocks; "
            f"{counts['underruns']} underruns, {counts['late_ticks']} late 1-ms ticks in {int(counts['time']) / 8000:.1f} s")
    if echo:
        return [
            Result(GROUP, f"hw-sim CPU at {SPANS} E1 spans, G.168 D.5 echo path on every B-channel", fraction, "cores",
                   "< 1.0", fraction < 1.0, note + "; 960 echo paths of 128 taps"),
        ]
    return [
        Result(GROUP, f"hw-sim CPU at {SPANS} E1 spans in real time (impairments off)", fraction, "cores",
               "< 1.0", fraction < 1.0, note),
        Result(GROUP, "E1 spans per core (32 / CPU fraction)", SPANS / max(fraction, 1e-9), "spans/core",
               ">= 32", SPANS / max(fraction, 1e-9) >= 32),
        Result(GROUP, "load program (sim backend client) CPU, for reference", load_fraction, "cores",
               note="opens the 960 channels and echoes every block"),
    ]
