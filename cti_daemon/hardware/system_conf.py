"""Reader of /etc/dahdi/system.conf, the file dahdi_cfg applies (§6.1).

Syntax as dahdi_cfg reads it: ``#`` starts a comment anywhere on a line, lines are
``keyword=value`` with spaces allowed around ``=``, keywords are case-insensitive.
A site moving over keeps its file; the daemon reads which channels are bearers,
signalling channels and CAS lines, the span line settings and the echo cancellers.
Everything wrong is reported as ``path:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from cti_daemon.hardware.channel_list import parse_channel_list
from cti_daemon.hardware.errors import ConfigError

DEFAULT_PATH = Path("/etc/dahdi/system.conf")

# Signalling types (user.h DAHDI_SIG_*, §2.2).
SIG_NONE = 0
SIG_CLEAR = 0x80
SIG_HDLCRAW = 0x180
SIG_HDLCFCS = 0x380
SIG_HDLCNET = 0x780
SIG_SLAVE = 0x800
SIG_CAS = 0x8000
SIG_EM = 0x40
SIG_EM_E1 = 0x20000
SIG_DACS = 0x10080
SIG_DACS_RBS = 0x50000
SIG_HARDHDLC = 0x80080
SIG_MTP2 = 0x100380

# keyword -> (signalling name, sigtype, bundled). Bundled keywords make the first
# channel of the list the master and the rest its slaves (dahdi_cfg chanconfig, §6.1).
CHANNEL_KEYWORDS: dict[str, tuple[str, int, bool]] = {
    "bchan": ("clear", SIG_CLEAR, False),
    "indclear": ("clear", SIG_CLEAR, False),
    "clear": ("clear", SIG_CLEAR, True),
    "dchan": ("hdlcfcs", SIG_HDLCFCS, False),
    "fcshdlc": ("hdlcfcs", SIG_HDLCFCS, True),
    "rawhdlc": ("hdlcraw", SIG_HDLCRAW, True),
    "nethdlc": ("hdlcnet", SIG_HDLCNET, True),
    "hardhdlc": ("hardhdlc", SIG_HARDHDLC, False),
    "mtp2": ("mtp2", SIG_MTP2, False),
    "cas": ("cas", SIG_CAS, False),
    "user": ("cas", SIG_CAS, False),
    "e&m": ("em", SIG_EM, False),
    "e&me1": ("em_e1", SIG_EM_E1, False),
    "fxsls": ("fxsls", 0x2001, False),
    "fxsgs": ("fxsgs", 0x2002, False),
    "fxsks": ("fxsks", 0x2004, False),
    "fxols": ("fxols", 0x1008, False),
    "fxogs": ("fxogs", 0x1010, False),
    "fxoks": ("fxoks", 0x1020, False),
    "dacs": ("dacs", SIG_DACS, False),
    "dacsrbs": ("dacs_rbs", SIG_DACS_RBS, False),
    "unused": ("unused", SIG_NONE, False),
}

# Analogue radio keywords dahdi_cfg accepts; meaningless on E1, kept verbatim.
RADIO_KEYWORDS = frozenset(
    "ctcss dcsrx rxdcs tx debouncetime bursttime exttone invertcor corthresh rxgain txgain "
    "deemp preemp channel channels".split()
)

# Echo canceller names DAHDI ships (§6.1); others may come from out-of-tree modules.
KNOWN_ECHO_CANCELLERS = frozenset({"mg2", "kb1", "sec", "sec2", "oslec", "hwec", "hpec", "none"})
# A card's own canceller: system.conf names it `hwec` (§6.1; hwec_overrides_swec, §7.1).
HARDWARE_ECHO_CANCELLERS = frozenset({"hwec"})

# span= fields (§6.1; lineconfig bits, §2.2).
FRAMINGS = {"d4": 0x10, "esf": 0x20, "ccs": 0x100, "cas": 0}
CODINGS = {"ami": 0x40, "b8zs": 0x80, "hdb3": 0x200}
EXTRAS = {"crc4": 0x400, "yellow": 0x10000, "nt": 0x800, "te": 0, "term": 0x1000}


@dataclass(frozen=True)
class SpanConfig:
    """One ``span=<spanno>,<timing>,<lbo>,<framing>,<coding>[,extras]`` line."""

    spanno: int
    # 0: never a clock source; 1..255 priority, 1 best (lineconfig.sync).
    timing: int
    lbo: int
    framing: str
    coding: str
    crc4: bool
    # `yellow`: send yellow (RAI) while no channel is open (DAHDI_CONFIG_NOTOPEN).
    yellow_when_not_open: bool
    # BRI only: 'nt' or 'te' from the span line, None on E1/T1.
    bri_mode: str | None
    bri_terminated: bool
    # Debian genconf's `# termtype: te|nt` comment after the line (§6.1), None if absent.
    termtype_comment: str | None
    line: int

    @property
    def lineconfig(self) -> int:
        """DAHDI lineconfig bits as SPANCONFIG gets them (E1 PRI ccs,hdb3,crc4 = 0x700)."""
        bits = FRAMINGS[self.framing] | CODINGS[self.coding]
        if self.crc4:
            bits |= EXTRAS["crc4"]
        if self.yellow_when_not_open:
            bits |= EXTRAS["yellow"]
        if self.bri_mode == "nt":
            bits |= EXTRAS["nt"]
        if self.bri_terminated:
            bits |= EXTRAS["term"]
        return bits


@dataclass(frozen=True)
class ChannelConfig:
    channo: int
    keyword: str
    # 'clear', 'hdlcfcs', 'hardhdlc', 'mtp2', 'cas', ... (see CHANNEL_KEYWORDS).
    signalling: str
    sigtype: int
    # Master channel of a bundle (clear=, fcshdlc=, ...), None when on its own.
    master: int | None
    # CAS idle bits "ABCD" as written (`cas=1-15:1101`), sent while no program holds it.
    idle_bits: str | None
    # nethdlc interface name or dacs peer start, as written.
    extra: str | None
    line: int

    @property
    def is_bearer(self) -> bool:
        return self.signalling in ("clear", "cas")

    @property
    def is_signalling_link(self) -> bool:
        return self.signalling in ("hdlcfcs", "hardhdlc", "mtp2")


@dataclass(frozen=True)
class DynamicSpanConfig:
    """``dynamic=<driver>,<address>,<numchans>,<timing>`` (§6.1, §9.1)."""

    driver: str
    address: str
    numchans: int
    timing: int
    line: int


@dataclass
class SystemConf:
    path: str
    spans: dict[int, SpanConfig] = field(default_factory=dict)
    channels: dict[int, ChannelConfig] = field(default_factory=dict)
    # channo -> 'alaw' | 'mulaw' | 'default'
    laws: dict[int, str] = field(default_factory=dict)
    # channo -> canceller name (`echocanceller=<name>,<chanlist>`)
    echo_cancellers: dict[int, str] = field(default_factory=dict)
    # channo -> line of the echocanceller= that named it
    echo_canceller_lines: dict[int, int] = field(default_factory=dict)
    tone_zones: list[str] = field(default_factory=list)
    default_zone: str | None = None
    dynamic_spans: list[DynamicSpanConfig] = field(default_factory=list)
    hdlc_56k: set[int] = field(default_factory=set)
    # Radio keywords, verbatim: (keyword, value, line).
    radio: list[tuple[str, str, int]] = field(default_factory=list)

    def channels_with(self, signalling: str) -> list[int]:
        return sorted(c for c, conf in self.channels.items() if conf.signalling == signalling)

    def has_hardware_echo_canceller(self, channo: int) -> bool:
        return self.echo_cancellers.get(channo) in HARDWARE_ECHO_CANCELLERS


def read_system_conf(path: str | Path = DEFAULT_PATH) -> SystemConf:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ConfigError(path, 0, f"cannot read: {error.strerror or error}") from None
    return parse_system_conf(text, str(path))


def parse_system_conf(text: str, path: str = str(DEFAULT_PATH)) -> SystemConf:
    conf = SystemConf(path=path)
    last_span: int | None = None
    last_span_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        content, _, comment = raw.partition("#")
        content = content.strip()
        if not content:
            # Debian genconf writes `# termtype: te` right after each span line.
            termtype = _termtype_comment(comment)
            if termtype and last_span is not None and last_span_line == number - 1:
                conf.spans[last_span] = _with_termtype(conf.spans[last_span], termtype)
            continue
        keyword, equals, value = content.partition("=")
        keyword, value = keyword.strip().lower(), value.strip()
        if not equals or not keyword or not value:
            raise ConfigError(path, number, f"expected <keyword>=<value>, found {content!r}")
        if keyword == "span":
            span = _parse_span(value, path, number)
            if span.spanno in conf.spans:
                earlier = conf.spans[span.spanno].line
                raise ConfigError(path, number, f"span {span.spanno} already defined at line {earlier}")
            conf.spans[span.spanno] = span
            last_span, last_span_line = span.spanno, number
        elif keyword in CHANNEL_KEYWORDS:
            _parse_channels(conf, keyword, value, path, number)
        elif keyword in ("alaw", "mulaw", "deflaw"):
            law = "default" if keyword == "deflaw" else keyword
            for channo in _channels(value, path, number):
                conf.laws[channo] = law
        elif keyword == "echocanceller":
            name, comma, lists = value.partition(",")
            name = name.strip().lower()
            if not comma or not name:
                raise ConfigError(path, number, "expected echocanceller=<name>,<channel list>")
            for channo in _channels(lists, path, number):
                conf.echo_cancellers[channo] = name
                conf.echo_canceller_lines[channo] = number
        elif keyword == "loadzone":
            conf.tone_zones.append(value)
        elif keyword == "defaultzone":
            conf.default_zone = value
        elif keyword == "dynamic":
            conf.dynamic_spans.append(_parse_dynamic(value, path, number))
        elif keyword == "56k":
            conf.hdlc_56k.update(_channels(value, path, number))
        elif keyword in RADIO_KEYWORDS:
            conf.radio.append((keyword, value, number))
        else:
            raise ConfigError(path, number, f"unknown keyword {keyword!r}")
    return conf


def _termtype_comment(comment: str) -> str | None:
    key, colon, value = comment.strip().partition(":")
    if colon and key.strip().lower() == "termtype" and value.strip().lower() in ("te", "nt"):
        return value.strip().lower()
    return None


def _with_termtype(span: SpanConfig, termtype: str) -> SpanConfig:
    return replace(span, termtype_comment=termtype)


def _channels(text: str, path: str, line: int) -> list[int]:
    try:
        return parse_channel_list(text)
    except ValueError as error:
        raise ConfigError(path, line, f"bad channel list {text.strip()!r}: {error}") from None


def _int_field(text: str, what: str, low: int, high: int, path: str, line: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ConfigError(path, line, f"{what} {text.strip()!r} is not a number") from None
    if not low <= value <= high:
        raise ConfigError(path, line, f"{what} {value} outside {low}..{high}")
    return value


def _parse_span(value: str, path: str, line: int) -> SpanConfig:
    fields = [f.strip().lower() for f in value.split(",")]
    if not 5 <= len(fields) <= 9:
        raise ConfigError(
            path, line, f"span needs <spanno>,<timing>,<lbo>,<framing>,<coding>[,extras]; found {len(fields)} fields"
        )
    spanno = _int_field(fields[0], "span number", 1, 127, path, line)  # DAHDI_MAX_SPANS 128
    timing = _int_field(fields[1], "timing", 0, 255, path, line)
    lbo = _int_field(fields[2], "lbo", 0, 7, path, line)
    framing, coding, extras = fields[3], fields[4], fields[5:]
    if framing not in FRAMINGS:
        raise ConfigError(path, line, f"span {spanno}: framing {framing!r} is not one of {sorted(FRAMINGS)}")
    if coding not in CODINGS:
        raise ConfigError(path, line, f"span {spanno}: coding {coding!r} is not one of {sorted(CODINGS)}")
    for extra in extras:
        if extra not in EXTRAS:
            raise ConfigError(path, line, f"span {spanno}: unknown option {extra!r} (known: {sorted(EXTRAS)})")
    if "nt" in extras and "te" in extras:
        raise ConfigError(path, line, f"span {spanno}: both nt and te")
    bri_mode = "nt" if "nt" in extras else "te" if "te" in extras else None
    return SpanConfig(
        spanno=spanno,
        timing=timing,
        lbo=lbo,
        framing=framing,
        coding=coding,
        crc4="crc4" in extras,
        yellow_when_not_open="yellow" in extras,
        bri_mode=bri_mode,
        bri_terminated="term" in extras,
        termtype_comment=None,
        line=line,
    )


def _parse_channels(conf: SystemConf, keyword: str, value: str, path: str, line: int) -> None:
    signalling, sigtype, bundled = CHANNEL_KEYWORDS[keyword]
    idle_bits = extra = None
    list_text = value
    if keyword in ("cas", "user"):
        list_text, colon, idle_bits = value.partition(":")
        idle_bits = idle_bits.strip()
        if not colon or len(idle_bits) != 4 or set(idle_bits) - {"0", "1"}:
            raise ConfigError(path, line, f"{keyword} needs <channels>:<ABCD idle bits>, e.g. 1-15,17-31:1101")
    elif keyword in ("nethdlc", "dacs", "dacsrbs"):
        list_text, colon, extra = value.partition(":")
        extra = extra.strip() if colon else None
    channels = _channels(list_text, path, line)
    master = channels[0] if bundled and len(channels) > 1 else None
    for channo in channels:
        earlier = conf.channels.get(channo)
        if earlier is not None:
            raise ConfigError(
                path,
                line,
                f"channel {channo} already configured as {earlier.keyword} at line {earlier.line}",
            )
        conf.channels[channo] = ChannelConfig(
            channo=channo,
            keyword=keyword,
            signalling=signalling,
            sigtype=SIG_SLAVE if master is not None and channo != master else sigtype,
            master=master,
            idle_bits=idle_bits,
            extra=extra,
            line=line,
        )


def _parse_dynamic(value: str, path: str, line: int) -> DynamicSpanConfig:
    fields = [f.strip() for f in value.split(",")]
    if len(fields) != 4:
        raise ConfigError(path, line, "dynamic needs <driver>,<address>,<numchans>,<timing>")
    return DynamicSpanConfig(
        driver=fields[0],
        address=fields[1],
        numchans=_int_field(fields[2], "numchans", 1, 255, path, line),  # §9.1: up to 255
        timing=_int_field(fields[3], "timing", 0, 255, path, line),
        line=line,
    )
