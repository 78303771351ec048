//! Values that cross the backend interface: trunk time, spans, channels, events.

/// Trunk-clock time: E1 frames since the hardware started, 8000 per second
/// (G.704 2.3: 125 us frames). The only clock protocol code may use.
pub type TrunkTime = u64;

/// E1 frames (= samples per channel) per second (G.704 2.3).
pub const FRAMES_PER_SECOND: u64 = 8000;

/// Global channel number, as DAHDI numbers them (span 1 has 1..31, span 2 32..62, ...).
pub type ChannelNo = u32;
/// Span number, 1-based, as DAHDI numbers them.
pub type SpanNo = u32;

/// E1 timeslots that carry channels: TS1..TS31 (TS0 is framing; dahdi.md 10).
pub const E1_CHANNELS_PER_SPAN: u32 = 31;

/// Block sizes a B-channel accepts, in samples (= octets; dahdi.md 1.4 step 2),
/// restricted to whole 1-ms DAHDI chunks of 8 samples.
pub const MIN_BLOCK_SIZE: usize = 16;
pub const MAX_BLOCK_SIZE: usize = 8192;
pub const BLOCK_SIZE_STEP: usize = 8;
/// 20 ms, Asterisk's READ_SIZE (dahdi.md 1.4).
pub const DEFAULT_BLOCK_SIZE: usize = 160;

/// Buffers each way of a voice channel after open: chan_dahdi's default (dahdi.md 1.4 step 3).
pub const DEFAULT_VOICE_BUFFERS: usize = 4;
/// Buffers and their size of a D-channel after open: ISDN's 32 x 1024 (dahdi.md 1.4
/// D-channel step 3, 11 item 3).
pub const DEFAULT_HDLC_BUFFERS: usize = 32;
pub const DEFAULT_HDLC_BUFFER_SIZE: usize = 1024;

/// Whether a B-channel block size is acceptable (16..=8192 in steps of 8).
pub fn valid_block_size(n: usize) -> bool {
    (MIN_BLOCK_SIZE..=MAX_BLOCK_SIZE).contains(&n) && n % BLOCK_SIZE_STEP == 0
}

/// Companding law of a span's voice channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    ALaw,
    MuLaw,
}

impl Law {
    /// The octet a card sends on a voice channel with nothing to send (silence):
    /// A-law 0xD5, mu-law 0xFF (G.711 codes for zero with the even-bit inversion).
    pub fn idle_code(self) -> u8 {
        match self {
            Law::ALaw => 0xD5,
            Law::MuLaw => 0xFF,
        }
    }
}

/// Alarm bits exactly as DAHDI's `spaninfo.alarms` (dahdi.md 3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlarmBits(pub u32);

impl AlarmBits {
    pub const NONE: u32 = 0;
    pub const RECOVER: u32 = 0x01;
    pub const LOOPBACK: u32 = 0x02;
    pub const YELLOW: u32 = 0x04;
    pub const RED: u32 = 0x08;
    pub const BLUE: u32 = 0x10;
    pub const NOTOPEN: u32 = 0x20;
    pub const LOS: u32 = 0x100;
    pub const LFA: u32 = 0x200;
    pub const LMFA: u32 = 0x400;

    pub fn any(self) -> bool {
        self.0 != 0
    }
    pub fn has(self, bit: u32) -> bool {
        self.0 & bit != 0
    }
}

/// Span error counters as DAHDI's `struct dahdi_span.count` (dahdi.md 3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanCounters {
    pub bpv: u32,
    pub crc4: u32,
    pub ebit: u32,
    pub fas: u32,
    pub fe: u32,
    pub cv: u32,
    pub be: u32,
    pub prbs: u32,
    pub errsec: u32,
    /// Controlled slips; DAHDI shows them only in /proc/dahdi/N (dahdi.md 3.5).
    pub timingslips: u32,
}

/// Where a span takes its transmit clock from (system.conf `span=` timing; dahdi.md 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    /// Recovered from the received line, with this timing priority (1 = first).
    Line(u8),
    /// The card's own oscillator (timing 0).
    Internal,
}

/// What a span is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanStatus {
    pub span: SpanNo,
    pub name: String,
    pub alarms: AlarmBits,
    pub counters: SpanCounters,
    pub clock_source: ClockSource,
    pub law: Law,
    /// First global channel number of the span (its TS1).
    pub first_channel: ChannelNo,
    pub channels: u32,
    /// Trunk time at which this status was taken.
    pub time: TrunkTime,
}

/// How a channel is configured (system.conf `bchan=`, `dchan=`, `cas=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// Not configured: opening it fails with ENXIO.
    Unconfigured,
    /// Clear 64 kbit/s bearer (`bchan`), law-coded audio blocks.
    Bearer,
    /// HDLC with FCS (`dchan`): whole frames, 2 FCS bytes at the raw level.
    Hdlc,
    /// CAS voice channel (`cas=...:ABCD`): audio blocks plus ABCD bits.
    Cas,
}

/// A channel as seen after opening it (DAHDI_GET_PARAMS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelParams {
    pub channel: ChannelNo,
    pub span: SpanNo,
    /// Position in the span, = E1 timeslot (dahdi.md 5).
    pub timeslot: u32,
    pub kind: ChannelKind,
    pub law: Law,
    /// ABCD bits the card sends while no program holds the channel (dahdi.md 5).
    pub idle_bits: u8,
    pub rx_bits: u8,
    pub tx_bits: u8,
    pub block_size: usize,
    /// Receive/transmit buffers (DAHDI_SET_BUFINFO numbufs).
    pub num_buffers: usize,
    /// Largest frame the receiver takes (bufsize); longer frames give OVERRUN.
    pub buffer_size: usize,
}

/// Channel events, with DAHDI's event codes (dahdi.md 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The span went from no alarm into some alarm (transition only, dahdi.md 3.3).
    Alarm,
    /// The span came out of all alarms (after the 5-s recovery hold).
    NoAlarm,
    /// HDLC abort received.
    HdlcAbort,
    /// HDLC frame longer than the receive buffer.
    HdlcOverrun,
    /// HDLC frame with a bad FCS (the frame is dropped).
    BadFcs,
    /// New CAS ABCD bits received; `value` holds them.
    BitsChanged,
    /// The card holding the channel was removed.
    Removed,
    /// A receive block was lost because every buffer was full.
    ReadOverrun,
    /// The transmitter ran out of data: the line got the idle code.
    WriteUnderrun,
}

impl EventKind {
    /// DAHDI_EVENT_* code (dahdi.md 3.1).
    pub fn dahdi_code(self) -> u32 {
        match self {
            EventKind::Alarm => 4,
            EventKind::NoAlarm => 5,
            EventKind::HdlcAbort => 6,
            EventKind::HdlcOverrun => 7,
            EventKind::BadFcs => 8,
            EventKind::BitsChanged => 13,
            EventKind::Removed => 20,
            EventKind::ReadOverrun => 29,
            EventKind::WriteUnderrun => 30,
        }
    }

    pub fn from_dahdi_code(code: u32) -> Option<EventKind> {
        Some(match code {
            4 => EventKind::Alarm,
            5 => EventKind::NoAlarm,
            6 => EventKind::HdlcAbort,
            7 => EventKind::HdlcOverrun,
            8 => EventKind::BadFcs,
            13 => EventKind::BitsChanged,
            20 => EventKind::Removed,
            29 => EventKind::ReadOverrun,
            30 => EventKind::WriteUnderrun,
            _ => return None,
        })
    }
}

/// One event of one channel, stamped with trunk-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelEvent {
    pub kind: EventKind,
    pub time: TrunkTime,
    /// For BitsChanged, the new ABCD bits (A = 8 ... D = 1); otherwise 0.
    pub value: u32,
}

/// Cards arriving and leaving (DAHDI: udev `dahdi_devices` add/remove, dahdi.md 7.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotplugEvent {
    CardAdded { card: String, spans: Vec<SpanNo>, time: TrunkTime },
    CardRemoved { card: String, spans: Vec<SpanNo>, time: TrunkTime },
}

/// What `Channel::wait` reports ready, like poll()'s POLLIN/POLLOUT/POLLPRI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ready {
    pub readable: bool,
    pub writable: bool,
    pub event: bool,
}
