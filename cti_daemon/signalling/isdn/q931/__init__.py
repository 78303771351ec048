"""Q.931 (ETSI DSS1) message and information element codec, Annex H segmentation.

Public names: `Message`, `CallReference`, `MessageType`, `encode_message`,
`decode_message` -> `DecodedMessage(message, report)`, `DecodeReport`/`Finding`/`FindingKind`,
`Q931DecodeError`, `Direction`, the IE classes in `ies`, and `Segmenter`/`Reassembler`.
"""

from .errors import FindingKind, IEContentError, Q931DecodeError, SegmentationError
from .mandatory import MANDATORY, REPEATABLE, Direction, mandatory_ies
from .message_types import MessageType
from .messages import (
    PROTOCOL_DISCRIMINATOR,
    CallReference,
    DecodedMessage,
    Message,
    decode_header,
    decode_message,
    encode_message,
)
from .report import DecodeReport, Finding

__all__ = [
    "FindingKind", "IEContentError", "Q931DecodeError", "SegmentationError", "MANDATORY", "REPEATABLE",
    "Direction", "mandatory_ies", "MessageType", "PROTOCOL_DISCRIMINATOR", "CallReference", "DecodedMessage",
    "Message", "decode_header", "decode_message", "encode_message", "DecodeReport", "Finding",
]
