"""Every benchmark still runs (figures from this quick run mean nothing; the real
ones are in BENCHMARKS.md, written by scripts/bench.sh)."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_benchmark_module_runs_and_reports_its_targets(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text()
    modules = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py"))
    for name in modules:
        assert f"== {name}" in done.stdout
    rows_with_target = [line for line in text.splitlines() if line.startswith("| ") and line.count("| yes |") + line.count("| **no** |")]
    assert len(rows_with_target) >= len(modules)
    assert "Quick run" in text
