//! The simulated hardware: cards, spans, channels and the patches between them,
//! advanced one chunk of frames at a time by the trunk clock.
//!
//! Per chunk every present span transmits (each channel's octets, finished HDLC
//! frames, ABCD bits), then every span receives what feeds it (its patch's far
//! end, or a BRI passive bus), then alarms are updated. A patch's impairments
//! (`line.rs`: echo, noise, gain, bit errors, slips, blackout, CRC-4 errors,
//! RAI, AIS) act in `chunk`, between the far end's transmit and this end's
//! receive; slips from clock offsets come from the cards' `ppm`.
//!
//! Timing granularity: control requests act between chunks (1 ms); a slip acts
//! at the start of a chunk, and on a bus one terminal at a time holds the
//! D-channel (I.430 6.1 contention), handed over at chunk boundaries.

use std::collections::VecDeque;

use cti_drivers::sim::protocol::{Control, Direction, LineCounters, Reply, ServerMessage, WireError};
use cti_drivers::sim::{SlipKind, MAX_PPM};
use cti_drivers::{error as errno, AlarmBits, ChannelEvent, ChannelKind, ChannelParams, ClockSource, EventKind};
use cti_drivers::{HotplugEvent, Law, SpanCounters, SpanStatus, TrunkTime, E1_CHANNELS_PER_SPAN};

use crate::alarms::{Signal, SpanAlarmState};
use crate::channel::{Chan, ConnId, Push};
use crate::config::{Config, SlotUse};
use crate::line::LineImpairments;

/// What an idle S/T bus carries on a B-channel nobody sends on: binary ones
/// (I.430: a 1 is no pulse), so terminals' signals meet as a wired AND.
const BUS_IDLE: u8 = 0xFF;
/// AIS: all ones on every timeslot (G.775).
const AIS_OCTET: u8 = 0xFF;

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
    /// Clock offset from the trunk clock, thousandths of a ppm.
    milli_ppm: i64,
}

struct Span {
    name: String,
    /// Channels: 31 on E1, 3 on BRI (B1, B2, D).
    nchan: usize,
    bus: Option<usize>,
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
    /// Impairments of what a receives (index 0) and what b receives (index 1).
    toward: [LineImpairments; 2],
}

/// An I.430 passive bus: the NT's frames go to every TE, the TEs' to the NT.
struct Bus {
    nt: usize,
    tes: Vec<usize>,
    /// The TE whose D-channel frame is on the bus now.
    d_owner: Option<usize>,
}

/// What feeds a span's receiver in one chunk.
enum Feed {
    /// A far end's transmitter; `line` = (patch, direction index) when impairable.
    Line { src: usize, line: Option<(usize, usize)> },
    /// The terminals of a passive bus (seen from its NT).
    Bus(Vec<usize>),
    Ais,
    Nothing,
}

impl Feed {
    fn signal(&self) -> Signal {
        match self {
            Feed::Line { .. } | Feed::Bus(_) => Signal::Framed,
            Feed::Ais => Signal::Ais,
            Feed::Nothing => Signal::Lost,
        }
    }
}

pub struct World {
    pub time: TrunkTime,
    cards: Vec<Card>,
    spans: Vec<Span>,
    channels: Vec<Chan>,
    patches: Vec<Patch>,
    buses: Vec<Bus>,
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
            buses: Vec::new(),
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
                let nchan = sc.kind.channels();
                for ts in 1..=nchan {
                    let kind = match sc.slots[ts - 1] {
                        SlotUse::Unused => ChannelKind::Unconfigured,
                        SlotUse::Bearer => ChannelKind::Bearer,
                        SlotUse::Hdlc => ChannelKind::Hdlc,
                        SlotUse::Cas => ChannelKind::Cas,
                    };
                    let mut chan = Chan::new(w.channels.len() as u32 + 1, s, ts as u32, kind, law, sc.idle_bits);
                    if sc.kind.is_bri() && kind == ChannelKind::Hdlc {
                        chan.frames_per_octet = 4; // 16 kbit/s D-channel (I.430)
                    }
                    w.channels.push(chan);
                }
                w.spans.push(Span {
                    name: format!("{}/{}", card.name, si + 1),
                    nchan,
                    bus: None,
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
            let milli_ppm = (card.ppm * 1000.0).round() as i64;
            w.cards.push(Card { name: card.name.clone(), present: true, spans, milli_ppm });
        }
        for (pi, p) in config.patches.iter().enumerate() {
            let a = span_index[p.a.0][p.a.1];
            let b = span_index[p.b.0][p.b.1];
            // Each direction its own reproducible random stream.
            let mut toward = [LineImpairments::new(config.seed ^ (2 * pi as u64 + 1) << 20), LineImpairments::new(config.seed ^ (2 * pi as u64 + 2) << 20)];
            toward[0].apply(p.to_a, w.spans[a].law, 0);
            toward[1].apply(p.to_b, w.spans[b].law, 0);
            w.patches.push(Patch { a, b, cut_a_to_b: false, cut_b_to_a: false, toward });
            w.spans[a].patch = Some((pi, true));
            w.spans[b].patch = Some((pi, false));
        }
        for (bi, bus) in config.buses.iter().enumerate() {
            let nt = span_index[bus.nt.0][bus.nt.1];
            let tes: Vec<usize> = bus.tes.iter().map(|&(c, s)| span_index[c][s]).collect();
            w.spans[nt].bus = Some(bi);
            for &te in &tes {
                w.spans[te].bus = Some(bi);
            }
            w.buses.push(Bus { nt, tes, d_owner: None });
        }
        // A patched span starts as one whose far end already talks: no alarm, and the
        // far end's idle bits already received (dahdi.md 9.4: alarms=0 once the peer talks).
        for s in 0..w.spans.len() {
            if w.feed_of(s).signal() == Signal::Framed {
                w.spans[s].alarm = SpanAlarmState::default();
            }
            if let Some(src) = w.source_of(s) {
                for ts in 0..w.spans[s].nchan {
                    let bits = w.channels[w.spans[src].first_channel - 1 + ts].line_bits();
                    w.spans[s].cas_queued[ts] = bits;
                    w.channels[w.spans[s].first_channel - 1 + ts].rx_bits = bits;
                }
            }
            w.spans[s].reported = w.spans[s].alarm.bits();
        }
        w
    }

    /// What this span's receiver hears now.
    fn feed_of(&self, s: usize) -> Feed {
        let present = |x: usize| self.cards[self.spans[x].card].present;
        if !present(s) {
            return Feed::Nothing;
        }
        if let Some(bi) = self.spans[s].bus {
            let bus = &self.buses[bi];
            if bus.nt == s {
                let tes: Vec<usize> = bus.tes.iter().copied().filter(|&t| present(t)).collect();
                return if tes.is_empty() { Feed::Nothing } else { Feed::Bus(tes) };
            }
            return if present(bus.nt) { Feed::Line { src: bus.nt, line: None } } else { Feed::Nothing };
        }
        let Some((pi, is_a)) = self.spans[s].patch else { return Feed::Nothing };
        let p = &self.patches[pi];
        let (src, cut, dir) = if is_a { (p.b, p.cut_b_to_a, 0) } else { (p.a, p.cut_a_to_b, 1) };
        let lost = cut || !present(src);
        if lost && p.toward[dir].set.ais_on_cut {
            // Transmission equipment in between sends AIS when its own input is lost.
            Feed::Ais
        } else if lost {
            Feed::Nothing
        } else {
            Feed::Line { src, line: Some((pi, dir)) }
        }
    }

    /// The span whose transmitter this span's receiver hears point to point, if any.
    fn source_of(&self, s: usize) -> Option<usize> {
        match self.feed_of(s) {
            Feed::Line { src, .. } => Some(src),
            _ => None,
        }
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
            for ts in 0..self.spans[s].nchan {
                let c = self.spans[s].first_channel - 1 + ts;
                let mut octets = [0u8; CHUNK];
                self.channels[c].transmit_audio(&mut octets[..n], t, &mut self.push);
                let frames = if self.channels[c].kind == ChannelKind::Hdlc && self.may_send_d(s, c) {
                    let frames = self.channels[c].transmit_hdlc(n, t, &mut self.push);
                    self.note_d_owner(s, c);
                    frames
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
        let mut audio = Vec::with_capacity(CHUNK + 1);
        for s in 0..self.spans.len() {
            if !self.span_present(s) {
                continue;
            }
            let feed = self.feed_of(s);
            let in_alarm = self.spans[s].reported.any();
            let first = self.spans[s].first_channel - 1;
            let rx_law = self.spans[s].law;
            let slip = match feed {
                Feed::Line { src, line: Some((pi, d)) } => {
                    let faster = self.cards[self.spans[src].card].milli_ppm - self.cards[self.spans[s].card].milli_ppm;
                    let slip = self.patches[pi].toward[d].slip(n as u64, faster);
                    // DAHDI counts slips only while the span has no alarm (dahdi.md 3.5).
                    if slip.is_some() && !in_alarm {
                        self.spans[s].counters.timingslips += 1;
                    }
                    slip
                }
                _ => None,
            };
            for ts in 0..self.spans[s].nchan {
                let c = first + ts;
                let blackout = |w: &World, line: Option<(usize, usize)>| {
                    line.is_some_and(|(pi, d)| w.patches[pi].toward[d].set.blackout == Some(ts as u32 + 1))
                };
                match &feed {
                    Feed::Line { src, line } if !blackout(self, *line) => {
                        let src = *src;
                        if self.channels[c].is_audio() {
                            let far = self.spans[src].line_octets[ts];
                            let own = self.spans[s].line_octets[ts];
                            match line {
                                Some((pi, d)) => {
                                    let far_law = self.spans[src].law;
                                    self.patches[*pi].toward[*d].audio(ts, &far[..n], far_law, &own[..n], rx_law, &mut audio)
                                }
                                None => {
                                    audio.clear();
                                    audio.extend_from_slice(&far[..n]);
                                }
                            }
                            match slip {
                                Some(SlipKind::Repeat) => audio.insert(0, audio[0]),
                                Some(SlipKind::Delete) => {
                                    audio.remove(0);
                                }
                                None => {}
                            }
                            self.channels[c].receive_audio(&audio, t, &mut self.push);
                        }
                        if let (Some(kind), Some((pi, d))) = (slip, line) {
                            if self.channels[c].rx_partial {
                                self.patches[*pi].toward[*d].slip_hit_frame(ts, kind);
                            }
                        }
                        let frames = std::mem::take(&mut self.spans[src].line_frames[ts]);
                        for (at, frame) in frames.iter().cloned() {
                            let frame = match line {
                                Some((pi, d)) => self.patches[*pi].toward[*d].frame(ts, frame),
                                None => frame,
                            };
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
                    Feed::Bus(tes) => {
                        // Terminals' B-channel signals meet as a wired AND; one
                        // terminal at a time sends on D (see `may_send_d`).
                        let mut merged = [BUS_IDLE; CHUNK];
                        let mut frames = Vec::new();
                        let mut partial = false;
                        for &te in tes {
                            let tc = self.spans[te].first_channel - 1 + ts;
                            if self.channels[tc].drives_bus() {
                                for (m, o) in merged.iter_mut().zip(self.spans[te].line_octets[ts]) {
                                    *m &= o;
                                }
                            }
                            frames.extend(self.spans[te].line_frames[ts].iter().cloned());
                            partial |= self.channels[tc].frame_in_progress();
                        }
                        self.channels[c].receive_audio(&merged[..n], t, &mut self.push);
                        frames.sort_by_key(|f| f.0);
                        for (at, frame) in frames {
                            self.channels[c].receive_frame(frame, at, in_alarm, &mut self.push);
                        }
                        self.channels[c].rx_partial = partial;
                    }
                    other => {
                        // No signal (or AIS, or a blacked-out timeslot): a voice
                        // channel hears the law's idle code (all ones on AIS) so a
                        // program keeps its block timing; a frame in flight aborts.
                        let octet = if matches!(other, Feed::Ais) { AIS_OCTET } else { rx_law.idle_code() };
                        self.channels[c].receive_audio(&[octet; CHUNK][..n], t, &mut self.push);
                        if std::mem::take(&mut self.channels[c].rx_partial) {
                            self.channels[c].receive_abort(t, in_alarm, &mut self.push);
                        }
                    }
                }
                self.deliver(c);
            }
            if let Feed::Line { src, line: Some((pi, d)) } = feed {
                // CRC-4 block errors: this end counts them, the far end hears them
                // back in the E bits (G.704 2.3.3, Table 5b).
                let (errors, seconds) = self.patches[pi].toward[d].crc4_errors(t, end);
                if errors > 0 && !in_alarm {
                    self.spans[s].counters.crc4 += errors;
                    self.spans[s].counters.errsec += seconds;
                    self.spans[src].counters.ebit += errors;
                }
            }
            if self.source_of(s).is_none() {
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
            for (at, bits) in self.spans[s].alarm.update_signal(t, end, feed.signal()) {
                self.report_alarms(s, at, bits);
            }
        }
        // Remote alarm (RAI, yellow) after every span's own state is known, so that
        // it follows the far end's red to the frame whichever span comes first.
        for s in 0..self.spans.len() {
            if !self.span_present(s) {
                continue;
            }
            let rai = match self.feed_of(s) {
                Feed::Line { src, line } => {
                    let sent = self.spans[src].alarm.sending_rai_since();
                    let forced = line.and_then(|(pi, d)| self.patches[pi].toward[d].rai_since);
                    match (sent, forced) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                }
                _ => None,
            };
            for (at, bits) in self.spans[s].alarm.update_rai(t, end, rai) {
                self.report_alarms(s, at, bits);
            }
        }
        self.time = end;
    }

    /// Whether span `s`'s D-channel `c` may send now: on a passive bus only one
    /// terminal's frame is on the line at a time (I.430 6.1 D-channel access).
    fn may_send_d(&self, s: usize, c: usize) -> bool {
        match self.spans[s].bus {
            Some(bi) if self.buses[bi].nt != s => {
                let owner = self.buses[bi].d_owner;
                owner.is_none() || owner == Some(s) || !self.channels[c].hdlc_pending()
            }
            _ => true,
        }
    }

    fn note_d_owner(&mut self, s: usize, c: usize) {
        if let Some(bi) = self.spans[s].bus {
            let bus = &mut self.buses[bi];
            if bus.nt != s {
                if self.channels[c].frame_in_progress() {
                    bus.d_owner = Some(s);
                } else if bus.d_owner == Some(s) {
                    bus.d_owner = None;
                }
            }
        }
    }

    fn report_alarms(&mut self, s: usize, at: TrunkTime, bits: AlarmBits) {
        let before = self.spans[s].reported;
        self.spans[s].reported = bits;
        self.outbox.push((Target::All, ServerMessage::SpanAlarms { span: s as u32 + 1, time: at, alarms: bits }));
        // ALARM/NOALARM only on the move between "no alarm" and "some alarm" (dahdi.md 3.3).
        if before.any() != bits.any() {
            let kind = if bits.any() { EventKind::Alarm } else { EventKind::NoAlarm };
            let first = self.spans[s].first_channel - 1;
            for c in first..first + self.spans[s].nchan {
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
            channels: span.nchan as u32,
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

    /// (patch, direction index) pairs a control request names: index 0 is what
    /// side a receives (`BToA`), 1 what side b receives (`AToB`).
    fn directions(&self, patch: u32, direction: Direction) -> Result<Vec<(usize, usize)>, WireError> {
        let pi = patch as usize;
        if pi >= self.patches.len() {
            return Err(werr(errno::EINVAL, format!("no patch {patch}")));
        }
        Ok(match direction {
            Direction::Both => vec![(pi, 0), (pi, 1)],
            Direction::AToB => vec![(pi, 1)],
            Direction::BToA => vec![(pi, 0)],
        })
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
                    for c in first..first + self.spans[s].nchan {
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
                    let state = if add && self.feed_of(s).signal() == Signal::Framed {
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
            Control::SetImpairments { patch, direction, impairments } => {
                impairments.validate().map_err(|m| werr(errno::EINVAL, m))?;
                let now = self.time;
                for (pi, d) in self.directions(*patch, *direction)? {
                    let rx = if d == 0 { self.patches[pi].a } else { self.patches[pi].b };
                    let law = self.spans[rx].law;
                    self.patches[pi].toward[d].apply(*impairments, law, now);
                }
                Ok(Reply::Done { time: self.time })
            }
            Control::Slip { patch, direction, kind } => {
                for (pi, d) in self.directions(*patch, *direction)? {
                    self.patches[pi].toward[d].request_slip(*kind);
                }
                Ok(Reply::Done { time: self.time })
            }
            Control::SetClockOffset { card, ppm } => {
                if ppm.abs() > MAX_PPM {
                    return Err(werr(errno::EINVAL, format!("clock offset {ppm} ppm: at most {MAX_PPM} either way")));
                }
                let c = self
                    .cards
                    .iter_mut()
                    .find(|c| &c.name == card)
                    .ok_or_else(|| werr(errno::EINVAL, format!("no card `{card}`")))?;
                c.milli_ppm = (ppm * 1000.0).round() as i64;
                Ok(Reply::Done { time: self.time })
            }
            Control::Step { .. } | Control::SetSpeed { .. } => {
                Err(werr(errno::EINVAL, "clock requests are handled by the server"))
            }
        }
    }
}
