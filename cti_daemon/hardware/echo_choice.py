"""Which echo canceller runs on each channel, decided once and shown to the engineer.

Issue 3: on a voice channel exactly one canceller runs - the card's hardware canceller
(zero host CPU; ours off) or ours in the media engine (DAHDI's software canceller off,
tap length 0). Never both, never none on voice. Signalling channels and 64 kbit/s data
calls get none.

system.conf (§6.1) says what the site attached with ``echocanceller=<name>,<channels>``:
``hwec`` is the card's canceller; a software name (oslec, mg2, kb1, sec, sec2, hpec) is
replaced by ours, and the choice records that so the CLI can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cti_daemon.hardware.system_conf import HARDWARE_ECHO_CANCELLERS, SystemConf

# Tap length for the card's canceller: 128 taps = a 16 ms tail (8 taps per ms); DAHDI
# accepts 32, 64, ..., 1024 (§1.4 step 6).
DEFAULT_HARDWARE_TAPS = 128


class EchoCanceller(Enum):
    CARD_HARDWARE = "card-hardware"
    MEDIA_ENGINE = "media-engine"
    NONE = "none"


@dataclass(frozen=True)
class EchoChoice:
    channo: int
    canceller: EchoCanceller
    # Why, in words an engineer reads in `cti channels`.
    reason: str
    tap_length: int = 0


def choose_echo_canceller(conf: SystemConf, channo: int) -> EchoChoice:
    """The canceller for a channel configured in system.conf (KeyError if it is not)."""
    channel = conf.channels[channo]
    attached = conf.echo_cancellers.get(channo)
    if not channel.is_bearer:
        return EchoChoice(channo, EchoCanceller.NONE, f"{channel.keyword} channel carries no voice")
    if attached in HARDWARE_ECHO_CANCELLERS:
        return EchoChoice(
            channo,
            EchoCanceller.CARD_HARDWARE,
            f"{conf.path} line {conf.echo_canceller_lines[channo]}: echocanceller={attached}",
            DEFAULT_HARDWARE_TAPS,
        )
    if attached and attached != "none":
        reason = f"system.conf attaches software canceller {attached!r}: replaced by the media engine's"
    else:
        reason = "no hardware canceller attached: the media engine's"
    return EchoChoice(channo, EchoCanceller.MEDIA_ENGINE, reason)
