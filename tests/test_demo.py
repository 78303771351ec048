"""The README's first command ends in this demonstration; it must show the kernels
doing their jobs, not merely run."""

import re
import subprocess
import sys


def test_demo_recognises_what_the_simulated_caller_and_switch_send():
    done = subprocess.run([sys.executable, "-m", "cti_daemon.dsp.demo"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "digits recognised: '95511#'" in out
    assert re.search(r"tone ringback\s+start", out)
    assert re.search(r"tone busy\s+start", out)
    assert "signals recognised: [1, 3, 8]" in out
    assert re.search(r"speech_start\s+at\s+1[0-9]{3}\.\d ms", out)  # speech begins one second in
    reductions = [float(x) for x in re.findall(r"(-?\d+\.\d) dB$", out, flags=re.M)]
    assert len(reductions) >= 4
    assert min(reductions[1:]) >= 20.0  # after the first second the echo is at least 20 dB down
