"""Q.921 (LAPD), the data link layer of the ISDN D-channel, user and network side."""

from cti_daemon.signalling.isdn.q921.errors import FrameError  # noqa: F401
from cti_daemon.signalling.isdn.q921.frames import (  # noqa: F401
    SAPI_CALL_CONTROL,
    SAPI_MANAGEMENT,
    TEI_GROUP,
    Frame,
    FrameType,
    FrmrInfo,
    Side,
    decode,
    encode,
)
from cti_daemon.signalling.isdn.q921.parameters import Parameters  # noqa: F401
