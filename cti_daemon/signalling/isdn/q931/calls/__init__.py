"""Q.931 call control (ETSI DSS1 first), user and network side.

- `Layer3(side, primary_rate=True, timers=Timers.user(), channels=ChannelPool.e1(), numbering=...)`:
  the layer 3 entity of one D-channel. Requests from the call model: `setup_request`,
  `info_request`, `proceeding_request`, `alerting_request`, `progress_request`,
  `connect_request`, `disconnect_request`, `release_request`, `restart_request`.
  Inputs: `receive(message, now)`, `dl_indication(primitive, now)`, `expire(name, now)`.
- `DChannel(side, ...)`: Q.921 `DataLink` + `Layer3` as one endpoint (`start`, `receive`,
  `expire`, and the requests above).
- States (`UserState` U0-U25, `NetworkState` N0-N25, `GlobalState` Rest 0-2), `Timers`,
  `ChannelPool`/`Hunting`, `NumberCompleteness`, and the primitives in `primitives`.
"""

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
    "ChannelPool", "ChannelUse", "Hunting", "Layer3", "NumberCompleteness", "DChannel", "GlobalState",
    "NetworkState", "UserState", "Timers", "AlertingIndication", "ChannelRestarted", "ConnectIndication",
    "DataLinkChange", "DisconnectIndication", "InBandInformation", "InfoIndication", "MoreInfoIndication",
    "ProceedingIndication", "ProgressIndication", "ReleaseIndication", "RestartFailed", "SetupCompleteIndication",
    "SetupIndication", "StatusIndication",
]
