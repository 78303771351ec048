"""Q.921 (LAPD), the data link layer of the ISDN D-channel, user and network side.

Sans-I/O (cti_daemon/signalling/sansio.py): every call takes `now` (trunk-clock
seconds) and returns an `Output` of frames to send, primitives for the layer above and
timers to (re)start or stop; the owner calls `expire(name, now)` at a deadline.

- `frames`: `encode(Frame, sender)` / `decode(octets, sender)`; `FrameError` names
  what is wrong and carries the Appendix II MDL code.
- `DataLink(side, params, sapi=0, tei=0)`: one point-to-point entity (PRI: TEI 0).
  Requests: `establish_request`, `release_request`, `data_request`,
  `unit_data_request`, `set_own_receiver_busy`, `clear_own_receiver_busy`,
  `physical_deactivated`; from management: `mdl_assign_request`,
  `mdl_remove_request`, `mdl_error_response`. Input: `receive(octets, now)`,
  `expire("T200" | "T203", now)`. State in `.state` (`State`, Annex B 1-8),
  MDL-ERROR counts in `.mdl_errors`, counters in `.stats`.
- Primitives up: `DlEstablishIndication`, `DlEstablishConfirm`, `DlReleaseIndication`,
  `DlReleaseConfirm`, `DlDataIndication`, `DlUnitDataIndication`,
  `MdlErrorIndication`, `MdlAssignIndication` (each with `.primitive`, the ITU name).
- `tei`: `TeiUser`, `TeiNetwork` (TEI management, 5.3); `ptmp`: `UserTerminal`,
  `NetworkBus` (BRI point-to-multipoint endpoints).
- `Parameters`: T200 N200 N201 N202 k T201 T202 T203 (5.9), per link.
- `loopback.Loopback`: an in-memory D-channel on a simulated clock, for tests.
"""

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
from cti_daemon.signalling.isdn.q921.states import State  # noqa: F401
from cti_daemon.signalling.isdn.q921.primitives import (  # noqa: F401
    DlDataIndication,
    DlEstablishConfirm,
    DlEstablishIndication,
    DlReleaseConfirm,
    DlReleaseIndication,
    DlUnitDataIndication,
    MdlAssignIndication,
    MdlErrorIndication,
)
from cti_daemon.signalling.isdn.q921.datalink import DataLink  # noqa: F401
