"""Run every benchmarks/bench_*.py and write BENCHMARKS.md.

Usage: python benchmarks/run.py [--only NAME ...] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import pathlib
import platform
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
from harness import Result  # noqa: E402


def machine() -> list[str]:
    model = "unknown CPU"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {model}, {os.cpu_count()} logical cores; every figure is for one core",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, {rustc}",
    ]


def fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None, help="bench module names, e.g. g711 dtmf")
    ap.add_argument("--output", default=str(HERE.parent / "BENCHMARKS.md"))
    ap.add_argument("--quick", action="store_true",
                    help="time each figure once, briefly: checks that the benchmarks run, figures meaningless")
    args = ap.parse_args()
    if args.quick:
        harness.QUICK = True

    results: list[Result] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if args.only and name not in args.only:
            continue
        print(f"== {name}", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for r in mod.run():
            print(f"   {r.group}: {r.name} = {fmt(r.value)} {r.unit} {r.target}", flush=True)
            results.append(r)

    lines = ["# Benchmarks", "", "Written by `scripts/bench.sh` (benchmarks/run.py).", ""]
    if args.quick:
        lines += ["**Quick run: every figure timed once and briefly; not a measurement.**", ""]
    lines += machine()
    lines.append("")
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.group, []).append(r)
    for group, rows in groups.items():
        lines += [f"## {group}", "", "| measured | value | unit | target | met | note |", "|---|---|---|---|---|---|"]
        for r in rows:
            met = "" if r.met is None else ("yes" if r.met else "**no**")
            lines.append(f"| {r.name} | {fmt(r.value)} | {r.unit} | {r.target} | {met} | {r.note} |")
        lines.append("")
    pathlib.Path(args.output).write_text("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
