//! Behaviour cases of impaired lines, observable through the backend interface
//! only: events, span status and counters, received blocks and frames. They run
//! on benches that can impair their lines (`TestBench::can_impair`).

use super::*;
use crate::g711;
use crate::hdlc::fcs_ok;
use crate::sim::EchoPath;

pub fn cases() -> Vec<(&'static str, Case)> {
    vec![
        ("dchan_bit_errors_give_badfcs_at_the_binomial_rate", dchan_bit_errors_give_badfcs_at_the_binomial_rate),
        ("clock_offset_of_100_ppm_slips_every_1_25_s", clock_offset_of_100_ppm_slips_every_1_25_s),
        ("controlled_slip_drops_or_repeats_one_octet", controlled_slip_drops_or_repeats_one_octet),
        ("controlled_slip_corrupts_a_frame_in_flight", controlled_slip_corrupts_a_frame_in_flight),
        ("ts16_blackout_cuts_signalling_not_voice", ts16_blackout_cuts_signalling_not_voice),
        ("echo_path_erl_measured_on_returned_audio", echo_path_erl_measured_on_returned_audio),
        ("noise_level_measured_on_received_audio", noise_level_measured_on_received_audio),
        ("ais_on_cut_gives_blue_and_far_end_yellow", ais_on_cut_gives_blue_and_far_end_yellow),
        ("remote_alarm_gives_yellow_after_half_a_second", remote_alarm_gives_yellow_after_half_a_second),
        ("crc4_errors_counted_here_and_as_far_end_ebits", crc4_errors_counted_here_and_as_far_end_ebits),
    ]
}

/// xorshift64*: test signals that repeat from run to run.
struct TestRng(u64);

impl TestRng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A measured number, printed with the case's output (shown by the behaviour
/// binary, and by `cargo test -- --nocapture`).
fn note(what: String) {
    eprintln!("    measured: {what}");
}

fn counters(b: &dyn Backend, span: SpanNo) -> Result<SpanCounters, String> {
    b.span_status(span).map(|s| s.counters).map_err(e("span status"))
}

fn power(law: Law, codes: &[u8]) -> f64 {
    codes.iter().map(|&c| (g711::decode(law, c) as f64).powi(2)).sum::<f64>() / codes.len().max(1) as f64
}

/// Within `sds` standard deviations of a binomial(n, p) mean.
fn binomial(got: f64, n: f64, p: f64, sds: f64, what: &str) -> CaseResult {
    let (mean, sd) = (n * p, (n * p * (1.0 - p)).sqrt());
    check((got - mean).abs() <= sds * sd, || format!("{what}: {got}, expected {mean:.1} +- {:.1}", sds * sd))
}

/// A frame of L bits each in error with probability p fails its FCS with
/// probability 1 - (1 - p)^L; over N frames the BADFCS count is binomial.
fn dchan_bit_errors_give_badfcs_at_the_binomial_rate(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let ber = 1e-3;
    bench.impair(Side::B, Impairments { dchan_ber: ber, ..Default::default() })?;
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    let payload: Vec<u8> = (0..30u8).collect();
    let (frames, batch) = (400usize, 20usize);
    let (mut good, mut bad) = (0usize, 0usize);
    for _ in 0..frames / batch {
        for _ in 0..batch {
            a.write_frame(&payload).map_err(e("write frame"))?;
        }
        // 30 + 2 FCS + 1 flag octets per frame, one octet per frame time.
        bench.advance(batch as u64 * 33 + 8)?;
        for ev in drain(b.as_mut())? {
            check(ev.kind == EventKind::BadFcs, || format!("event {ev:?}"))?;
            bad += 1;
        }
        for f in read_all(b.as_mut())? {
            check(f.len() == 32 && f[..30] == payload[..] && fcs_ok(&f), || "a frame delivered with errors".into())?;
            good += 1;
        }
    }
    check(good + bad == frames, || format!("{good} good + {bad} bad frames of {frames} sent"))?;
    let p = 1.0 - (1.0 - ber).powi(32 * 8);
    note(format!("{bad} BADFCS of {frames} frames at BER {ber} (expected {:.1})", frames as f64 * p));
    binomial(bad as f64, frames as f64, p, 4.0, "BADFCS events")?;
    // No errors the other way.
    b.write_frame(&payload).map_err(e("write b->a"))?;
    bench.advance(80)?;
    check(drain(a.as_mut())?.is_empty() && read_all(a.as_mut())?.len() == 1, || "clean direction got errors".into())
}

/// dahdi.md 10: an offset of 100 ppm slips once every 1/(8000 x 100e-6) s =
/// 1.25 s, so 48 times in a minute, at both ends (one repeats, one deletes).
fn clock_offset_of_100_ppm_slips_every_1_25_s(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let before = (counters(bench.backend(), t.ccs_spans.0)?.timingslips, counters(bench.backend(), t.ccs_spans.1)?.timingslips);
    check(before == (0, 0), || format!("slips {before:?} before any offset"))?;
    bench.clock_offset(Side::B, 100.0)?;
    bench.advance(60 * FRAMES_PER_SECOND)?;
    for span in [t.ccs_spans.0, t.ccs_spans.1] {
        let slips = counters(bench.backend(), span)?.timingslips;
        note(format!("span {span}: {slips} slips in 60 s at 100 ppm"));
        check(slips.abs_diff(48) <= 1, || format!("span {span}: {slips} slips in a minute at 100 ppm, expected 48"))?;
    }
    bench.clock_offset(Side::B, 0.0)?;
    let at = counters(bench.backend(), t.ccs_spans.0)?.timingslips;
    bench.advance(20 * FRAMES_PER_SECOND)?;
    let after = counters(bench.backend(), t.ccs_spans.0)?.timingslips;
    check(after == at, || format!("{} slips after the clocks agreed again", after - at))
}

/// A counting pattern that avoids the A-law idle code, so its start is visible.
fn pattern(k: usize) -> u8 {
    match (k % 251) as u8 {
        0xD5 => 0xD4,
        v => v,
    }
}

/// Stream `blocks` 160-octet blocks both ways over the bearer pair, calling
/// `midway` after block `at`; returns what each side received, leading idle
/// code removed.
fn stream_both_ways(
    bench: &mut dyn TestBench,
    blocks: usize,
    at: usize,
    midway: &mut dyn FnMut(&mut dyn TestBench) -> CaseResult,
) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>), String> {
    let t = bench.topology();
    let mut a = open(bench.backend(), t.bearer_pair.0)?;
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let law = a.params().map_err(e("params"))?.law;
    let sent: Vec<u8> = (0..blocks * 160).map(pattern).collect();
    let (mut at_a, mut at_b) = (Vec::new(), Vec::new());
    for k in 0..blocks + 2 {
        if k < blocks {
            a.write(&sent[k * 160..(k + 1) * 160]).map_err(e("write a"))?;
            b.write(&sent[k * 160..(k + 1) * 160]).map_err(e("write b"))?;
        }
        bench.advance(160)?;
        if k == at {
            midway(bench)?;
        }
        drain(a.as_mut())?;
        drain(b.as_mut())?;
        at_a.extend(read_all(a.as_mut())?.concat());
        at_b.extend(read_all(b.as_mut())?.concat());
    }
    let strip = |v: Vec<u8>| -> Vec<u8> { v.into_iter().skip_while(|&x| x == law.idle_code()).collect() };
    Ok((sent, strip(at_a), strip(at_b)))
}

/// dahdi.md 10: a controlled slip deletes or repeats one whole frame: on a
/// voice channel exactly one octet goes missing or comes twice.
fn controlled_slip_drops_or_repeats_one_octet(bench: &mut dyn TestBench) -> CaseResult {
    let (sent, at_a, at_b) = stream_both_ways(bench, 12, 5, &mut |bench| {
        bench.slip(Side::B, SlipKind::Delete)?;
        bench.slip(Side::A, SlipKind::Repeat)
    })?;
    let n = sent.len() - 200; // what surely arrived before the writers stopped
    let i = at_b.iter().zip(&sent).position(|(x, y)| x != y).ok_or("no octet was deleted at b")?;
    check(i > 160 * 5 && at_b[i..n - 1] == sent[i + 1..n], || format!("b: stream differs after the deleted octet at {i}"))?;
    let j = at_a.iter().zip(&sent).position(|(x, y)| x != y).ok_or("no octet was repeated at a")?;
    check(at_a[j] == sent[j - 1] && at_a[j + 1..n] == sent[j..n - 1], || format!("a: stream differs after the repeated octet at {j}"))
}

/// dahdi.md 10: a slip inside an HDLC frame corrupts it (BADFCS); a slip while
/// only flags are on the line harms nothing.
fn controlled_slip_corrupts_a_frame_in_flight(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    a.write_frame(&[0x42; 1000]).map_err(e("write long frame"))?;
    bench.advance(200)?; // 1003 octets take 1003 frames: it is in flight
    bench.slip(Side::B, SlipKind::Repeat)?;
    bench.advance(1000)?;
    let events = drain(b.as_mut())?;
    check(events.len() == 1 && events[0].kind == EventKind::BadFcs, || format!("events after a slip mid-frame {events:?}"))?;
    check(read_all(b.as_mut())?.is_empty(), || "the slipped frame was delivered".into())?;
    bench.slip(Side::B, SlipKind::Delete)?; // line idle: harmless
    bench.advance(16)?;
    a.write_frame(b"after the slip").map_err(e("write"))?;
    bench.advance(80)?;
    check(drain(b.as_mut())?.is_empty(), || "event from a slip on an idle line".into())?;
    let mut buf = [0u8; 64];
    let n = b.read_frame(&mut buf).map_err(e("read"))?;
    check(&buf[..n] == b"after the slip", || "frame after the slip".into())
}

/// A blackout of TS16 cuts the signalling link without cutting the voice
/// circuits: no frames and no alarm, while B-channel audio arrives bit-exact.
fn ts16_blackout_cuts_signalling_not_voice(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let ts = t.hdlc_pair.1 - bench.backend().span_status(t.ccs_spans.1).map_err(e("span status"))?.first_channel + 1;
    bench.impair(Side::B, Impairments { blackout: Some(ts), ..Default::default() })?;
    let mut da = open(bench.backend(), t.hdlc_pair.0)?;
    let mut db = open(bench.backend(), t.hdlc_pair.1)?;
    for k in 0..5u8 {
        da.write_frame(&[k; 20]).map_err(e("write frame"))?;
    }
    let (sent, _, at_b) = stream_both_ways(bench, 10, 99, &mut |_| Ok(()))?;
    check(find(&at_b, &sent).is_some(), || "voice did not arrive intact during the TS16 blackout".into())?;
    check(read_all(db.as_mut())?.is_empty(), || "frames crossed a blacked-out TS16".into())?;
    check(drain(db.as_mut())?.is_empty(), || "events during the blackout".into())?;
    let bits = alarms(bench.backend(), t.ccs_spans.1)?;
    check(bits == AlarmBits(0), || format!("alarms {bits:?} during a timeslot blackout"))?;
    bench.impair(Side::B, Impairments::default())?;
    da.write_frame(b"link back").map_err(e("write"))?;
    bench.advance(80)?;
    let mut buf = [0u8; 64];
    let n = db.read_frame(&mut buf).map_err(e("read after the blackout"))?;
    check(&buf[..n] == b"link back", || "frame after the blackout".into())
}

/// Random codes of `law` whose samples stay within +-4000 (no clipping once
/// echo and far signal add), i.i.d. so white.
fn white_codes(rng: &mut TestRng, law: Law, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let c = rng.next() as u8;
        if g711::decode(law, c).unsigned_abs() <= 4000 {
            out.push(c);
        }
    }
    out
}

/// G.168 Annex D echo paths scaled to an ERL: the power of the audio returned
/// to the talker is the ERL below its own (white) signal, within 0.5 dB.
fn echo_path_erl_measured_on_returned_audio(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let mut rng = TestRng(0x5EED);
    for (model, delay, erl) in [(2u8, 80u32, 6.0f64), (5, 0, 20.0), (9, 256, 12.0)] {
        bench.impair(Side::A, Impairments { echo: Some(EchoPath { model, delay_frames: delay, erl_db: erl }), ..Default::default() })?;
        let mut a = open(bench.backend(), t.bearer_pair.0)?;
        let law = a.params().map_err(e("params"))?.law;
        let blocks = 250;
        let sent = white_codes(&mut rng, law, blocks * 160);
        let mut got = Vec::new();
        for k in 0..blocks {
            a.write(&sent[k * 160..(k + 1) * 160]).map_err(e("write"))?;
            bench.advance(160)?;
            drain(a.as_mut())?;
            got.extend(read_all(a.as_mut())?.concat());
        }
        // Skip the first 10 blocks (the path fills up); compare like windows.
        let skip = 1600;
        let measured = 10.0 * (power(law, &sent[skip..]) / power(law, &got[skip..])).log10();
        note(format!("model D.{model}, delay {delay} frames: ERL {measured:.2} dB (set {erl})"));
        check((measured - erl).abs() <= 0.5, || format!("model D.{model}: ERL {measured:.2} dB measured, {erl} dB set"))?;
        drop(a);
        bench.advance(8)?;
    }
    Ok(())
}

/// White noise at a level in dBm0 (0 dBm0 = the G.711 digital milliwatt) is
/// received at that level, within 0.5 dB, while the far end is silent.
fn noise_level_measured_on_received_audio(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let level = -30.0;
    bench.impair(Side::B, Impairments { noise_dbm0: Some(level), ..Default::default() })?;
    let mut b = open(bench.backend(), t.bearer_pair.1)?;
    let law = b.params().map_err(e("params"))?.law;
    let mut got = Vec::new();
    for _ in 0..100 {
        bench.advance(160)?;
        got.extend(read_all(b.as_mut())?.concat());
    }
    let measured = g711::power_to_dbm0(law, power(law, &got));
    note(format!("noise {measured:.2} dBm0 (set {level})"));
    check((measured - level).abs() <= 0.5, || format!("noise at {measured:.2} dBm0, set {level}"))
}

/// A cut with AIS from equipment in between: blue (not red) after 2.5 s at the
/// receiver (dahdi.md 3.4, G.775), which sends RAI: yellow 0.5 s later at the
/// far end. Recovery as after red.
fn ais_on_cut_gives_blue_and_far_end_yellow(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    bench.impair(Side::B, Impairments { ais_on_cut: true, ..Default::default() })?;
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let mut b = open(bench.backend(), t.hdlc_pair.1)?;
    let t0 = bench.backend().now();
    bench.cut(Cut::AToB)?;
    bench.advance(20_000 + 4_000 + 80 + tol)?;
    let eb = drain(b.as_mut())?;
    check(eb.len() == 1 && eb[0].kind == EventKind::Alarm, || format!("b events {eb:?}"))?;
    near(eb[0].time, t0 + 20_000, tol, "blue after 2.5 s of AIS")?;
    let bb = alarms(bench.backend(), t.ccs_spans.1)?;
    check(bb == AlarmBits(AlarmBits::BLUE), || format!("alarms {bb:?} on AIS, expected BLUE only"))?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::Alarm, || format!("a events {ea:?}"))?;
    near(ea[0].time, t0 + 24_000, 2 * tol, "yellow at the far end")?;
    check(alarms(bench.backend(), t.ccs_spans.0)? == AlarmBits(AlarmBits::YELLOW), || "far end not yellow".into())?;
    let t1 = bench.backend().now();
    bench.restore()?;
    bench.advance(40_000 + 80 + tol)?;
    let eb = drain(b.as_mut())?;
    check(eb.len() == 1 && eb[0].kind == EventKind::NoAlarm, || format!("b events after restore {eb:?}"))?;
    near(eb[0].time, t1 + 40_000, tol, "recovery held 5 s after blue")
}

/// RAI on the line (the far end reports an alarm): yellow after 0.5 s
/// (dahdi.md 3.4, `yelalarmdebounce`), cleared as soon as RAI stops.
fn remote_alarm_gives_yellow_after_half_a_second(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let tol = bench.tolerance();
    let mut a = open(bench.backend(), t.hdlc_pair.0)?;
    let t0 = bench.backend().now();
    bench.impair(Side::A, Impairments { remote_alarm: true, ..Default::default() })?;
    bench.advance(4_000 - 8)?;
    check(drain(a.as_mut())?.is_empty(), || "yellow before 0.5 s".into())?;
    bench.advance(80 + tol)?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::Alarm, || format!("events {ea:?}"))?;
    near(ea[0].time, t0 + 4_000, tol, "yellow 0.5 s after RAI")?;
    check(alarms(bench.backend(), t.ccs_spans.0)? == AlarmBits(AlarmBits::YELLOW), || "not yellow".into())?;
    check(alarms(bench.backend(), t.ccs_spans.1)? == AlarmBits(0), || "the far end has an alarm".into())?;
    let t1 = bench.backend().now();
    bench.impair(Side::A, Impairments::default())?;
    bench.advance(8 + tol)?;
    let ea = drain(a.as_mut())?;
    check(ea.len() == 1 && ea[0].kind == EventKind::NoAlarm, || format!("events after RAI stopped {ea:?}"))?;
    near(ea[0].time, t1, tol, "yellow clears with RAI")
}

/// CRC-4 block errors at a rate per sub-multiframe (1000 per second, G.704
/// 2.3.3): counted in the receiver's `crc4` (binomial), reported back to the
/// sender as E bits (`ebit`), and errored seconds counted.
fn crc4_errors_counted_here_and_as_far_end_ebits(bench: &mut dyn TestBench) -> CaseResult {
    let t = bench.topology();
    let rate = 0.05;
    bench.impair(Side::B, Impairments { crc4_error_rate: rate, ..Default::default() })?;
    bench.advance(2 * FRAMES_PER_SECOND)?;
    let (ca, cb) = (counters(bench.backend(), t.ccs_spans.0)?, counters(bench.backend(), t.ccs_spans.1)?);
    note(format!("CRC-4 {} errors, E-bits {}, errored seconds {} in 2000 SMFs at {rate}", cb.crc4, ca.ebit, cb.errsec));
    binomial(cb.crc4 as f64, 2000.0, rate, 4.0, "CRC-4 errors in 2000 sub-multiframes")?;
    check(ca.ebit == cb.crc4 && ca.crc4 == 0 && cb.ebit == 0, || format!("a {ca:?}, b {cb:?}"))?;
    check((1..=3).contains(&cb.errsec), || format!("{} errored seconds in 2 s", cb.errsec))
}
