//! The hw-sim protocol: the one place its messages are encoded and decoded.
//!
//! Transport: a Unix stream socket. Every message is one frame:
//! `[length: u32 LE, bytes after this field][version: u8][tag: u8][body]`.
//! All integers are little-endian; byte strings carry a u32 length, text a u16
//! length. Clients send [`ClientMessage`]s, hw-sim sends [`ServerMessage`]s.
//! Requests carry an id that their reply repeats; data (`Write`, `RxBlock`,
//! `RxFrame`) and pushed events carry none. Control requests (cut a patch, step
//! the clock, ...) are ordinary requests, accepted on any connection, so a reply
//! to `Step` arrives after everything the step pushed to the same connection.
//!
//! Version history: 1 = first layout; 2 = impairment controls (tags 37-39:
//! `SetImpairments`, `Slip`, `SetClockOffset`). A peer that reads a frame of another version
//! answers with an error and closes the connection.

use std::io::{self, Read};

pub use super::wire::ProtocolError;
use super::impairments::{EchoPath, Impairments, SlipKind};
use super::wire::{Reader, Writer};
use crate::types::*;

pub const PROTOCOL_VERSION: u8 = 2;
/// Largest frame accepted: an 8192-octet block or a 1024-byte HDLC frame plus
/// headers fit many times over; anything larger is a broken or hostile peer.
pub const MAX_FRAME_LEN: usize = 1 << 20;

/// Which way(s) of a patch a control request acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    /// From the patch's first span (`a`) toward its second (`b`).
    AToB,
    BToA,
}

/// Commands that change the simulated world while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// Cut a patch (index in config order, 0-based): loss of signal at the receiving end(s).
    CutPatch { patch: u32, direction: Direction },
    RestorePatch { patch: u32, direction: Direction },
    /// Hot-unplug a card (by its config name): REMOVED on its channels, LOS at its peers.
    RemoveCard { card: String },
    AddCard { card: String },
    /// Advance the trunk clock by this many frames now (lock-step testing).
    Step { frames: u64 },
    /// Clock speed in thousandths of real time: 1000 = 8000 frames/s, 0 = paused
    /// (only `Step` moves the clock).
    SetSpeed { speed_milli: u32 },
    /// Line-side counters: underruns and late blocks.
    LineCounters,
    /// Replace the impairments of one or both directions of a patch. A direction
    /// names the receiver that suffers them (`AToB`: what `b` receives).
    SetImpairments { patch: u32, direction: Direction, impairments: Impairments },
    /// One controlled slip now at the receiver(s) of a patch direction.
    Slip { patch: u32, direction: Direction, kind: SlipKind },
    /// A card's clock offset from the trunk clock, ppm: spans patched to cards of
    /// another offset slip once per 1/(8000 x delta x 1e-6) s (dahdi.md 10).
    SetClockOffset { card: String, ppm: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Hello { version: u8 },
    ListSpans,
    SpanStatus { span: SpanNo },
    Open { channel: ChannelNo },
    Close { channel: ChannelNo },
    SetBlockSize { channel: ChannelNo, samples: u32 },
    SetBuffers { channel: ChannelNo, count: u32, size: u32 },
    SetTxBits { channel: ChannelNo, bits: u8 },
    /// Answered with `Done`; everything pushed before it has been sent.
    Ping,
    Control(Control),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    Request { id: u32, request: Request },
    /// Raw write on an open channel (a block, or an HDLC frame with 2 FCS placeholder bytes).
    Write { channel: ChannelNo, data: Vec<u8> },
}

/// Per-channel line-side counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChannelLineCounters {
    pub channel: ChannelNo,
    /// Times the transmitter ran dry while the channel was in use.
    pub underruns: u64,
    /// Blocks written after their time slot had already gone out as idle code.
    pub late_blocks: u64,
    /// Frames sent as the law's idle code because no data was there.
    pub idle_frames: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineCounters {
    pub time: TrunkTime,
    pub underruns: u64,
    pub late_blocks: u64,
    pub idle_frames: u64,
    /// 1-ms ticks the simulator itself ran late in real-time mode (it could not keep up).
    pub late_ticks: u64,
    /// Only channels with a non-zero count.
    pub channels: Vec<ChannelLineCounters>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Hello { version: u8, time: TrunkTime },
    Spans(Vec<SpanStatus>),
    Span(SpanStatus),
    Opened(ChannelParams),
    Done { time: TrunkTime },
    Counters(LineCounters),
}

/// An error reply: the errno a DAHDI program would get, and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub errno: i32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    Reply { id: u32, result: Result<Reply, WireError> },
    /// One received B-channel block; `tx_done` counts the blocks this channel's
    /// transmitter has taken from its queue since open (the client's flow control).
    RxBlock { channel: ChannelNo, time: TrunkTime, tx_done: u64, data: Vec<u8> },
    /// One received HDLC frame with its 2 FCS bytes.
    RxFrame { channel: ChannelNo, time: TrunkTime, data: Vec<u8> },
    /// The transmitter took queued data (frames, or blocks while nothing is received).
    TxDone { channel: ChannelNo, time: TrunkTime, tx_done: u64 },
    Event { channel: ChannelNo, event: ChannelEvent },
    /// A span's alarm bits changed (pushed to every connection).
    SpanAlarms { span: SpanNo, time: TrunkTime, alarms: AlarmBits },
    Hotplug(HotplugEvent),
}

// ---- encoding ---------------------------------------------------------------

fn frame(tag: u8, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer { buf: vec![0, 0, 0, 0, PROTOCOL_VERSION, tag] };
    body(&mut w);
    let len = (w.buf.len() - 4) as u32;
    w.buf[..4].copy_from_slice(&len.to_le_bytes());
    w.buf
}

fn put_direction(w: &mut Writer, d: Direction) {
    w.u8(match d {
        Direction::Both => 0,
        Direction::AToB => 1,
        Direction::BToA => 2,
    })
}

const IMP_ECHO: u8 = 1;
const IMP_NOISE: u8 = 2;
const IMP_BLACKOUT: u8 = 4;
const IMP_RAI: u8 = 8;
const IMP_AIS: u8 = 16;

fn put_impairments(w: &mut Writer, i: &Impairments) {
    let mut flags = 0;
    for (on, bit) in [
        (i.echo.is_some(), IMP_ECHO),
        (i.noise_dbm0.is_some(), IMP_NOISE),
        (i.blackout.is_some(), IMP_BLACKOUT),
        (i.remote_alarm, IMP_RAI),
        (i.ais_on_cut, IMP_AIS),
    ] {
        if on {
            flags |= bit;
        }
    }
    w.u8(flags);
    if let Some(e) = &i.echo {
        w.u8(e.model);
        w.u32(e.delay_frames);
        w.f64(e.erl_db);
    }
    if let Some(n) = i.noise_dbm0 {
        w.f64(n);
    }
    w.f64(i.gain_db);
    w.f64(i.dchan_ber);
    if let Some(ts) = i.blackout {
        w.u32(ts);
    }
    w.f64(i.crc4_error_rate);
}

fn get_impairments(r: &mut Reader) -> Result<Impairments, ProtocolError> {
    let flags = r.u8("impairment flags")?;
    if flags & !(IMP_ECHO | IMP_NOISE | IMP_BLACKOUT | IMP_RAI | IMP_AIS) != 0 {
        return Err(ProtocolError::BadValue { field: "impairment flags", value: flags as u64 });
    }
    let echo = if flags & IMP_ECHO != 0 {
        Some(EchoPath { model: r.u8("echo model")?, delay_frames: r.u32("echo delay")?, erl_db: r.f64("echo return loss")? })
    } else {
        None
    };
    let noise_dbm0 = if flags & IMP_NOISE != 0 { Some(r.f64("noise level")?) } else { None };
    let gain_db = r.f64("gain")?;
    let dchan_ber = r.f64("D-channel bit error rate")?;
    let blackout = if flags & IMP_BLACKOUT != 0 { Some(r.u32("blackout timeslot")?) } else { None };
    Ok(Impairments {
        echo,
        noise_dbm0,
        gain_db,
        dchan_ber,
        blackout,
        crc4_error_rate: r.f64("CRC-4 error rate")?,
        remote_alarm: flags & IMP_RAI != 0,
        ais_on_cut: flags & IMP_AIS != 0,
    })
}

fn put_law(w: &mut Writer, law: Law) {
    w.u8(match law {
        Law::ALaw => 2,
        Law::MuLaw => 1,
    })
}

fn put_span(w: &mut Writer, s: &SpanStatus) {
    w.u32(s.span);
    w.str(&s.name);
    w.u32(s.alarms.0);
    let c = &s.counters;
    for v in [c.bpv, c.crc4, c.ebit, c.fas, c.fe, c.cv, c.be, c.prbs, c.errsec, c.timingslips] {
        w.u32(v);
    }
    match s.clock_source {
        ClockSource::Internal => w.u8(0),
        ClockSource::Line(p) => w.u8(p.max(1)),
    }
    put_law(w, s.law);
    w.u32(s.first_channel);
    w.u32(s.channels);
    w.u64(s.time);
}

fn put_params(w: &mut Writer, p: &ChannelParams) {
    w.u32(p.channel);
    w.u32(p.span);
    w.u32(p.timeslot);
    w.u8(match p.kind {
        ChannelKind::Unconfigured => 0,
        ChannelKind::Bearer => 1,
        ChannelKind::Hdlc => 2,
        ChannelKind::Cas => 3,
    });
    put_law(w, p.law);
    w.u8(p.idle_bits);
    w.u8(p.rx_bits);
    w.u8(p.tx_bits);
    w.u32(p.block_size as u32);
    w.u32(p.num_buffers as u32);
    w.u32(p.buffer_size as u32);
}

fn put_event(w: &mut Writer, e: &ChannelEvent) {
    w.u32(e.kind.dahdi_code());
    w.u64(e.time);
    w.u32(e.value);
}

impl ClientMessage {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            ClientMessage::Write { channel, data } => frame(1, |w| {
                w.u32(*channel);
                w.bytes(data);
            }),
            ClientMessage::Request { id, request } => {
                let id = *id;
                match request {
                    Request::Hello { version } => frame(10, |w| {
                        w.u32(id);
                        w.u8(*version)
                    }),
                    Request::ListSpans => frame(11, |w| w.u32(id)),
                    Request::SpanStatus { span } => frame(12, |w| {
                        w.u32(id);
                        w.u32(*span)
                    }),
                    Request::Open { channel } => frame(13, |w| {
                        w.u32(id);
                        w.u32(*channel)
                    }),
                    Request::Close { channel } => frame(14, |w| {
                        w.u32(id);
                        w.u32(*channel)
                    }),
                    Request::SetBlockSize { channel, samples } => frame(15, |w| {
                        w.u32(id);
                        w.u32(*channel);
                        w.u32(*samples)
                    }),
                    Request::SetBuffers { channel, count, size } => frame(16, |w| {
                        w.u32(id);
                        w.u32(*channel);
                        w.u32(*count);
                        w.u32(*size)
                    }),
                    Request::SetTxBits { channel, bits } => frame(17, |w| {
                        w.u32(id);
                        w.u32(*channel);
                        w.u8(*bits)
                    }),
                    Request::Ping => frame(18, |w| w.u32(id)),
                    Request::Control(c) => match c {
                        Control::CutPatch { patch, direction } => frame(30, |w| {
                            w.u32(id);
                            w.u32(*patch);
                            put_direction(w, *direction)
                        }),
                        Control::RestorePatch { patch, direction } => frame(31, |w| {
                            w.u32(id);
                            w.u32(*patch);
                            put_direction(w, *direction)
                        }),
                        Control::RemoveCard { card } => frame(32, |w| {
                            w.u32(id);
                            w.str(card)
                        }),
                        Control::AddCard { card } => frame(33, |w| {
                            w.u32(id);
                            w.str(card)
                        }),
                        Control::Step { frames } => frame(34, |w| {
                            w.u32(id);
                            w.u64(*frames)
                        }),
                        Control::SetSpeed { speed_milli } => frame(35, |w| {
                            w.u32(id);
                            w.u32(*speed_milli)
                        }),
                        Control::LineCounters => frame(36, |w| w.u32(id)),
                        Control::SetImpairments { patch, direction, impairments } => frame(37, |w| {
                            w.u32(id);
                            w.u32(*patch);
                            put_direction(w, *direction);
                            put_impairments(w, impairments)
                        }),
                        Control::Slip { patch, direction, kind } => frame(38, |w| {
                            w.u32(id);
                            w.u32(*patch);
                            put_direction(w, *direction);
                            w.u8(match kind {
                                SlipKind::Repeat => 0,
                                SlipKind::Delete => 1,
                            })
                        }),
                        Control::SetClockOffset { card, ppm } => frame(39, |w| {
                            w.u32(id);
                            w.str(card);
                            w.f64(*ppm)
                        }),
                    },
                }
            }
        }
    }
}

impl ServerMessage {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            ServerMessage::Reply { id, result: Err(e) } => frame(1, |w| {
                w.u32(*id);
                w.i32(e.errno);
                w.str(&e.message)
            }),
            ServerMessage::Reply { id, result: Ok(reply) } => match reply {
                Reply::Hello { version, time } => frame(2, |w| {
                    w.u32(*id);
                    w.u8(*version);
                    w.u64(*time)
                }),
                Reply::Spans(spans) => frame(3, |w| {
                    w.u32(*id);
                    w.u32(spans.len() as u32);
                    for s in spans {
                        put_span(w, s)
                    }
                }),
                Reply::Span(s) => frame(4, |w| {
                    w.u32(*id);
                    put_span(w, s)
                }),
                Reply::Opened(p) => frame(5, |w| {
                    w.u32(*id);
                    put_params(w, p)
                }),
                Reply::Done { time } => frame(6, |w| {
                    w.u32(*id);
                    w.u64(*time)
                }),
                Reply::Counters(c) => frame(7, |w| {
                    w.u32(*id);
                    w.u64(c.time);
                    w.u64(c.underruns);
                    w.u64(c.late_blocks);
                    w.u64(c.idle_frames);
                    w.u64(c.late_ticks);
                    w.u32(c.channels.len() as u32);
                    for ch in &c.channels {
                        w.u32(ch.channel);
                        w.u64(ch.underruns);
                        w.u64(ch.late_blocks);
                        w.u64(ch.idle_frames);
                    }
                }),
            },
            ServerMessage::RxBlock { channel, time, tx_done, data } => frame(20, |w| {
                w.u32(*channel);
                w.u64(*time);
                w.u64(*tx_done);
                w.bytes(data)
            }),
            ServerMessage::RxFrame { channel, time, data } => frame(21, |w| {
                w.u32(*channel);
                w.u64(*time);
                w.bytes(data)
            }),
            ServerMessage::TxDone { channel, time, tx_done } => frame(22, |w| {
                w.u32(*channel);
                w.u64(*time);
                w.u64(*tx_done)
            }),
            ServerMessage::Event { channel, event } => frame(23, |w| {
                w.u32(*channel);
                put_event(w, event)
            }),
            ServerMessage::SpanAlarms { span, time, alarms } => frame(24, |w| {
                w.u32(*span);
                w.u64(*time);
                w.u32(alarms.0)
            }),
            ServerMessage::Hotplug(h) => {
                let (tag, card, spans, time) = match h {
                    HotplugEvent::CardAdded { card, spans, time } => (25, card, spans, time),
                    HotplugEvent::CardRemoved { card, spans, time } => (26, card, spans, time),
                };
                frame(tag, |w| {
                    w.str(card);
                    w.u32(spans.len() as u32);
                    for s in spans {
                        w.u32(*s)
                    }
                    w.u64(*time)
                })
            }
        }
    }
}

// ---- decoding ---------------------------------------------------------------

/// Split a frame body (everything after the length prefix) into tag and reader,
/// checking the version.
fn open_frame(body: &[u8]) -> Result<(u8, Reader<'_>), ProtocolError> {
    if body.len() < 2 {
        return Err(ProtocolError::FrameTooShort { length: body.len() });
    }
    if body[0] != PROTOCOL_VERSION {
        return Err(ProtocolError::UnsupportedVersion { got: body[0], supported: PROTOCOL_VERSION });
    }
    Ok((body[1], Reader::new(&body[2..])))
}

fn get_direction(r: &mut Reader) -> Result<Direction, ProtocolError> {
    match r.u8("direction")? {
        0 => Ok(Direction::Both),
        1 => Ok(Direction::AToB),
        2 => Ok(Direction::BToA),
        v => Err(ProtocolError::BadValue { field: "direction", value: v as u64 }),
    }
}

fn get_law(r: &mut Reader) -> Result<Law, ProtocolError> {
    match r.u8("law")? {
        2 => Ok(Law::ALaw),
        1 => Ok(Law::MuLaw),
        v => Err(ProtocolError::BadValue { field: "law", value: v as u64 }),
    }
}

/// Smallest encoding of a span status, for count checks.
const SPAN_MIN_BYTES: usize = 4 + 2 + 4 + 40 + 1 + 1 + 4 + 4 + 8;

fn get_span(r: &mut Reader) -> Result<SpanStatus, ProtocolError> {
    let span = r.u32("span")?;
    let name = r.str("span name")?;
    let alarms = AlarmBits(r.u32("alarms")?);
    let mut c = [0u32; 10];
    for v in c.iter_mut() {
        *v = r.u32("counters")?;
    }
    let clock_source = match r.u8("clock source")? {
        0 => ClockSource::Internal,
        p => ClockSource::Line(p),
    };
    let law = get_law(r)?;
    Ok(SpanStatus {
        span,
        name,
        alarms,
        counters: SpanCounters {
            bpv: c[0],
            crc4: c[1],
            ebit: c[2],
            fas: c[3],
            fe: c[4],
            cv: c[5],
            be: c[6],
            prbs: c[7],
            errsec: c[8],
            timingslips: c[9],
        },
        clock_source,
        law,
        first_channel: r.u32("first channel")?,
        channels: r.u32("channel count")?,
        time: r.u64("time")?,
    })
}

fn get_params(r: &mut Reader) -> Result<ChannelParams, ProtocolError> {
    let channel = r.u32("channel")?;
    let span = r.u32("span")?;
    let timeslot = r.u32("timeslot")?;
    let kind = match r.u8("channel kind")? {
        0 => ChannelKind::Unconfigured,
        1 => ChannelKind::Bearer,
        2 => ChannelKind::Hdlc,
        3 => ChannelKind::Cas,
        v => return Err(ProtocolError::BadValue { field: "channel kind", value: v as u64 }),
    };
    Ok(ChannelParams {
        channel,
        span,
        timeslot,
        kind,
        law: get_law(r)?,
        idle_bits: r.u8("idle bits")?,
        rx_bits: r.u8("rx bits")?,
        tx_bits: r.u8("tx bits")?,
        block_size: r.u32("block size")? as usize,
        num_buffers: r.u32("buffer count")? as usize,
        buffer_size: r.u32("buffer size")? as usize,
    })
}

fn get_event(r: &mut Reader) -> Result<ChannelEvent, ProtocolError> {
    let code = r.u32("event code")?;
    let kind = EventKind::from_dahdi_code(code).ok_or(ProtocolError::BadValue { field: "event code", value: code as u64 })?;
    Ok(ChannelEvent { kind, time: r.u64("event time")?, value: r.u32("event value")? })
}

impl ClientMessage {
    /// Decode one frame body (after the length prefix).
    pub fn decode(body: &[u8]) -> Result<ClientMessage, ProtocolError> {
        let (tag, mut r) = open_frame(body)?;
        if !(tag == 1 || (10..=18).contains(&tag) || (30..=39).contains(&tag)) {
            return Err(ProtocolError::UnknownTag { what: "client message", tag });
        }
        let msg = if tag == 1 {
            ClientMessage::Write { channel: r.u32("channel")?, data: r.bytes("data")? }
        } else {
            let id = r.u32("request id")?;
            let request = match tag {
                10 => Request::Hello { version: r.u8("version")? },
                11 => Request::ListSpans,
                12 => Request::SpanStatus { span: r.u32("span")? },
                13 => Request::Open { channel: r.u32("channel")? },
                14 => Request::Close { channel: r.u32("channel")? },
                15 => Request::SetBlockSize { channel: r.u32("channel")?, samples: r.u32("samples")? },
                16 => Request::SetBuffers { channel: r.u32("channel")?, count: r.u32("count")?, size: r.u32("size")? },
                17 => Request::SetTxBits { channel: r.u32("channel")?, bits: r.u8("bits")? },
                18 => Request::Ping,
                30 => Request::Control(Control::CutPatch { patch: r.u32("patch")?, direction: get_direction(&mut r)? }),
                31 => Request::Control(Control::RestorePatch { patch: r.u32("patch")?, direction: get_direction(&mut r)? }),
                32 => Request::Control(Control::RemoveCard { card: r.str("card")? }),
                33 => Request::Control(Control::AddCard { card: r.str("card")? }),
                34 => Request::Control(Control::Step { frames: r.u64("frames")? }),
                35 => Request::Control(Control::SetSpeed { speed_milli: r.u32("speed")? }),
                36 => Request::Control(Control::LineCounters),
                37 => Request::Control(Control::SetImpairments {
                    patch: r.u32("patch")?,
                    direction: get_direction(&mut r)?,
                    impairments: get_impairments(&mut r)?,
                }),
                38 => Request::Control(Control::Slip {
                    patch: r.u32("patch")?,
                    direction: get_direction(&mut r)?,
                    kind: match r.u8("slip kind")? {
                        0 => SlipKind::Repeat,
                        1 => SlipKind::Delete,
                        v => return Err(ProtocolError::BadValue { field: "slip kind", value: v as u64 }),
                    },
                }),
                39 => Request::Control(Control::SetClockOffset { card: r.str("card")?, ppm: r.f64("ppm")? }),
                tag => return Err(ProtocolError::UnknownTag { what: "client message", tag }),
            };
            ClientMessage::Request { id, request }
        };
        r.finish()?;
        Ok(msg)
    }
}

impl ServerMessage {
    /// Decode one frame body (after the length prefix).
    pub fn decode(body: &[u8]) -> Result<ServerMessage, ProtocolError> {
        let (tag, mut r) = open_frame(body)?;
        if !((1..=7).contains(&tag) || (20..=26).contains(&tag)) {
            return Err(ProtocolError::UnknownTag { what: "server message", tag });
        }
        let msg = match tag {
            1 => ServerMessage::Reply {
                id: r.u32("request id")?,
                result: Err(WireError { errno: r.i32("errno")?, message: r.str("message")? }),
            },
            2..=7 => {
                let id = r.u32("request id")?;
                let reply = match tag {
                    2 => Reply::Hello { version: r.u8("version")?, time: r.u64("time")? },
                    3 => {
                        let n = r.count("span count", SPAN_MIN_BYTES)?;
                        let mut spans = Vec::with_capacity(n);
                        for _ in 0..n {
                            spans.push(get_span(&mut r)?);
                        }
                        Reply::Spans(spans)
                    }
                    4 => Reply::Span(get_span(&mut r)?),
                    5 => Reply::Opened(get_params(&mut r)?),
                    6 => Reply::Done { time: r.u64("time")? },
                    _ => {
                        let mut c = LineCounters {
                            time: r.u64("time")?,
                            underruns: r.u64("underruns")?,
                            late_blocks: r.u64("late blocks")?,
                            idle_frames: r.u64("idle frames")?,
                            late_ticks: r.u64("late ticks")?,
                            channels: Vec::new(),
                        };
                        let n = r.count("channel count", 28)?;
                        for _ in 0..n {
                            c.channels.push(ChannelLineCounters {
                                channel: r.u32("channel")?,
                                underruns: r.u64("underruns")?,
                                late_blocks: r.u64("late blocks")?,
                                idle_frames: r.u64("idle frames")?,
                            });
                        }
                        Reply::Counters(c)
                    }
                };
                ServerMessage::Reply { id, result: Ok(reply) }
            }
            20 => ServerMessage::RxBlock {
                channel: r.u32("channel")?,
                time: r.u64("time")?,
                tx_done: r.u64("tx done")?,
                data: r.bytes("data")?,
            },
            21 => ServerMessage::RxFrame { channel: r.u32("channel")?, time: r.u64("time")?, data: r.bytes("data")? },
            22 => ServerMessage::TxDone { channel: r.u32("channel")?, time: r.u64("time")?, tx_done: r.u64("tx done")? },
            23 => ServerMessage::Event { channel: r.u32("channel")?, event: get_event(&mut r)? },
            24 => ServerMessage::SpanAlarms { span: r.u32("span")?, time: r.u64("time")?, alarms: AlarmBits(r.u32("alarms")?) },
            25 | 26 => {
                let card = r.str("card")?;
                let n = r.count("span count", 4)?;
                let mut spans = Vec::with_capacity(n);
                for _ in 0..n {
                    spans.push(r.u32("span")?);
                }
                let time = r.u64("time")?;
                ServerMessage::Hotplug(if tag == 25 {
                    HotplugEvent::CardAdded { card, spans, time }
                } else {
                    HotplugEvent::CardRemoved { card, spans, time }
                })
            }
            tag => return Err(ProtocolError::UnknownTag { what: "server message", tag }),
        };
        r.finish()?;
        Ok(msg)
    }
}

/// Why reading a frame from a stream failed.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection cleanly between frames.
    Closed,
    Io(io::Error),
    Protocol(ProtocolError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => write!(f, "connection closed by peer"),
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Protocol(e) => write!(f, "{e}"),
        }
    }
}

/// Read one frame body (version, tag, fields) from a stream.
pub fn read_frame(stream: &mut impl Read) -> Result<Vec<u8>, ReadError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match stream.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Err(ReadError::Closed),
            Ok(0) => return Err(ReadError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Io(e)),
        }
    }
    let length = u32::from_le_bytes(len) as usize;
    if length > MAX_FRAME_LEN {
        return Err(ReadError::Protocol(ProtocolError::FrameTooLong { length, max: MAX_FRAME_LEN }));
    }
    if length < 2 {
        return Err(ReadError::Protocol(ProtocolError::FrameTooShort { length }));
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ReadError::Io(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed in the middle of a frame"))
        } else {
            ReadError::Io(e)
        }
    })?;
    Ok(body)
}
