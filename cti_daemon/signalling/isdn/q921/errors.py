"""The one exception the Q.921 decoders raise."""

from __future__ import annotations


class FrameError(ValueError):
    """A received octet string that is not a frame we may act on.

    `reason` says what is wrong. `mdl_code` is the Q.921 Appendix II (Table II-1)
    MDL-ERROR-INDICATION code the data link entity reports for it, or None for an
    invalid frame (Q.921 2.9: too short, bad EA bits, bad address), which is
    discarded without notification.
    """

    def __init__(self, reason: str, mdl_code: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.mdl_code = mdl_code
