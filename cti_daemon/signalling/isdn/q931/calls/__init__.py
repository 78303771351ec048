"""Q.931 call control (ETSI DSS1 first), user and network side.

- `Layer3(side, primary_rate=True, timers=Timers.user(), channels=ChannelPool.e1(), numbering=...)`:
  the layer 3 entity of one D-channel. Requests from the call model: `setup_request`,
  `info_request`, `proceeding_request`, `alerting_request`, `progress_request`,
  `connect_request`, `disconnect_request`, `release_request`, `restart_request`.
  Inputs: `receive(message, now)`, `dl_indication(primitive, now)`, `expire(name, now)`.
- `DChannel(side, ...)`: Q.921 `DataLink` + `Layer3` as one endpoint (`start`, `receive`,
  `expire`, `span_alarm`, `span_alarm_cleared`, and the requests above); Annex H
  segmentation in both directions. A BRI terminal on a bus: `DChannel(Side.USER,
  primary_rate=False, link=UserTerminal())`.
- `BusNetwork`: the network side of a BRI point-to-multipoint bus (one `Layer3` per
  TEI, broadcast SETUP with T312, first CONNECT wins, the others released with 26).
- States (`UserState` U0-U25, `NetworkState` N0-N25, `GlobalState` Rest 0-2), `Timers`,
  `ChannelPool`/`Hunting`, `NumberCompleteness`, and the primitives in `primitives`.
"""

from .bus import BusNetwork
from .channels import ChannelPool, ChannelUse, Hunting
from .layer3 import Layer3
from .numbering import NumberCompleteness
from .primitives import (
    AlertingIndication,
    ChannelRestarted,
    ConnectIndication,
    DataLinkChange,
    DisconnectIndication,
    InBandInformation,
    InfoIndication,
    MoreInfoIndication,
    ProceedingIndication,
    ProgressIndication,
    ReleaseIndication,
    RestartFailed,
    SetupCompleteIndication,
    SetupIndication,
    StatusIndication,
)
from .stack import DChannel
from .states import GlobalState, NetworkState, UserState
from .timers import Timers

__all__ = [
    "BusNetwork", "ChannelPool", "ChannelUse", "Hunting", "Layer3", "NumberCompleteness", "DChannel", "GlobalState",
    "NetworkState", "UserState", "Timers", "AlertingIndication", "ChannelRestarted", "ConnectIndication",
    "DataLinkChange", "DisconnectIndication", "InBandInformation", "InfoIndication", "MoreInfoIndication",
    "ProceedingIndication", "ProgressIndication", "ReleaseIndication", "RestartFailed", "SetupCompleteIndication",
    "SetupIndication", "StatusIndication",
]
