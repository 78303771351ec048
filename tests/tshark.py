"""tshark as an independent dissector for the traces our stacks write (test code)."""

from __future__ import annotations

import json
import shutil
import subprocess


def available() -> bool:
    return shutil.which("tshark") is not None


def dissect(path, *prefs: str) -> list[dict]:
    """Every packet of a capture as tshark's JSON layers (a dict per packet)."""
    args = ["tshark", "-r", str(path), "-T", "json"]
    for pref in prefs:
        args += ["-o", pref]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return [packet["_source"]["layers"] for packet in json.loads(done.stdout or "[]")]


def fields(path, *names: str, prefs: tuple[str, ...] = ()) -> list[list[str]]:
    """Selected fields per packet (tab-separated by tshark), e.g. fields(p, "q931.message_type")."""
    args = ["tshark", "-r", str(path), "-T", "fields"]
    for pref in prefs:
        args += ["-o", pref]
    for name in names:
        args += ["-e", name]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return [line.split("\t") for line in done.stdout.splitlines()]


def malformed(path, *prefs: str) -> int:
    """Number of packets tshark flags as malformed."""
    args = ["tshark", "-r", str(path), "-Y", "_ws.malformed || _ws.expert.severity == error"]
    for pref in prefs:
        args += ["-o", pref]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return len(done.stdout.splitlines())
