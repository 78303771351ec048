"""SpanDSP 0.0.6 (Debian's libspandsp) through ctypes: an independent implementation
to check our generators and detectors against, both ways. Test code only; nothing of
the product links it."""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

_lib = ctypes.CDLL(ctypes.util.find_library("spandsp") or "libspandsp.so.2")

_lib.dtmf_rx_init.restype = ctypes.c_void_p
_lib.dtmf_rx_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
_lib.dtmf_rx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
_lib.dtmf_rx_get.restype = ctypes.c_size_t
_lib.dtmf_rx_get.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.dtmf_rx_free.argtypes = [ctypes.c_void_p]
_lib.dtmf_tx_init.restype = ctypes.c_void_p
_lib.dtmf_tx_init.argtypes = [ctypes.c_void_p]
_lib.dtmf_tx_put.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.dtmf_tx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
_lib.dtmf_tx_set_timing.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_lib.dtmf_tx_free.argtypes = [ctypes.c_void_p]
_lib.r2_mf_rx_init.restype = ctypes.c_void_p
_lib.r2_mf_rx_init.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
_lib.r2_mf_rx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
_lib.r2_mf_rx_get.argtypes = [ctypes.c_void_p]
_lib.r2_mf_rx_free.argtypes = [ctypes.c_void_p]
_lib.r2_mf_tx_init.restype = ctypes.c_void_p
_lib.r2_mf_tx_init.argtypes = [ctypes.c_void_p, ctypes.c_int]
_lib.r2_mf_tx_put.argtypes = [ctypes.c_void_p, ctypes.c_char]
_lib.r2_mf_tx.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), ctypes.c_int]
_lib.r2_mf_tx_free.argtypes = [ctypes.c_void_p]

# SpanDSP names R2 signals 1-9 by their digit, 10 by '0' and 11-15 by 'B'-'F'.
_R2_CODES = "1234567890BCDEF"


def _ptr(a: np.ndarray):
    return a.ctypes.data_as(ctypes.POINTER(ctypes.c_int16))


def dtmf_detect(pcm: np.ndarray) -> str:
    pcm = np.ascontiguousarray(pcm, dtype=np.int16)
    s = _lib.dtmf_rx_init(None, None, None)
    try:
        for start in range(0, pcm.size, 160):
            block = pcm[start:start + 160]
            _lib.dtmf_rx(s, _ptr(block), block.size)
        buf = ctypes.create_string_buffer(256)
        n = _lib.dtmf_rx_get(s, buf, 255)
        return buf.raw[:n].decode()
    finally:
        _lib.dtmf_rx_free(s)


def dtmf_generate(digits: str, on_ms: int = 100, off_ms: int = 100) -> np.ndarray:
    """SpanDSP's DTMF sender at its default level (-10 dBm0 per tone, no twist)."""
    s = _lib.dtmf_tx_init(None)
    try:
        _lib.dtmf_tx_set_timing(s, on_ms, off_ms)
        _lib.dtmf_tx_put(s, digits.encode(), len(digits))
        out = []
        while True:
            block = np.zeros(160, dtype=np.int16)
            n = _lib.dtmf_tx(s, _ptr(block), 160)
            if n <= 0:
                break
            out.append(block[:n])
        return np.concatenate(out + [np.zeros(800, dtype=np.int16)])
    finally:
        _lib.dtmf_tx_free(s)


def r2_detect_onsets(pcm: np.ndarray, direction: str, block: int = 8) -> list[int]:
    """Signals SpanDSP's R2 receiver reports, one per onset, polled every `block` samples."""
    pcm = np.ascontiguousarray(pcm, dtype=np.int16)
    s = _lib.r2_mf_rx_init(None, 1 if direction == "forward" else 0, None, None)
    try:
        onsets, current = [], 0
        for start in range(0, pcm.size, block):
            chunk = pcm[start:start + block]
            _lib.r2_mf_rx(s, _ptr(chunk), chunk.size)
            code = _lib.r2_mf_rx_get(s)
            if code > 0 and code != current:
                onsets.append(_R2_CODES.index(chr(code)) + 1)
            current = code if code > 0 else 0
        return onsets
    finally:
        _lib.r2_mf_rx_free(s)


def r2_generate(signal: int, direction: str, duration_ms: int) -> np.ndarray:
    """SpanDSP's R2 sender: `signal` for `duration_ms`."""
    s = _lib.r2_mf_tx_init(None, 1 if direction == "forward" else 0)
    try:
        _lib.r2_mf_tx_put(s, _R2_CODES[signal - 1].encode())
        out = np.zeros(duration_ms * 8, dtype=np.int16)
        _lib.r2_mf_tx(s, _ptr(out), out.size)
        return out
    finally:
        _lib.r2_mf_tx_free(s)
