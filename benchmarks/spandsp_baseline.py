"""SpanDSP 0.0.6 baselines, measured in the same run as our kernels.

The C driver (benchmarks/spandsp/baseline.c) is compiled here against Debian's
libspandsp-dev into benchmarks/build/ (not committed) and run as a subprocess, so the
library's own code is timed with no Python in the loop.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

import harness

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "spandsp" / "baseline.c"
BINARY = HERE / "build" / "spandsp_baseline"

KERNELS = ("dtmf", "r2_forward", "r2_backward", "tones_cn", "echo128")


class BaselineUnavailable(RuntimeError):
    pass


def _flags() -> list[str]:
    if shutil.which("pkg-config") is None:
        raise BaselineUnavailable("pkg-config is missing (scripts/setup.sh installs it)")
    probe = subprocess.run(["pkg-config", "--cflags", "--libs", "spandsp"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise BaselineUnavailable("libspandsp-dev is not installed (scripts/setup.sh installs it)")
    return probe.stdout.split()


def build() -> Path:
    """Compile the driver if it is missing or older than its source."""
    if BINARY.exists() and BINARY.stat().st_mtime >= SOURCE.stat().st_mtime:
        return BINARY
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", "-O2", "-o", str(BINARY), str(SOURCE), *_flags(), "-lm"], check=True)
    return BINARY


def version() -> str:
    try:
        return subprocess.run(["pkg-config", "--modversion", "spandsp"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def channels_per_core(kernel: str, block: int, near: np.ndarray, far: np.ndarray | None = None,
                      channels: int = 64, repeat: int = 3) -> float:
    """Channels SpanDSP keeps in real time on one core (best of `repeat` runs)."""
    if kernel not in KERNELS:
        raise ValueError(f"unknown SpanDSP kernel {kernel!r}; one of {KERNELS}")
    binary = build()
    with tempfile.TemporaryDirectory() as tmp:
        near_path = Path(tmp) / "near.raw"
        np.asarray(near, dtype="<i2").tofile(near_path)
        args = [str(binary), kernel, str(block), str(channels), str(near_path)]
        if far is not None:
            far_path = Path(tmp) / "far.raw"
            np.asarray(far, dtype="<i2").tofile(far_path)
            args.append(str(far_path))
        best = 0.0
        for _ in range(1 if harness.QUICK else repeat):
            done = subprocess.run(args, capture_output=True, text=True, check=True)
            fields = dict(item.split("=") for item in done.stderr.split())
            best = max(best, float(fields["channels_per_core"]))
    return best


def rows(group: str, kernel: str, label: str, near: np.ndarray, far: np.ndarray | None = None,
         channels: int = 64) -> list:
    """Result rows for SpanDSP's `kernel` at 160- and 16-sample blocks, or one row saying
    why the baseline could not be measured."""
    from harness import Result

    out = []
    for block in (160, 16):
        try:
            value = channels_per_core(kernel, block, near, far, channels=channels)
        except BaselineUnavailable as e:
            return [Result(group, f"SpanDSP {label}", float("nan"), "channels/core", note=str(e))]
        out.append(Result(group, f"SpanDSP {version()} {label}, {block}-sample blocks", value, "channels/core",
                          note="baseline, same run"))
    return out
