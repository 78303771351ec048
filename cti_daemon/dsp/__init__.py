"""The DSP kernels of the media plane, one by one (numpy in, numpy out).

Everything here runs in Rust (``cti_daemon._native``) with the GIL released;
Python only passes arrays. See each name's docstring for its contract.
"""

from cti_daemon._native import (  # noqa: F401
    alaw_decode,
    alaw_encode,
    alaw_to_ulaw,
    ulaw_decode,
    ulaw_encode,
    ulaw_to_alaw,
)

from cti_daemon._native import (  # noqa: F401
    R2Detector,
    R2DetectorBank,
    r2_generate,
    DtmfDetector,
    DtmfDetectorBank,
    dtmf_generate,
    ToneDetector,
    ToneDetectorBank,
    VoiceDetector,
    VoiceDetectorBank,
    tone_generate,
    EchoCanceller,
    EchoCancellerBank,
    g168_echo_path,
)
