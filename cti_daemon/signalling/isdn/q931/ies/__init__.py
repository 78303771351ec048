"""Q.931 information elements (codeset 0 typed; other codesets carried as octets)."""

from __future__ import annotations

from ..errors import IEContentError
from .base import InformationElement, RawIE, RawSingleOctetIE, SingleOctetIE
from .bearer import (
    BearerCapability,
    InformationTransferCapability,
    InformationTransferRate,
    TransferMode,
    UserInfoLayer1,
)
from .call_state import CallState, CallStateValue
from .carried import CallIdentity, Facility
from .cause import CAUSE_NAMES, Cause, CauseValue
from .channel import (
    E1_B_CHANNELS,
    BriChannel,
    ChannelIdentification,
    ChannelType,
    InterfaceType,
    PriSelection,
)
from .common import CodingStandard, Location
from .compatibility import HighLayerCharacteristics, HighLayerCompatibility, LowLayerCompatibility
from .date_time import DateTime
from .identifiers import IEIdentifier, comprehension_required
from .notification import NotificationDescription, NotificationIndicator
from .numbers import (
    CalledPartyNumber,
    CalledPartySubaddress,
    CallingPartyNumber,
    CallingPartySubaddress,
    ConnectedNumber,
    ConnectedSubaddress,
    NumberingPlan,
    PartyNumber,
    Presentation,
    RedirectingNumber,
    RedirectingSubaddress,
    RedirectionNumber,
    RedirectionReason,
    Screening,
    Subaddress,
    SubaddressType,
    TypeOfNumber,
)
from .progress import ProgressDescription, ProgressIndicator
from .restart import RestartClass, RestartIndicator
from .segmented import SegmentedMessage
from .signal import Signal, SignalValue
from .single_octet import (
    CongestionLevel,
    MoreData,
    RepeatIndicator,
    SendingComplete,
    Shift,
    decode_single_octet,
)
from .text import Display, KeypadFacility
from .user_user import UserProtocol, UserUser

TYPED_IES: dict[int, type[InformationElement]] = {
    cls.IDENTIFIER: cls
    for cls in (
        SegmentedMessage, BearerCapability, Cause, CallIdentity, CallState, ChannelIdentification, Facility,
        ProgressIndicator, NotificationIndicator, Display, DateTime, KeypadFacility, Signal, ConnectedNumber,
        ConnectedSubaddress, CallingPartyNumber, CallingPartySubaddress, CalledPartyNumber,
        CalledPartySubaddress, RedirectingNumber, RedirectingSubaddress, RedirectionNumber, RestartIndicator,
        LowLayerCompatibility, HighLayerCompatibility, UserUser,
    )
}

# Codeset 0 IEs we recognise but carry as octets (Q.931 Table 4-3): not "unrecognised" for 5.8.7.1.
CARRIED_IDENTIFIERS = frozenset({
    IEIdentifier.NETWORK_SPECIFIC_FACILITIES, IEIdentifier.INFORMATION_RATE, IEIdentifier.END_TO_END_TRANSIT_DELAY,
    IEIdentifier.TRANSIT_DELAY_SELECTION, IEIdentifier.PACKET_LAYER_BINARY_PARAMETERS,
    IEIdentifier.PACKET_LAYER_WINDOW_SIZE, IEIdentifier.PACKET_SIZE, IEIdentifier.CLOSED_USER_GROUP,
    IEIdentifier.REVERSE_CHARGING_INDICATION, IEIdentifier.TRANSIT_NETWORK_SELECTION,
})


def is_recognised(identifier: int, codeset: int = 0) -> bool:
    return codeset == 0 and (identifier in TYPED_IES or identifier in CARRIED_IDENTIFIERS)


def decode_ie(identifier: int, content: bytes, codeset: int = 0) -> InformationElement:
    """The typed IE for (codeset, identifier); a RawIE with `error` set if its contents are
    wrong, or without if we do not type it. Never raises."""
    cls = TYPED_IES.get(identifier) if codeset == 0 else None
    if cls is None:
        return RawIE(identifier, bytes(content), codeset)
    try:
        return cls.decode_content(bytes(content))
    except IEContentError as e:
        return RawIE(identifier, bytes(content), codeset, e.detail)


__all__ = [name for name in dir() if not name.startswith("_")]
