//! Behaviour tests of the backend interface, written once against [`Backend`]
//! and run against any backend through a [`TestBench`]: the sim backend over a
//! real hw-sim process in `cargo test`, and (later) the dahdi backend inside a
//! QEMU guest running the real DAHDI kernel, through `src/bin/behaviour.rs`.
//!
//! Each case returns `Err(reason)` on failure; timings are asserted in trunk
//! time, within the bench's tolerance (0 frames on hw-sim).

use std::time::{Duration, Instant};

use crate::backend::{Backend, Channel};
use crate::error::{self as errno, Error};
use crate::hdlc::fcs16;
use crate::sim::{Impairments, SlipKind};
use crate::types::*;

mod bri;
mod impairments;

/// One side of the CCS link (`Topology::ccs_spans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// A BRI passive bus of the bench: one NT port and its terminals, each as
/// (span, B1, B2, D channel numbers).
#[derive(Debug, Clone)]
pub struct BriTopology {
    pub nt: BriPort,
    pub tes: Vec<BriPort>,
}

#[derive(Debug, Clone, Copy)]
pub struct BriPort {
    pub span: SpanNo,
    pub b1: ChannelNo,
    pub b2: ChannelNo,
    pub d: ChannelNo,
}

const NO_IMPAIRMENTS: &str = "this bench cannot impair its lines";

/// Which channels and spans of the bench's hardware the cases use. The `a` and
/// `b` sides of each pair are on two spans patched back to back.
#[derive(Debug, Clone)]
pub struct Topology {
    pub ccs_spans: (SpanNo, SpanNo),
    pub cas_spans: (SpanNo, SpanNo),
    pub bearer_pair: (ChannelNo, ChannelNo),
    pub hdlc_pair: (ChannelNo, ChannelNo),
    pub cas_pair: (ChannelNo, ChannelNo),
    pub unconfigured: ChannelNo,
    pub nonexistent: ChannelNo,
}

/// Which way a cut acts on the CCS link (`ccs_spans.0` is side a).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Both,
    /// Only the direction from side a to side b: b loses signal, a keeps it.
    AToB,
}

/// What a backend's hardware shows where real cards and the loopback spans of a kernel
/// under test differ. hw-sim copies a card ([`Profile::CARD`]); the dahdi bench states its
/// own values with the dahdi.md measurement they come from (`dahdi::bench::dahdi_profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Frames from loss of signal to RED (G.775 / wct4xxp debounce 2.5 s, dahdi.md 3.4).
    pub red_after: u64,
    /// Allowed error of alarm times, in frames (an alarm check that runs once a second).
    pub alarm_tolerance: u64,
    /// Frames RECOVER is held after red clears before NOALARM (DAHDI_ALARMSETTLE_TIME 5 s);
    /// 0 when the hardware clears at once.
    pub recovery_hold: u64,
    /// Detail bits set with RED on loss of signal (LOS on a card).
    pub red_detail: u32,
    /// A cut leaves both ends in place (a cable); if false, a cut removes the far end.
    pub cut_keeps_far_end: bool,
    /// One direction of a link can be cut alone (for far-end yellow).
    pub one_way_cut: bool,
    /// The hardware can vanish and come back (hw-sim killed and restarted).
    pub hardware_can_vanish: bool,
}

impl Profile {
    /// A real E1 card, as hw-sim plays it (dahdi.md 3.4).
    pub const CARD: Profile = Profile {
        red_after: 20_000,
        alarm_tolerance: 0,
        recovery_hold: 40_000,
        red_detail: AlarmBits::LOS,
        cut_keeps_far_end: true,
        one_way_cut: true,
        hardware_can_vanish: true,
    };
}

/// The start of a case's `Err` when the hardware cannot show what the case tests; the
/// runner reports such a case as "n/a" with the reason, never as passed.
pub const NOT_SHOWABLE: &str = "not showable on this hardware";

/// The hardware under test and the means to act on it.
pub trait TestBench {
    fn backend(&self) -> &dyn Backend;
    /// A second program's view of the same hardware (for exclusive open).
    fn second_backend(&self) -> Result<Box<dyn Backend>, String>;
    fn topology(&self) -> Topology;
    /// Let `frames` of trunk time pass, and return once everything the hardware
    /// did in that time has reached the backend.
    fn advance(&mut self, frames: u64) -> Result<(), String>;
    fn cut(&mut self, how: Cut) -> Result<(), String>;
    fn restore(&mut self) -> Result<(), String>;
    /// Unplug and replug the card holding side b of the CCS link.
    fn remove_far_card(&mut self) -> Result<(), String>;
    fn add_far_card(&mut self) -> Result<(), String>;
    /// Make the hardware vanish (kill hw-sim) and come back.
    fn kill_hardware(&mut self) -> Result<(), String>;
    fn restart_hardware(&mut self) -> Result<(), String>;
    /// Allowed error of asserted event times, in frames.
    fn tolerance(&self) -> u64;

    /// Whether this bench can impair its lines (hw-sim can; a real kernel's
    /// loopback spans cannot): the impairment cases run only then.
    fn can_impair(&self) -> bool {
        false
    }
    /// Replace the impairments of what `toward` receives on the CCS link.
    fn impair(&mut self, _toward: Side, _impairments: Impairments) -> Result<(), String> {
        Err(NO_IMPAIRMENTS.into())
    }
    /// One controlled slip now at `toward`'s receiver on the CCS link.
    fn slip(&mut self, _toward: Side, _kind: SlipKind) -> Result<(), String> {
        Err(NO_IMPAIRMENTS.into())
    }
    /// Clock offset (ppm) of the card holding `side` of the CCS link.
    fn clock_offset(&mut self, _side: Side, _ppm: f64) -> Result<(), String> {
        Err(NO_IMPAIRMENTS.into())
    }
    /// The bench's BRI passive bus, if it has one: the BRI cases run only then.
    fn bri(&self) -> Option<BriTopology> {
        None
    }
    /// Where this hardware differs from a card.
    fn profile(&self) -> Profile {
        Profile::CARD
    }
}

pub type CaseResult = Result<(), String>;
pub type Case = fn(&mut dyn TestBench) -> CaseResult;

/// Every behaviour case, by name.
pub fn cases() -> Vec<(&'static str, Case)> {
    let common: Vec<(&'static str, Case)> = vec![
        ("open_errors_and_exclusive_open", open_errors_and_exclusive_open),
        ("spans_list_status_law_and_clock", spans_list_status_law_and_clock),
        ("block_size_limits", block_size_limits),
        ("bearer_audio_bit_exact_both_ways", bearer_audio_bit_exact_both_ways),
        ("hdlc_frames_carry_fcs_both_ways", hdlc_frames_carry_fcs_both_ways),
        ("hdlc_overrun_event_and_elast", hdlc_overrun_event_and_elast),
        ("cas_bits_change_events_with_time", cas_bits_change_events_with_time),
        ("cut_cable_red_after_debounce_and_recovery", cut_cable_red_after_debounce_and_recovery),
        ("one_way_cut_gives_far_end_yellow", one_way_cut_gives_far_end_yellow),
        ("write_underrun_sends_idle_code", write_underrun_sends_idle_code),
        ("read_overrun_when_not_reading", read_overrun_when_not_reading),
        ("card_removed_and_added", card_removed_and_added),
        ("hardware_killed_goes_red_and_recovers", hardware_killed_goes_red_and_recovers),
    ];
    common
        .into_iter()
    .chain(impairments::cases())
    .chain(bri::cases())
    .collect()
}

/// Whether a case can run on this bench (impairment cases need `can_impair`,
/// BRI cases a bus).
pub fn applicable(name: &str, bench: &dyn TestBench) -> bool {
    if impairments::cases().iter().any(|(n, _)| *n == name) {
        return bench.can_impair();
    }
    if bri::cases().iter().any(|(n, _)| *n == name) {
        return bench.bri().is_some();
    }
    true
}

/// Run every applicable case; returns (name, result) in order.
pub fn run_all(bench: &mut dyn TestBench) -> Vec<(&'static str, CaseResult)> {
    let mut out = Vec::new();
    for (name, case) in cases() {
        if applicable(name, &*bench) {
            out.push((name, case(bench)));
        }
    }
    out
}

// ---- helpers ----------------------------------------------------------------

fn e<T: std::fmt::Debug>(what: &str) -> impl FnOnce(T) -> String + '_ {
    move |err| format!("{what}: {err:?}")
}

fn expect_errno<T>(r: crate::Result<T>, want: i32, what: &str) -> CaseResult {
    match r {
        Ok(_) => Err(format!("{what}: succeeded, expected errno {want}")),
        Err(err) if err.errno() == want => Ok(()),
        Err(err) => Err(format!("{what}: got {err} (errno {}), expected errno {want}", err.errno())),
    }
}

fn check(cond: bool, what: impl FnOnce() -> String) -> CaseResult {
    if cond {
        Ok(())
    } else {
        Err(what())
    }
}

fn near(got: TrunkTime, want: TrunkTime, tol: u64, what: &str) -> CaseResult {
    // The measured value, for the record (the QEMU stage's log; captured by cargo test).
    println!("     {what}: {} frames late of {want} (tolerance {tol})", got as i64 - want as i64);
    check(got.abs_diff(want) <= tol, || format!("{what}: at frame {got}, expected {want} (tolerance {tol})"))
}

fn open(b: &dyn Backend, ch: ChannelNo) -> Result<Box<dyn Channel>, String> {
    b.open(ch).map_err(|err| format!("open channel {ch}: {err}"))
}

fn drain(ch: &mut dyn Channel) -> Result<Vec<ChannelEvent>, String> {
    ch.drain_events().map_err(e("drain events"))
}

/// Every block or frame ready now; fails on a pending event.
fn read_all(ch: &mut dyn Channel) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 16384];
    loop {
        match ch.read(&mut buf) {
            Ok(n) => out.push(buf[..n].to_vec()),
            Err(Error::WouldBlock) => return Ok(out),
            Err(err) => return Err(format!("read: {err}")),
        }
    }
}

/// Drain the events and read everything queued: where the hardware clock runs while
/// the program works (a real kernel), receive buffers of channels opened a while ago
/// may have overrun before a case's timed part starts; this starts it clean.
fn flush(ch: &mut dyn Channel) -> CaseResult {
    drain(ch)?;
    read_all(ch)?;
    drain(ch).map(drop)
}

/// Events without READ_OVERRUN, for channels a case does not read continuously.
fn without_read_overruns(events: Vec<ChannelEvent>) -> Vec<ChannelEvent> {
    events.into_iter().filter(|ev| ev.kind != EventKind::ReadOverrun).collect()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn alarms(b: &dyn Backend, span: SpanNo) -> Result<AlarmBits, String> {
    b.span_status(span).map(|s| s.alarms).map_err(e("span status"))
}

// ---- cases ------------------------------------------------------------------

/// dahdi.md 1.3: EINVAL for no such channel, ENXIO for an unconfigured one,
/// EBUSY for a second open, from this program or another.
fn open_errors_and_exclusive_open(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let b = bench.backend();
    expect_errno(b.open(t.nonexistent), errno::EINVAL, "open a channel that does not exist")?;
    expect_errno(b.open(0), errno::EINVAL, "open channel 0")?;
    expect_errno(b.open(t.unconfigured), errno::ENXIO, "open an unconfigured channel")?;
    let first = open(b, t.bearer_pair.0)?;
    expect_errno(b.open(t.bearer_pair.0), errno::EBUSY, "second open in the same program")?;
    let other = bench.second_backend()?;
    expect_errno(other.open(t.bearer_pair.0), errno::EBUSY, "open held by another program")?;
    drop(first);
    bench.backend().span_status(t.ccs_spans.0).map_err(e("span status"))?; // close has been processed
    let again = other.open(t.bearer_pair.0).map_err(e("open after close"))?;
    let p = again.params().map_err(e("params"))?;
    check(
        p.kind == ChannelKind::Bearer
            && p.block_size == DEFAULT_BLOCK_SIZE
            && p.num_buffers == DEFAULT_VOICE_BUFFERS
            && p.buffer_size == DEFAULT_BLOCK_SIZE,
        || format!("params after open: {p:?}"),
    )
}

/// Spans in number order with 31 channels each, consecutive channel numbers,
/// a law and a clock source; an unknown span is EINVAL (dahdi.md 1.5).
fn spans_list_status_law_and_clock(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let b = bench.backend();
    let spans = b.spans().map_err(e("spans"))?;
    check(spans.len() >= 4, || format!("{} spans", spans.len()))?;
    for w in spans.windows(2) {
        check(w[0].span < w[1].span && w[0].first_channel + w[0].channels <= w[1].first_channel, || {
            format!("spans out of order: {:?} then {:?}", w[0].span, w[1].span)
        })?;
    }
    for s in &spans {
        // E1 spans have TS1-TS31; BRI ports B1, B2, D (DAHDI's BRI span layout).
        check(s.channels == E1_CHANNELS_PER_SPAN || s.channels == 3, || format!("span {} has {} channels", s.span, s.channels))?;
        let one = b.span_status(s.span).map_err(e("span status"))?;
        check(one.name == s.name && one.law == s.law && one.clock_source == s.clock_source, || format!("span {} differs", s.span))?;
    }
    let ccs = b.span_status(t.ccs_spans.0).map_err(e("span status"))?;
    check(ccs.first_channel <= t.hdlc_pair.0 && t.hdlc_pair.0 < ccs.first_channel + 31, || "D-channel outside its span".into())?;
    let d = open(b, t.hdlc_pair.0)?;
    let p = d.params().map_err(e("params"))?;
    check(
        p.span == ccs.span
            && p.timeslot == t.hdlc_pair.0 - ccs.first_channel + 1
            && p.kind == ChannelKind::Hdlc
            && (p.num_buffers, p.buffer_size) == (DEFAULT_HDLC_BUFFERS, DEFAULT_HDLC_BUFFER_SIZE),
        || format!("D-channel params {p:?}"),
    )?;
    expect_errno(b.span_status(999), errno::EINVAL, "status of span 999")
}

fn block_size_limits(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut ch = open(bench.backend(), t.bearer_pair.0)?;
    for bad in [0, 8, 15, 161, 8200, 16384] {
        expect_errno(ch.set_block_size(bad), errno::EINVAL, &format!("block size {bad}"))?;
    }
    for good in [16, 8192, 160, 40] {
        ch.set_block_size(good).map_err(e("valid block size"))?;
    }
    let mut d = open(bench.backend(), t.hdlc_pair.0)?;
    expect_errno(d.set_tx_bits(0b1011), errno::EINVAL, "SETTXBITS on a D-channel")?;
    expect_errno(ch.set_tx_bits(0b1011), errno::EINVAL, "SETTXBITS on a clear channel")?;
    Ok(())
}

/// Blocks written on one side come out of the other byte for byte, in order,
/// one block per block time, both ways at once.
fn bearer_audio_bit_exact_both_ways(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let block = 160usize;
    let mut a = open(bench.backend(), t.bearer_pair.0)?;
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let law = a.params().map_err(e("params"))?.law;
    let blocks = 25;
    let pattern = |side: u8, k: usize| -> Vec<u8> {
        (0..block).map(|i| (i as u8).wrapping_mul(7) ^ (k as u8).wrapping_mul(31) ^ side).collect()
    };
    let (mut sent_a, mut sent_b, mut got_a, mut got_b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Each side writes one block for every block it reads, after a few written ahead, as
    // a media engine clocked by the trunk does: the queue stays as deep however late the
    // program wakes up (a kernel under QEMU ticks in bursts when the host is loaded).
    // 16 buffers of 20 ms, 12 written ahead: 240 ms of bursts absorbed.
    let ahead = 12;
    for ch in [&mut a, &mut b] {
        ch.set_buffers(16, block).map_err(e("set 16 buffers"))?;
    }
    let write = |ch: &mut Box<dyn Channel>, side: u8, k: usize, sent: &mut Vec<u8>| -> CaseResult {
        let data = pattern(side, k);
        if let Err(err) = ch.write(&data) {
            let events = ch.drain_events().unwrap_or_default();
            return Err(format!("write block {k} on side {side:#x}: {err}; events {events:?}"));
        }
        sent.extend(data);
        Ok(())
    };
    flush(a.as_mut())?;
    flush(b.as_mut())?;
    let start = bench.backend().now();
    let (mut next_a, mut next_b) = (0, 0);
    while next_a < ahead {
        write(&mut a, 0x00, next_a, &mut sent_a)?;
        write(&mut b, 0x80, next_b, &mut sent_b)?;
        (next_a, next_b) = (next_a + 1, next_b + 1);
    }
    let mut blocks_seen = 0;
    let steps = blocks + ahead + 2;
    for k in 0..steps {
        bench.advance(block as u64)?;
        for ch in [&mut a, &mut b] {
            for ev in drain(ch.as_mut())? {
                // Once the writers stop, the line underruns; nothing else may happen.
                check(k + ahead >= blocks && ev.kind == EventKind::WriteUnderrun, || format!("event {ev:?} at step {k}"))?;
            }
        }
        let ra = read_all(a.as_mut())?;
        let rb = read_all(b.as_mut())?;
        blocks_seen += rb.len();
        for blk in &ra {
            check(blk.len() == block, || format!("block of {} octets", blk.len()))?;
        }
        for _ in 0..ra.len() {
            if next_a < blocks {
                write(&mut a, 0x00, next_a, &mut sent_a)?;
                next_a += 1;
            }
        }
        for _ in 0..rb.len() {
            if next_b < blocks {
                write(&mut b, 0x80, next_b, &mut sent_b)?;
                next_b += 1;
            }
        }
        got_a.extend(ra.concat());
        got_b.extend(rb.concat());
    }
    check(next_a == blocks && next_b == blocks, || format!("only {next_a} and {next_b} of {blocks} blocks written in {steps} steps"))?;
    let elapsed = bench.backend().now() - start;
    // Exact on hw-sim; within the bench's tolerance where the clock is read between ticks.
    let slack = bench.tolerance().div_ceil(block as u64);
    check((blocks_seen as u64).abs_diff(elapsed / block as u64) <= slack, || {
        format!("{blocks_seen} blocks received in {elapsed} frames of {block}-sample blocks (slack {slack})")
    })?;
    let at = find(&got_b, &sent_a).ok_or("a's audio did not arrive intact at b")?;
    check(got_b[..at].iter().all(|&x| x == law.idle_code()), || "b heard something other than idle code before a spoke".into())?;
    find(&got_a, &sent_b).ok_or("b's audio did not arrive intact at a")?;
    drain(a.as_mut())?;
    Ok(())
}

/// dahdi.md 4: writes carry 2 placeholder bytes, reads end with the FCS
/// (CRC-16/X.25 complemented, low byte first); frames keep order and bounds.
fn hdlc_frames_carry_fcs_both_ways(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    let frames: Vec<Vec<u8>> = [3usize, 10, 64, 260, 1000].iter().map(|&n| (0..n).map(|i| (i * 13 + n) as u8).collect()).collect();
    for f in &frames {
        a.write_frame(f).map_err(e("write frame a->b"))?;
    }
    b.write_frame(b"\x00\x01\x7f reply").map_err(e("write frame b->a"))?;
    expect_errno(a.write(&[0x42]), errno::EINVAL, "HDLC write shorter than the FCS")?;
    // 1337 octets at 64 kbit/s take 167 ms; give it 250 ms.
    bench.advance(2000 + bench.tolerance())?;
    let got = read_all(b.as_mut())?;
    check(got.len() == frames.len(), || {
        let lengths: Vec<usize> = got.iter().map(Vec::len).collect();
        format!("b read {} frames of {lengths:?} bytes, a sent {} (+2 FCS each)", got.len(), frames.len())
    })?;
    for (raw, sent) in got.iter().zip(&frames) {
        let n = raw.len();
        check(n == sent.len() + 2 && &raw[..n - 2] == sent.as_slice(), || format!("frame of {} bytes came as {} bytes", sent.len(), n))?;
        let fcs = u16::from_le_bytes([raw[n - 2], raw[n - 1]]);
        check(fcs == fcs16(sent), || format!("FCS {fcs:04x}, expected {:04x}", fcs16(sent)))?;
    }
    let mut buf = [0u8; 64];
    let n = a.read_frame(&mut buf).map_err(e("read frame at a"))?;
    check(&buf[..n] == b"\x00\x01\x7f reply", || format!("a read {:?}", &buf[..n]))
}

/// dahdi.md 4: a frame longer than the receiver's buffer gives OVERRUN (7) and is
/// dropped; dahdi.md 3.2: while that event is queued read and write fail with ELAST.
fn hdlc_overrun_event_and_elast(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    b.set_buffers(32, 64).map_err(e("set buffers"))?;
    a.write_frame(&[0x55; 200]).map_err(e("write long frame"))?;
    a.write_frame(&[0x66; 20]).map_err(e("write short frame"))?;
    bench.advance(400 + bench.tolerance())?;
    let mut buf = [0u8; 256];
    if let Ok(n) = b.read(&mut buf) {
        return Err(format!("read with OVERRUN queued: succeeded with {n} bytes {:02x?}", &buf[..n.min(8)]));
    }
    expect_errno(b.read(&mut buf), errno::ELAST, "read with OVERRUN queued")?;
    expect_errno(b.write(&[1, 2, 0, 0]), errno::ELAST, "write with OVERRUN queued")?;
    let events = drain(b.as_mut())?;
    check(events.len() == 1 && events[0].kind == EventKind::HdlcOverrun, || format!("events {events:?}"))?;
    check(events[0].kind.dahdi_code() == 7, || "OVERRUN is DAHDI event 7".into())?;
    let n = b.read(&mut buf).map_err(e("read after draining"))?;
    check(n == 22 && buf[..20] == [0x66; 20], || format!("read {n} bytes after the dropped frame"))
}

/// dahdi.md 5 and 9.4: SETTXBITS on one side gives BITSCHANGED (13) on the other
/// 4.5 ms later; closing a channel sends its idle bits.
fn cas_bits_change_events_with_time(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    let mut b = open(bench.backend(), t.cas_pair.1)?;
    let mut a = open(bench.backend(), t.cas_pair.0)?;
    let idle = a.params().map_err(e("params"))?.idle_bits;
    bench.advance(80)?;
    flush(a.as_mut())?;
    flush(b.as_mut())?;
    let t0 = bench.backend().now();
    a.set_tx_bits(0b1011).map_err(e("set tx bits"))?;
    bench.advance(80 + tol)?;
    let events = without_read_overruns(drain(b.as_mut())?);
    check(events.len() == 1 && events[0].kind == EventKind::BitsChanged && events[0].value == 0b1011, || {
        format!("events after SETTXBITS 1011: {events:?}")
    })?;
    near(events[0].time, t0 + 36, tol, "BITSCHANGED 4.5 ms after the write")?;
    check(b.rx_bits().map_err(e("rx bits"))? == 0b1011, || "GETRXBITS after the change".into())?;
    // The sending side gets no event from its own change (READ_OVERRUN aside: it is not read).
    let own = without_read_overruns(drain(a.as_mut())?);
    check(own.is_empty(), || format!("events on the sending side {own:?}"))?;
    drop(a);
    bench.advance(160 + tol)?;
    let events = without_read_overruns(drain(b.as_mut())?);
    check(events.last().map(|ev| ev.value) == Some(idle as u32), || format!("after close, events {events:?}, idle {idle:04b}"))?;
    check(b.rx_bits().map_err(e("rx bits"))? == idle, || "idle bits after the far end closed".into())
}

/// dahdi.md 3.3, 3.4, 10: a cut cable raises red (RED, with LOS on a card) after the
/// hardware's debounce (2.5 s on a card); ALARM only on the move into alarm; after
/// restoring, RECOVER is held 5 s on a card and only then NOALARM. ELAST while the events
/// are queued. Where a cut removes the far end (loopback spans of a kernel), the near
/// end is checked alone and the far end is opened anew after the restore.
fn cut_cable_red_after_debounce_and_recovery(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    let p = bench.profile();
    let at = p.alarm_tolerance;
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = if p.cut_keeps_far_end { Some(open(bench.backend(), t.hdlc_pair.1)?) } else { None };
    let mut voice = open(bench.backend(), t.bearer_pair.0)?;
    bench.advance(160)?;
    flush(voice.as_mut())?;
    check(alarms(bench.backend(), t.ccs_spans.0)? == AlarmBits(0), || "alarm before the cut".into())?;
    let t0 = bench.backend().now();
    bench.cut(Cut::Both)?;
    bench.advance(p.red_after - 8 - tol - at)?;
    for ch in std::iter::once(&mut a).chain(b.as_mut()) {
        check(drain(ch.as_mut())?.is_empty(), || "event before the loss-of-signal debounce".into())?;
    }
    bench.advance(16 + 2 * tol + 2 * at)?;
    let mut sides = vec![(&mut a, t.ccs_spans.0)];
    if let Some(b) = b.as_mut() {
        sides.push((b, t.ccs_spans.1));
    }
    for (ch, span) in sides {
        let mut buf = [0u8; 64];
        expect_errno(ch.read(&mut buf), errno::ELAST, "read with ALARM queued")?;
        expect_errno(ch.write(&[1, 2, 3, 0, 0]), errno::ELAST, "write with ALARM queued")?;
        let events = drain(ch.as_mut())?;
        check(events.len() == 1 && events[0].kind == EventKind::Alarm, || format!("events {events:?}"))?;
        near(events[0].time, t0 + p.red_after, tol + at, "red alarm")?;
        let bits = alarms(bench.backend(), span)?;
        check(bits.has(AlarmBits::RED) && bits.0 & p.red_detail == p.red_detail, || format!("alarms {bits:?} after the cut"))?;
        expect_errno(ch.read(&mut buf), errno::EAGAIN, "read after draining")?;
    }
    // Voice blocks keep coming during the alarm (the card keeps its own clock).
    expect_errno(voice.read(&mut [0u8; 160]), errno::ELAST, "voice read with ALARM queued")?;
    drain(voice.as_mut())?; // ALARM, and READ_OVERRUN: nobody read it meanwhile
    read_all(voice.as_mut())?;
    bench.advance(320)?;
    let blocks = read_all(voice.as_mut())?;
    let slack = tol.div_ceil(160) as usize;
    check(blocks.len().abs_diff(2) <= slack, || format!("{} voice blocks in 40 ms of alarm", blocks.len()))?;
    bench.advance(8000)?;
    let t1 = bench.backend().now();
    bench.restore()?;
    if p.recovery_hold > 0 {
        let b = b.as_mut().ok_or("a card keeps its far end")?;
        bench.advance(16 + tol)?;
        let bits = alarms(bench.backend(), t.ccs_spans.1)?;
        check(bits == AlarmBits(AlarmBits::RECOVER), || format!("alarms {bits:?} just after restoring"))?;
        check(drain(b.as_mut())?.is_empty(), || "event on the move from red to recovering".into())?;
        bench.advance(p.recovery_hold - 32 - 2 * tol)?;
        check(drain(b.as_mut())?.is_empty(), || "NOALARM before the 5-s recovery hold".into())?;
        bench.advance(32 + 2 * tol)?;
    } else {
        bench.advance(16 + 2 * tol)?;
    }
    let mut sides = vec![(&mut a, t.ccs_spans.0)];
    if let Some(b) = b.as_mut() {
        sides.push((b, t.ccs_spans.1));
    }
    for (ch, span) in sides {
        let events = drain(ch.as_mut())?;
        check(events.len() == 1 && events[0].kind == EventKind::NoAlarm, || format!("events {events:?}"))?;
        near(events[0].time, t1 + p.recovery_hold, tol + at, "no alarm after recovery")?;
        check(alarms(bench.backend(), span)? == AlarmBits(0), || "alarms after recovery".into())?;
    }
    // Frames flow again.
    let mut b = match b {
        Some(b) => b,
        None => open(bench.backend(), t.hdlc_pair.1)?,
    };
    a.write_frame(b"after").map_err(e("write after recovery"))?;
    bench.advance(80 + tol)?;
    let mut buf = [0u8; 64];
    let n = b.read_frame(&mut buf).map_err(e("read after recovery"))?;
    check(&buf[..n] == b"after", || "frame after recovery".into())
}

/// A cut in one direction: the end that lost signal goes red after 2.5 s and
/// sends RAI; the other end shows yellow 0.5 s later (dahdi.md 3.4, 10).
fn one_way_cut_gives_far_end_yellow(bench: &mut dyn TestBench) -> CaseResult {
    if !bench.profile().one_way_cut {
        return Err(format!("{NOT_SHOWABLE}: no link here can lose one direction only"));
    }
    let t = bench.topology();
    let tol = bench.tolerance();
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    let t0 = bench.backend().now();
    bench.cut(Cut::AToB)?;
    bench.advance(20_000 + 4_000 + 80 + tol)?;
    let eb = drain(b.as_mut())?;
    check(eb.len() == 1 && eb[0].kind == EventKind::Alarm, || format!("b events {eb:?}"))?;
    near(eb[0].time, t0 + 20_000, tol, "red at the end that lost signal")?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::Alarm, || format!("a events {ea:?}"))?;
    near(ea[0].time, t0 + 24_000, 2 * tol, "yellow at the far end")?;
    let (ba, bb) = (alarms(bench.backend(), t.ccs_spans.0)?, alarms(bench.backend(), t.ccs_spans.1)?);
    check(ba == AlarmBits(AlarmBits::YELLOW), || format!("side a alarms {ba:?}"))?;
    check(bb.has(AlarmBits::RED), || format!("side b alarms {bb:?}"))?;
    let t1 = bench.backend().now();
    bench.restore()?;
    bench.advance(80 + tol)?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::NoAlarm, || format!("a events after restore {ea:?}"))?;
    near(ea[0].time, t1, 2 * tol, "yellow clears when the far end stops sending RAI")?;
    bench.advance(40_000 + tol)?;
    let eb = drain(b.as_mut())?;
    check(eb.len() == 1 && eb[0].kind == EventKind::NoAlarm, || format!("b events after recovery {eb:?}"))?;
    near(eb[0].time, t1 + 40_000, tol, "red end recovers after 5 s")
}

/// When a program stops writing, the line gets the law's idle code and the
/// channel gets WRITE_UNDERRUN (30), once per underrun.
fn write_underrun_sends_idle_code(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    let mut a = open(bench.backend(), t.bearer_pair.0)?;
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let law = a.params().map_err(e("params"))?.law;
    flush(a.as_mut())?;
    flush(b.as_mut())?;
    let t0 = bench.backend().now();
    a.write(&[0x11; 160]).map_err(e("write"))?;
    a.write(&[0x22; 160]).map_err(e("write"))?;
    bench.advance(160 * 4)?;
    let underruns = |events: Vec<ChannelEvent>| -> Vec<ChannelEvent> {
        // READ_OVERRUN may come too: this program does not read a.
        events.into_iter().filter(|ev| ev.kind != EventKind::ReadOverrun).collect()
    };
    let events = underruns(drain(a.as_mut())?);
    check(events.len() == 1 && events[0].kind == EventKind::WriteUnderrun, || format!("events {events:?}"))?;
    check(events[0].kind.dahdi_code() == 30, || "WRITE_UNDERRUN is DAHDI event 30".into())?;
    near(events[0].time, t0 + 320, tol, "underrun when the second block ran out")?;
    drain(b.as_mut())?; // READ_OVERRUN only, if the clock ran on while a was set up
    let got = read_all(b.as_mut())?.concat();
    let at = find(&got, &[0x11; 160]).ok_or("first block missing")?;
    check(got[at + 160..at + 320] == [0x22; 160], || "second block missing".into())?;
    check(got[at + 320..].iter().all(|&x| x == law.idle_code()), || format!("line after the underrun is not idle code {:#x}", law.idle_code()))?;
    // Writing again ends the underrun; a second stop is a second underrun.
    a.write(&[0x33; 160]).map_err(e("write after underrun"))?;
    bench.advance(160 * 3)?;
    let events = underruns(drain(a.as_mut())?);
    check(events.len() == 1 && events[0].kind == EventKind::WriteUnderrun, || format!("second underrun events {events:?}"))
}

/// A program that stops reading loses blocks and gets READ_OVERRUN (29).
fn read_overrun_when_not_reading(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let bufs = b.params().map_err(e("params"))?.num_buffers;
    bench.advance(160 * (bufs as u64 + 2))?;
    let events = drain(b.as_mut())?;
    check(!events.is_empty() && events.iter().all(|ev| ev.kind == EventKind::ReadOverrun), || format!("events {events:?}"))?;
    let blocks = read_all(b.as_mut())?;
    check(blocks.len() == bufs, || format!("{} blocks kept with {bufs} buffers", blocks.len()))
}

/// Removing a card: its channels get REMOVED (20) and fail with ENODEV, a
/// hotplug event names it, its far end goes red; re-adding brings it back.
fn card_removed_and_added(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    let p = bench.profile();
    let at = p.alarm_tolerance;
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    let mut cas = open(bench.backend(), t.cas_pair.0)?; // on another card: must not be disturbed
    bench.backend().hotplug_events();
    let t0 = bench.backend().now();
    bench.remove_far_card()?;
    bench.advance(8)?;
    let events = drain(b.as_mut())?;
    check(events.iter().any(|ev| ev.kind == EventKind::Removed), || format!("events on the removed channel {events:?}"))?;
    expect_errno(b.read(&mut [0u8; 64]), errno::ENODEV, "read on a removed channel")?;
    expect_errno(bench.backend().open(t.hdlc_pair.1), errno::EINVAL, "open on a removed card")?;
    let hp = bench.backend().hotplug_events();
    check(matches!(hp.as_slice(), [HotplugEvent::CardRemoved { spans, .. }] if spans.contains(&t.ccs_spans.1)), || {
        format!("hotplug {hp:?}")
    })?;
    bench.advance(p.red_after + tol + at)?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::Alarm, || format!("far end events {ea:?}"))?;
    near(ea[0].time, t0 + p.red_after, tol + at, "far end red after its peer card vanished")?;
    let ec = drain(cas.as_mut())?; // READ_OVERRUN only: nobody read it meanwhile
    check(ec.iter().all(|ev| ev.kind == EventKind::ReadOverrun), || format!("a channel on an untouched card got {ec:?}"))?;
    drop(b);
    bench.add_far_card()?;
    bench.advance(8)?;
    let hp = bench.backend().hotplug_events();
    check(matches!(hp.as_slice(), [HotplugEvent::CardAdded { .. }]), || format!("hotplug {hp:?}"))?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    bench.advance(p.recovery_hold + tol)?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::NoAlarm, || format!("far end events after re-adding {ea:?}"))?;
    a.write_frame(b"back").map_err(e("write"))?;
    bench.advance(80 + tol)?;
    let n = b.read_frame(&mut [0u8; 64]).map_err(e("read on the re-added card"))?;
    check(n == 4, || "frame to the re-added card".into())
}

fn wait_event(ch: &mut dyn Channel, kind: EventKind, within: Duration) -> Result<ChannelEvent, String> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(ev) = ch.get_event().map_err(e("get event"))? {
            if ev.kind == kind {
                return Ok(ev);
            }
            continue;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("no {kind:?} event within {within:?}"));
        }
        ch.wait(false, false, left.min(Duration::from_millis(50))).map_err(e("wait"))?;
    }
}

/// issue 3: hw-sim killed -> every span goes red, nothing crashes, everything
/// recovers when it returns.
fn hardware_killed_goes_red_and_recovers(bench: &mut dyn TestBench) -> CaseResult {
    if !bench.profile().hardware_can_vanish {
        return Err(format!("{NOT_SHOWABLE}: this hardware cannot vanish and come back"));
    }
    let t = bench.topology();
    let mut a = open(bench.backend(), t.bearer_pair.0)?;
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let mut d = open(bench.backend(), t.hdlc_pair.0)?;
    bench.advance(160)?;
    for ch in [&mut a, &mut b] {
        read_all(ch.as_mut())?;
    }
    bench.kill_hardware()?;
    for ch in [&mut a, &mut b, &mut d] {
        wait_event(ch.as_mut(), EventKind::Alarm, Duration::from_secs(5))?;
    }
    for span in bench.backend().spans().map_err(e("spans while the hardware is gone"))? {
        check(span.alarms.has(AlarmBits::RED), || format!("span {} alarms {:?} with the hardware gone", span.span, span.alarms))?;
    }
    // Nothing crashes: I/O gives data-less answers or errors, never a panic.
    let _ = a.write(&[0x55; 160]);
    let _ = a.read(&mut [0u8; 160]);
    let _ = d.write_frame(b"into the void");
    let _ = bench.backend().open(t.cas_pair.0).map(drop);
    bench.restart_hardware()?;
    for ch in [&mut a, &mut b, &mut d] {
        wait_event(ch.as_mut(), EventKind::NoAlarm, Duration::from_secs(10))?;
    }
    // Audio flows again on the re-opened channels.
    drain(a.as_mut())?;
    drain(b.as_mut())?;
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match a.write(&[0x5A; 160]) {
            Ok(_) => {}
            Err(Error::WouldBlock) => {}
            Err(err) => return Err(format!("write after recovery: {err}")),
        }
        bench.advance(160)?;
        drain(a.as_mut())?;
        drain(b.as_mut())?;
        let got = read_all(b.as_mut())?.concat();
        if find(&got, &[0x5A; 160]).is_some() {
            break;
        }
        if Instant::now() > deadline {
            return Err("no audio after hw-sim came back".into());
        }
    }
    let spans = bench.backend().spans().map_err(e("spans after recovery"))?;
    check(spans.iter().any(|s| s.span == t.ccs_spans.0 && !s.alarms.any()), || format!("spans after recovery {spans:?}"))
}
