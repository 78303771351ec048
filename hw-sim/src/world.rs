//! The simulated hardware: cards, spans, channels and the patches between them,
//! advanced one chunk of frames at a time by the trunk clock.
//!
//! Per chunk every present span transmits (each channel's octets, finished HDLC
//! frames, ABCD bits), then every span receives what its patch carries from the
//! far end, then alarms are updated. Impairments (echo, noise, gain, bit errors,
//! slips, timeslot blackout, ppm offsets) belong in `Patch::carry_*`, between the
//! far end's transmit and this end's receive: that is the one place to add them.

use std::collections::VecDeque;

use cti_drivers::sim::protocol::{Control, Direction, LineCounters, Reply, ServerMessage, WireError};
use cti_drivers::{error as errno, AlarmBits, ChannelEvent, ChannelKind, ChannelParams, ClockSource, EventKind};
use cti_drivers::{HotplugEvent, Law, SpanCounters, SpanStatus, TrunkTime, E1_CHANNELS_PER_SPAN};

use crate::alarms::SpanAlarmState;
use crate::channel::{Chan, ConnId, Push};
use crate::config::{Config, SlotUse};

/// CAS bits reach the far end 4.5 ms after they are written (dahdi.md 5 and 9.4, measured).
pub const CAS_DELAY: u64 = 36;
/// DAHDI's chunk: 8 frames, 1 ms.
pub const CHUNK: usize = 8;

const SLOTS: usize = E1_CHANNELS_PER_SPAN as usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Conn(ConnId),
    All,
}

struct Card {
    name: String,
    present: bool,
    spans: Vec<usize>,
}

struct Span {
    name: String,
    card: usize,
    law: Law,
    timing: u8,
    first_channel: usize,
    /// (patch index, this span is the patch's `a` end)
    patch: Option<(usize, bool)>,
    alarm: SpanAlarmState,
    reported: AlarmBits,
    counters: SpanCounters,
    // What this span put on the line in the current chunk.
    line_octets: [[u8; CHUNK]; SLOTS],
    line_frames: Vec<Vec<(TrunkTime, Vec<u8>)>>,
    line_bits: [u8; SLOTS],
    // Receive side of CAS: bits queued toward this span, and when they arrive.
    cas_queued: [u8; SLOTS],
    cas_pending: VecDeque<(TrunkTime, usize, u8)>,
}

struct Patch {
    a: usize,
    b: usize,
    cut_a_to_b: bool,
    cut_b_to_a: bool,
}

pub struct World {
    pub time: TrunkTime,
    cards: Vec<Card>,
    spans: Vec<Span>,
    channels: Vec<Chan>,
    patches: Vec<Patch>,
    pub outbox: Vec<(Target, ServerMessage)>,
    pub late_ticks: u64,
    push: Vec<Push>,
}

fn werr(errno: i32, message: impl Into<String>) -> WireError {
    WireError { errno, message: message.into() }
}

impl World {
    pub fn new(config: &Config) -> World {
        let mut w = World {
            time: 0,
            cards: Vec::new(),
            spans: Vec::new(),
            channels: Vec::new(),
            patches: Vec::new(),
            outbox: Vec::new(),
            late_ticks: 0,
            push: Vec::new(),
        };
        let mut span_index = Vec::new();
        for (ci, card) in config.cards.iter().enumerate() {
            let mut spans = Vec::new();
            let mut indices = Vec::new();
            for (si, sc) in card.spans.iter().enumerate() {
                let s = w.spans.len();
                let law = if sc.alaw { Law::ALaw } else { Law::MuLaw };
                let first_channel = w.channels.len() + 1;
                for ts in 1..=SLOTS {
                    let kind = match sc.slots[ts - 1] {
                        SlotUse::Unused => ChannelKind::Unconfigured,
                        SlotUse::Bearer => ChannelKind::Bearer,
                        SlotUse::Hdlc => ChannelKind::Hdlc,
                        SlotUse::Cas => ChannelKind::Cas,
                    };
                    w.channels.push(Chan::new(w.channels.len() as u32 + 1, s, ts as u32, kind, law, sc.idle_bits));
                }
                w.spans.push(Span {
                    name: format!("{}/{}", card.name, si + 1),
                    card: ci,
                    law,
                    timing: sc.timing,
                    first_channel,
                    patch: None,
                    alarm: SpanAlarmState::red_from_start(),
                    reported: AlarmBits(0),
                    counters: SpanCounters::default(),
                    line_octets: [[law.idle_code(); CHUNK]; SLOTS],
                    line_frames: vec![Vec::new(); SLOTS],
                    line_bits: [0; SLOTS],
                    cas_queued: [0; SLOTS],
                    cas_pending: VecDeque::new(),
                });
                spans.push(s);
                indices.push(s);
            }
            span_index.push(indices);
            w.cards.push(Card { name: card.name.clone(), present: true, spans });
        }
        for (pi, p) in config.patches.iter().enumerate() {
            let a = span_index[p.a.0][p.a.1];
            let b = span_index[p.b.0][p.b.1];
            w.patches.push(Patch { a, b, cut_a_to_b: false, cut_b_to_a: false });
            w.spans[a].patch = Some((pi, true));
            w.spans[b].patch = Some((pi, false));
        }
        // A patched span starts as one whose far end already talks: no alarm, and the
        // far end's idle bits already received (dahdi.md 9.4: alarms=0 once the peer talks).
        for s in 0..w.spans.len() {
            if let Some(src) = w.source_of(s) {
                w.spans[s].alarm = SpanAlarmState::default();
                for ts in 0..SLOTS {
                    let bits = w.channels[w.spans[src].first_channel - 1 + ts].line_bits();
                    w.spans[s].cas_queued[ts] = bits;
                    w.channels[w.spans[s].first_channel - 1 + ts].rx_bits = bits;
                }
            }
            w.spans[s].reported = w.spans[s].alarm.bits();
        }
        w
    }

    /// The span whose transmitter this span's receiver hears, if the line is whole.
    fn source_of(&self, s: usize) -> Option<usize> {
        let (pi, is_a) = self.spans[s].patch?;
        let p = &self.patches[pi];
        let (src, cut) = if is_a { (p.b, p.cut_b_to_a) } else { (p.a, p.cut_a_to_b) };
        let present = |x: usize| self.cards[self.spans[x].card].present;
        (!cut && present(src) && present(s)).then_some(src)
    }

    fn span_present(&self, s: usize) -> bool {
        self.cards[self.spans[s].card].present
    }

    fn deliver(&mut self, chan: usize) {
        let Some(owner) = self.channels[chan].owner else {
            self.push.clear();
            return;
        };
        let no = self.channels[chan].no;
        let tx_done = self.channels[chan].tx_done;
        for p in self.push.drain(..) {
            let msg = match p {
                Push::Event(event) => ServerMessage::Event { channel: no, event },
                Push::RxBlock { time, data } => ServerMessage::RxBlock { channel: no, time, tx_done, data },
                Push::RxFrame { time, data } => ServerMessage::RxFrame { channel: no, time, data },
                Push::TxDone { time } => ServerMessage::TxDone { channel: no, time, tx_done },
            };
            self.outbox.push((Target::Conn(owner), msg));
        }
    }

    /// Advance the clock by `frames`, in chunks of at most 8 frames.
    pub fn advance(&mut self, frames: u64) {
        let mut left = frames;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            self.chunk(n);
            left -= n as u64;
        }
    }

    fn chunk(&mut self, n: usize) {
        let t = self.time;
        let end = t + n as u64;
        // 1. Transmit.
        for s in 0..self.spans.len() {
            if !self.span_present(s) {
                continue;
            }
            for ts in 0..SLOTS {
                let c = self.spans[s].first_channel - 1 + ts;
                let mut octets = [0u8; CHUNK];
                self.channels[c].transmit_audio(&mut octets[..n], t, &mut self.push);
                let frames = if self.channels[c].kind == ChannelKind::Hdlc {
                    self.channels[c].transmit_hdlc(n, t, &mut self.push)
                } else {
                    Vec::new()
                };
                self.deliver(c);
                let span = &mut self.spans[s];
                span.line_octets[ts] = octets;
                span.line_frames[ts] = frames;
                span.line_bits[ts] = self.channels[c].line_bits();
            }
        }
        // 2. Receive, and 3. alarms.
        for s in 0..self.spans.len() {
            if !self.span_present(s) {
                continue;
            }
            let source = self.source_of(s);
            let in_alarm = self.spans[s].reported.any();
            let first = self.spans[s].first_channel - 1;
            let idle = [self.spans[s].law.idle_code(); CHUNK];
            for ts in 0..SLOTS {
                let c = first + ts;
                match source {
                    Some(src) => {
                        let octets = self.spans[src].line_octets[ts];
                        self.channels[c].receive_audio(&octets[..n], t, &mut self.push);
                        let frames = std::mem::take(&mut self.spans[src].line_frames[ts]);
                        for (at, frame) in frames.iter().cloned() {
                            self.channels[c].receive_frame(frame, at, in_alarm, &mut self.push);
                        }
                        self.spans[src].line_frames[ts] = frames;
                        let src_chan = self.spans[src].first_channel - 1 + ts;
                        self.channels[c].rx_partial = self.channels[src_chan].frame_in_progress();
                        let bits = self.spans[src].line_bits[ts];
                        if self.channels[c].kind == ChannelKind::Cas && bits != self.spans[s].cas_queued[ts] {
                            self.spans[s].cas_queued[ts] = bits;
                            self.spans[s].cas_pending.push_back((t + CAS_DELAY, ts, bits));
                        }
                    }
                    None => {
                        // No signal: the receiver hears nothing; give the law's idle code so a
                        // program keeps its block timing and hears silence.
                        self.channels[c].receive_audio(&idle[..n], t, &mut self.push);
                        if std::mem::take(&mut self.channels[c].rx_partial) {
                            self.channels[c].receive_abort(t, in_alarm, &mut self.push);
                        }
                    }
                }
                self.deliver(c);
            }
            if source.is_none() {
                self.spans[s].cas_pending.clear();
            }
            while let Some(&(at, ts, bits)) = self.spans[s].cas_pending.front() {
                if at >= end {
                    break;
                }
                self.spans[s].cas_pending.pop_front();
                self.channels[first + ts].receive_bits(bits, at, &mut self.push);
                self.deliver(first + ts);
            }
            for (at, bits) in self.spans[s].alarm.update_signal(t, end, source.is_some()) {
                self.report_alarms(s, at, bits);
            }
        }
        // Remote alarm (RAI, yellow) after every span's own state is known, so that
        // it follows the far end's red to the frame whichever span comes first.
        for s in 0..self.spans.len() {
            if !self.span_present(s) {
                continue;
            }
            let rai = self.source_of(s).and_then(|src| self.spans[src].alarm.sending_rai_since());
            for (at, bits) in self.spans[s].alarm.update_rai(t, end, rai) {
                self.report_alarms(s, at, bits);
            }
        }
        self.time = end;
    }

    fn report_alarms(&mut self, s: usize, at: TrunkTime, bits: AlarmBits) {
        let before = self.spans[s].reported;
        self.spans[s].reported = bits;
        self.outbox.push((Target::All, ServerMessage::SpanAlarms { span: s as u32 + 1, time: at, alarms: bits }));
        // ALARM/NOALARM only on the move between "no alarm" and "some alarm" (dahdi.md 3.3).
        if before.any() != bits.any() {
            let kind = if bits.any() { EventKind::Alarm } else { EventKind::NoAlarm };
            let first = self.spans[s].first_channel - 1;
            for c in first..first + SLOTS {
                self.push.push(Push::Event(ChannelEvent { kind, time: at, value: 0 }));
                self.deliver(c);
            }
        }
    }

    fn span_status(&self, s: usize) -> SpanStatus {
        let span = &self.spans[s];
        SpanStatus {
            span: s as u32 + 1,
            name: span.name.clone(),
            alarms: span.reported,
            counters: span.counters,
            clock_source: if span.timing == 0 { ClockSource::Internal } else { ClockSource::Line(span.timing) },
            law: span.law,
            first_channel: span.first_channel as u32,
            channels: E1_CHANNELS_PER_SPAN,
            time: self.time,
        }
    }

    fn channel_index(&self, channel: u32) -> Result<usize, WireError> {
        let i = (channel as usize).wrapping_sub(1);
        if i >= self.channels.len() {
            return Err(werr(errno::EINVAL, format!("no channel {channel}")));
        }
        if !self.span_present(self.channels[i].span) {
            return Err(werr(errno::EINVAL, format!("no channel {channel}: its card is removed")));
        }
        Ok(i)
    }

    fn owned(&mut self, conn: ConnId, channel: u32) -> Result<&mut Chan, WireError> {
        let i = self.channel_index(channel)?;
        let c = &mut self.channels[i];
        if c.owner != Some(conn) {
            return Err(werr(errno::EINVAL, format!("channel {channel} is not open on this connection")));
        }
        Ok(c)
    }

    pub fn open(&mut self, conn: ConnId, channel: u32) -> Result<ChannelParams, WireError> {
        let i = self.channel_index(channel)?;
        let c = &mut self.channels[i];
        if c.kind == ChannelKind::Unconfigured {
            return Err(werr(errno::ENXIO, format!("channel {channel} is not configured")));
        }
        if c.owner.is_some() {
            return Err(werr(errno::EBUSY, format!("channel {channel} is already open")));
        }
        c.reset(Some(conn));
        Ok(c.params())
    }

    pub fn close(&mut self, conn: ConnId, channel: u32) {
        if let Ok(c) = self.owned(conn, channel) {
            c.reset(None);
        }
    }

    pub fn close_all(&mut self, conn: ConnId) {
        for c in &mut self.channels {
            if c.owner == Some(conn) {
                c.reset(None);
            }
        }
    }

    pub fn write(&mut self, conn: ConnId, channel: u32, data: Vec<u8>) {
        if let Ok(c) = self.owned(conn, channel) {
            c.write(data);
        }
    }

    pub fn set_block_size(&mut self, conn: ConnId, channel: u32, samples: u32) -> Result<Reply, WireError> {
        self.owned(conn, channel)?.set_block_size(samples as usize)?;
        Ok(Reply::Done { time: self.time })
    }

    pub fn set_buffers(&mut self, conn: ConnId, channel: u32, count: u32, size: u32) -> Result<Reply, WireError> {
        self.owned(conn, channel)?.set_buffers(count as usize, size as usize)?;
        Ok(Reply::Done { time: self.time })
    }

    pub fn set_tx_bits(&mut self, conn: ConnId, channel: u32, bits: u8) -> Result<Reply, WireError> {
        self.owned(conn, channel)?.set_tx_bits(bits)?;
        Ok(Reply::Done { time: self.time })
    }

    pub fn list_spans(&self) -> Reply {
        Reply::Spans((0..self.spans.len()).filter(|&s| self.span_present(s)).map(|s| self.span_status(s)).collect())
    }

    pub fn get_span(&self, span: u32) -> Result<Reply, WireError> {
        let s = (span as usize).wrapping_sub(1);
        if s >= self.spans.len() || !self.span_present(s) {
            return Err(werr(errno::EINVAL, format!("no span {span}")));
        }
        Ok(Reply::Span(self.span_status(s)))
    }

    pub fn line_counters(&self) -> LineCounters {
        let mut c = LineCounters { time: self.time, late_ticks: self.late_ticks, ..Default::default() };
        for ch in &self.channels {
            let k = ch.counters;
            c.underruns += k.underruns;
            c.late_blocks += k.late_blocks;
            c.idle_frames += k.idle_frames;
            if k.underruns + k.late_blocks + k.idle_frames > 0 {
                c.channels.push(k);
            }
        }
        c
    }

    /// Control requests other than clock ones (the server handles Step and SetSpeed).
    pub fn control(&mut self, control: &Control) -> Result<Reply, WireError> {
        match control {
            Control::CutPatch { patch, direction } | Control::RestorePatch { patch, direction } => {
                let cut = matches!(control, Control::CutPatch { .. });
                let p = self
                    .patches
                    .get_mut(*patch as usize)
                    .ok_or_else(|| werr(errno::EINVAL, format!("no patch {patch}")))?;
                if matches!(direction, Direction::Both | Direction::AToB) {
                    p.cut_a_to_b = cut;
                }
                if matches!(direction, Direction::Both | Direction::BToA) {
                    p.cut_b_to_a = cut;
                }
                Ok(Reply::Done { time: self.time })
            }
            Control::RemoveCard { card } | Control::AddCard { card } => {
                let add = matches!(control, Control::AddCard { .. });
                let ci = self
                    .cards
                    .iter()
                    .position(|c| &c.name == card)
                    .ok_or_else(|| werr(errno::EINVAL, format!("no card `{card}`")))?;
                if self.cards[ci].present == add {
                    let state = if add { "present" } else { "removed" };
                    return Err(werr(errno::EINVAL, format!("card `{card}` is already {state}")));
                }
                let spans = self.cards[ci].spans.clone();
                for &s in &spans {
                    let first = self.spans[s].first_channel - 1;
                    for c in first..first + SLOTS {
                        if !add && self.channels[c].owner.is_some() {
                            self.push.push(Push::Event(ChannelEvent { kind: EventKind::Removed, time: self.time, value: 0 }));
                            self.deliver(c);
                        }
                        self.channels[c].reset(None);
                    }
                }
                self.cards[ci].present = add;
                for &s in &spans {
                    // A card plugged in on a live line starts without alarm, on a dead one red.
                    let state = if add && self.source_of(s).is_some() {
                        SpanAlarmState::default()
                    } else {
                        SpanAlarmState::red_from_start()
                    };
                    self.spans[s].alarm = state;
                    self.spans[s].reported = self.spans[s].alarm.bits();
                    self.spans[s].cas_pending.clear();
                    let alarms = self.spans[s].reported;
                    self.outbox.push((Target::All, ServerMessage::SpanAlarms { span: s as u32 + 1, time: self.time, alarms }));
                }
                let span_numbers = spans.iter().map(|&s| s as u32 + 1).collect();
                let event = if add {
                    HotplugEvent::CardAdded { card: card.clone(), spans: span_numbers, time: self.time }
                } else {
                    HotplugEvent::CardRemoved { card: card.clone(), spans: span_numbers, time: self.time }
                };
                self.outbox.push((Target::All, ServerMessage::Hotplug(event)));
                Ok(Reply::Done { time: self.time })
            }
            Control::LineCounters => Ok(Reply::Counters(self.line_counters())),
            Control::Step { .. } | Control::SetSpeed { .. } => {
                Err(werr(errno::EINVAL, "clock requests are handled by the server"))
            }
        }
    }
}
