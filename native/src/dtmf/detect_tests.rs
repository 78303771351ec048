use super::*;
use crate::common::level::sine_peak;
use crate::common::noise::Rng;
use crate::common::SAMPLE_RATE;
use crate::dtmf::{digit_freqs, generate, DtmfDetectorBank, COL_FREQS, ROW_FREQS};
use crate::g711;

const ALL: &[u8] = b"123A456B789C*0#D";

fn alaw(x: &[f64]) -> Vec<i16> {
    x.iter()
        .map(|&v| g711::alaw_to_linear(g711::linear_to_alaw(v.round().clamp(-32768.0, 32767.0) as i16)))
        .collect()
}

/// Two tones (low, high) at their own levels, random phases.
fn pair(f_lo: f64, f_hi: f64, lo_dbm0: f64, hi_dbm0: f64, n: usize, rng: &mut Rng) -> Vec<f64> {
    let (a, b) = (sine_peak(Law::Alaw, lo_dbm0), sine_peak(Law::Alaw, hi_dbm0));
    let (p1, p2) = (rng.uniform() * TAU, rng.uniform() * TAU);
    (0..n)
        .map(|i| {
            let t = i as f64 / SAMPLE_RATE;
            a * (TAU * f_lo * t + p1).sin() + b * (TAU * f_hi * t + p2).sin()
        })
        .collect()
}

/// One tone at `dbm0`, random phase.
fn sine(f: f64, dbm0: f64, n: usize, rng: &mut Rng) -> Vec<f64> {
    let a = sine_peak(Law::Alaw, dbm0);
    let p = rng.uniform() * TAU;
    (0..n).map(|i| a * (TAU * f * i as f64 / SAMPLE_RATE + p).sin()).collect()
}

fn detect(pcm: &[i16]) -> String {
    let mut d = DtmfDetector::new();
    let mut out = Vec::new();
    d.process(pcm, &mut out);
    String::from_utf8(out).unwrap()
}

/// Digit `digit` with the given relative frequency offsets, `ms` long, after
/// `lead` samples of silence and followed by 60 ms of silence.
fn offset_digit(digit: u8, d_lo: f64, d_hi: f64, ms: f64, lead: usize, rng: &mut Rng) -> Vec<i16> {
    let (lo, hi) = digit_freqs(digit).unwrap();
    let n = (ms * 8.0).round() as usize;
    let mut x = vec![0.0; lead];
    x.extend(pair(lo * (1.0 + d_lo), hi * (1.0 + d_hi), -10.0, -10.0, n, rng));
    x.extend(vec![0.0; 480]);
    alaw(&x)
}

#[test]
fn all_digits_nominal() {
    let pcm = generate(std::str::from_utf8(ALL).unwrap(), 50.0, 50.0, -10.0, -10.0, Law::Alaw).unwrap();
    let pcm = alaw(&pcm.iter().map(|&v| v as f64).collect::<Vec<_>>());
    assert_eq!(detect(&pcm), "123A456B789C*0#D");
}

#[test]
fn frequency_accept_and_reject() {
    let mut rng = Rng::new(7);
    for &digit in ALL {
        for &(dl, dh) in &[(0.015, 0.015), (-0.015, -0.015), (0.015, -0.015), (-0.015, 0.015)] {
            for lead in [0, 37, 71] {
                let got = detect(&offset_digit(digit, dl, dh, 50.0, lead, &mut rng));
                assert_eq!(got.as_bytes(), &[digit], "digit {} offsets {dl} {dh}", digit as char);
            }
        }
    }
    // Reject one tone 3.5 % off or more, up to the midpoint with its neighbour.
    for group in 0..2 {
        let freqs = if group == 0 { ROW_FREQS } else { COL_FREQS };
        for i in 0..4 {
            let f = freqs[i];
            let up = if i < 3 { (freqs[i + 1] + f) / 2.0 / f - 1.0 } else { 0.06 };
            let down = if i > 0 { 1.0 - (freqs[i - 1] + f) / 2.0 / f } else { 0.06 };
            for &(lo, hi) in &[(0.035, up), (0.035, down)] {
                let sign = if hi == up { 1.0 } else { -1.0 };
                let steps = 8;
                for s in 0..=steps {
                    let dev = sign * (lo + (hi - lo) * s as f64 / steps as f64);
                    for &other in &[0usize, 3] {
                        let digit = if group == 0 { KEYPAD[i][other] } else { KEYPAD[other][i] };
                        let (dl, dh) = if group == 0 { (dev, 0.0) } else { (0.0, dev) };
                        let got = detect(&offset_digit(digit, dl, dh, 60.0, 13, &mut rng));
                        assert_eq!(got, "", "digit {} tone {f} off by {dev}", digit as char);
                    }
                }
            }
        }
    }
}

#[test]
fn duration_40_always_20_never() {
    let mut rng = Rng::new(3);
    for lead in 0..BLOCK {
        let digit = ALL[lead % 16];
        assert_eq!(detect(&offset_digit(digit, 0.0, 0.0, 40.0, lead, &mut rng)).as_bytes(), &[digit], "lead {lead}");
        assert_eq!(detect(&offset_digit(digit, 0.0, 0.0, 20.0, lead, &mut rng)), "", "lead {lead}");
    }
}

#[test]
fn chunking_invariance() {
    let mut rng = Rng::new(11);
    let mut x = Vec::new();
    for &d in b"159D*" {
        let (lo, hi) = digit_freqs(d).unwrap();
        x.extend(pair(lo, hi, -12.0, -10.0, 400, &mut rng));
        x.extend(vec![0.0; 400]);
    }
    let pcm = alaw(&x);
    let whole = detect(&pcm);
    assert_eq!(whole, "159D*");
    for chunk in [1usize, 7, 16, 101, 103, 160] {
        let mut d = DtmfDetector::new();
        let mut out = Vec::new();
        for c in pcm.chunks(chunk) {
            d.process(c, &mut out);
            d.process(&[], &mut out);
        }
        assert_eq!(String::from_utf8(out).unwrap(), whole);
    }
}

/// Digit `digit` for `on` samples, a gap of `gap` samples (silence, or the
/// noise that runs through the whole signal), the same digit again for `on`
/// samples, after `lead` samples of silence and before 80 ms of silence.
/// Each tone segment has its own random phases. Returns the coded signal and
/// the index of the first sample of the second segment.
fn split_digit(digit: u8, on: usize, gap: usize, lead: usize, noise_dbm0: Option<f64>, rng: &mut Rng) -> (Vec<i16>, usize) {
    let (lo, hi) = digit_freqs(digit).unwrap();
    let mut x = vec![0.0; lead];
    x.extend(pair(lo, hi, -10.0, -10.0, on, rng));
    x.extend(vec![0.0; gap]);
    let second = x.len();
    x.extend(pair(lo, hi, -10.0, -10.0, on, rng));
    x.extend(vec![0.0; 640]);
    if let Some(db) = noise_dbm0 {
        let sigma = dbm0_to_power(Law::Alaw, db).sqrt();
        x.iter_mut().for_each(|v| *v += sigma * rng.gaussian());
    }
    (alaw(&x), second)
}

/// (digits reported, sample index after which each was reported, events after flush)
fn run_by_sample(pcm: &[i16]) -> (Vec<u8>, Vec<usize>, Vec<DtmfEvent>) {
    let mut d = DtmfDetector::new();
    let mut out = Vec::new();
    let mut at = Vec::new();
    for (i, s) in pcm.chunks(1).enumerate() {
        let before = out.len();
        d.process(s, &mut out);
        at.extend(std::iter::repeat(i).take(out.len() - before));
    }
    d.flush();
    (out, at, d.take_events())
}

/// ES 201 235-3 timing (section 4.2.2 of V1.1.1; sources in dtmf/mod.rs):
/// a digit must not cease when its tone is absent for less
/// than 20 ms. Dropouts of 10, 15, 19 and 19.875 ms (159 samples, the longest
/// under 20 ms) at every alignment with the 51-sample half-blocks, in silence
/// and with white noise 12 dB below the pair: one digit, one event.
#[test]
fn dropouts_under_20_ms_are_bridged() {
    let mut rng = Rng::new(31);
    for gap in [80usize, 120, 152, 159] {
        for lead in 0..BLOCK {
            let digit = ALL[(lead + gap) % 16];
            for noise in [None, Some(-19.0)] {
                let (pcm, _) = split_digit(digit, 360, gap, lead, noise, &mut rng);
                let (got, _, events) = run_by_sample(&pcm);
                assert_eq!(got, vec![digit], "gap {gap} lead {lead} noise {noise:?}");
                assert_eq!(events.len(), 1, "gap {gap} lead {lead} noise {noise:?}: {events:?}");
                // The event spans both segments (to within a block at each end).
                let e = events[0];
                assert!(e.start as usize <= lead + BLOCK && e.end as usize + BLOCK >= lead + 720 + gap, "{e:?}");
            }
        }
    }
}

/// ES 201 235-3 timing (section 4.2.2 of V1.1.1; sources in dtmf/mod.rs):
/// a digit shall cease when its tone is absent for more
/// than 40 ms; a 40 ms pause between two equal digits gives two digits, at
/// every alignment, and the second is reported no later than 60 ms after its
/// tone starts (its own recognition, 25.5-38 ms, is not held up by the end of
/// the first).
#[test]
fn pauses_of_40_ms_or_more_separate() {
    let mut rng = Rng::new(32);
    for gap in [320usize, 321, 360, 480] {
        for lead in 0..BLOCK {
            let digit = ALL[(lead + gap) % 16];
            for noise in [None, Some(-19.0)] {
                let (pcm, second) = split_digit(digit, 360, gap, lead, noise, &mut rng);
                let (got, at, events) = run_by_sample(&pcm);
                assert_eq!(got, vec![digit, digit], "gap {gap} lead {lead} noise {noise:?}");
                assert_eq!(events.len(), 2, "gap {gap} lead {lead}");
                let delay = at[1] + 1 - second;
                assert!(delay <= 480, "gap {gap} lead {lead}: second digit after {delay} samples");
                // The first digit's end lies within a half-block of its tone's end.
                let tone_end = (lead + 360) as u64;
                assert!(events[0].end + HALF as u64 >= tone_end && events[0].end <= tone_end + HALF as u64, "{:?}", events[0]);
            }
        }
    }
}

/// Where the end-of-digit rule actually cuts, for silent gaps of 150 to 330
/// samples at every alignment with the blocks. Measured: every gap up to 201
/// samples (25.1 ms) bridged, every gap from 259 samples (32.4 ms) on split;
/// between, it depends on the alignment. The assertions hold these measured
/// limits to within a few samples, so a change of rule that moves them shows
/// up here; the requirement (ES 201 235-3 timing, mod.rs) is only "under 20 ms
/// bridged, over 40 ms split", and the guarantees behind it are argued at
/// HALF_MISSES_TO_END (bridged below 205 samples, split from 305).
#[test]
fn end_of_digit_boundaries() {
    let mut rng = Rng::new(33);
    // Per gap length: (alignments bridged, alignments split).
    let mut counts = Vec::new();
    for gap in 150..=330 {
        let (mut bridged, mut split) = (0, 0);
        for lead in 0..BLOCK {
            let (pcm, _) = split_digit(ALL[lead % 16], 360, gap, lead, None, &mut rng);
            match detect(&pcm).len() {
                1 => bridged += 1,
                2 => split += 1,
                n => panic!("gap {gap} lead {lead}: {n} digits"),
            }
        }
        counts.push((gap, bridged, split));
    }
    let longest_always_bridged = counts.iter().take_while(|c| c.2 == 0).last().map_or(0, |c| c.0);
    let shortest_always_split = counts.iter().rev().take_while(|c| c.1 == 0).last().map_or(usize::MAX, |c| c.0);
    eprintln!("always bridged up to {longest_always_bridged} samples, always split from {shortest_always_split}");
    assert!(longest_always_bridged >= 195, "{longest_always_bridged}");
    assert!(shortest_always_split <= 265, "{shortest_always_split}");
}

/// The end of a digit is decided on half-blocks inside whole blocks, so it
/// does not depend on chunking either: digits with 15 and 19 ms dropouts,
/// 40 ms pauses and 12 dB noise give the same digits, at the same samples,
/// and the same events, for any chunk size (0 and 1 included).
#[test]
fn chunking_invariance_with_dropouts_and_pauses() {
    let mut rng = Rng::new(34);
    let mut x = Vec::new();
    for (i, &d) in b"5599A#".iter().enumerate() {
        let (lo, hi) = digit_freqs(d).unwrap();
        x.extend(pair(lo, hi, -10.0, -10.0, 300 + 17 * i, &mut rng));
        x.extend(vec![0.0; [120, 152, 320, 0, 152, 320][i]]);
        x.extend(pair(lo, hi, -10.0, -10.0, 300, &mut rng));
        x.extend(vec![0.0; 320 + 13 * i]);
    }
    let sigma = dbm0_to_power(Law::Alaw, -19.0).sqrt();
    x.iter_mut().for_each(|v| *v += sigma * rng.gaussian());
    let pcm = alaw(&x);
    let (digits, at, events) = run_by_sample(&pcm);
    // Dropouts of 15 and 19 ms bridged, 40 ms pauses split, no gap: one digit.
    assert_eq!(String::from_utf8(digits.clone()).unwrap(), "55999A##");
    for chunk in [2usize, 7, 50, 51, 101, 102, 103, 160, 1000] {
        let mut d = DtmfDetector::new();
        let mut got = Vec::new();
        let mut pos = 0;
        for c in pcm.chunks(chunk) {
            let before = got.len();
            d.process(c, &mut got);
            d.process(&[], &mut got);
            pos += c.len();
            // A digit is returned by the call holding the sample that completed it.
            for &i in &at[before..got.len().min(at.len())] {
                assert!(i < pos && i + c.len() >= pos, "chunk {chunk}: digit at {i} returned at {pos}");
            }
        }
        d.flush();
        assert_eq!(got, digits, "chunk {chunk}");
        assert_eq!(d.take_events(), events, "chunk {chunk}");
    }
}

/// Margins of the two dear tests under the hardest required conditions, over
/// 20 to 200 blocks each: the tone share must stay well above MIN_TONE_SHARE
/// and the frequency estimate well inside MAX_FREQ_DEVIATION.
#[test]
fn margins_under_hard_conditions() {
    let mut rng = Rng::new(5);
    let verdicts = |x: &[f64]| -> Vec<(f64, f64, f64)> {
        let pcm = alaw(x);
        pcm.chunks_exact(BLOCK)
            .map(|b| {
                let b: &[i16; BLOCK] = b.try_into().unwrap();
                let e = bin_energies(b);
                let (r, _, _) = best_two(&e[..4]);
                let (c, _, _) = best_two(&e[4..]);
                (tone_share(b, r, 4 + c), windowed_tone(b, r).0, windowed_tone(b, 4 + c).0)
            })
            .collect()
    };
    let summary = |name: &str, v: Vec<(f64, f64, f64)>| {
        let min_share = v.iter().map(|t| t.0).fold(1.0, f64::min);
        let max_dev = v.iter().map(|t| t.1.abs().max(t.2.abs())).fold(0.0, f64::max);
        // Offsets of 1.5 % are part of the deviation in the offset cases.
        let (share_floor, dev_ceiling) = if name.contains("0.015") { (0.88, 0.0225) } else { (0.85, 0.016) };
        assert!(min_share >= share_floor, "{name}: min share {min_share:.3}");
        assert!(max_dev <= dev_ceiling, "{name}: max |dev| {:.3} %", max_dev * 100.0);
    };
    for &d in ALL {
        let (lo, hi) = digit_freqs(d).unwrap();
        // Clipped +3 dBm0.
        let x: Vec<f64> = pair(lo, hi, 3.0, 3.0, 2040, &mut rng).iter().map(|v| v.clamp(-32767.0, 32767.0)).collect();
        summary(&format!("{} clipped +3", d as char), verdicts(&x));
        // 12 dB SNR.
        let mut x = pair(lo, hi, -10.0, -10.0, 20400, &mut rng);
        let sigma = (dbm0_to_power(Law::Alaw, -19.0)).sqrt();
        x.iter_mut().for_each(|v| *v += sigma * rng.gaussian());
        summary(&format!("{} snr 12", d as char), verdicts(&x));
        // +-1.5 % at -36 dBm0 with 4 dB twist.
        for (a, b) in [(0.015, 0.015), (-0.015, -0.015), (0.015, -0.015), (-0.015, 0.015)] {
            let x = pair(lo * (1.0 + a), hi * (1.0 + b), -36.0, -36.0, 2040, &mut rng);
            summary(&format!("{} -36 {a} {b}", d as char), verdicts(&x));
            let x = pair(lo * (1.0 + a), hi * (1.0 + b), -4.0, -12.0, 2040, &mut rng);
            summary(&format!("{} low louder 8 {a} {b}", d as char), verdicts(&x));
        }
        // China's 450 Hz dial tone at the level of each DTMF tone (-10 dBm0:
        // one sine, so its level is fixed, unlike a sum of two 450 Hz sines
        // with independent phases), plus the noise of the 12 dB SNR case.
        let mut x = pair(lo, hi, -10.0, -10.0, 20400, &mut rng);
        let dial = sine(450.0, -10.0, 20400, &mut rng);
        x.iter_mut().zip(dial).for_each(|(v, d)| *v += d + sigma * rng.gaussian());
        summary(&format!("{} dial+snr12", d as char), verdicts(&x));
    }
}



#[test]
fn simd_and_portable_sums_agree() {
    let mut rng = Rng::new(9);
    for _ in 0..200 {
        let b: [i16; BLOCK] = std::array::from_fn(|_| (rng.gaussian() * 8000.0).clamp(-32768.0, 32767.0) as i16);
        let fast = bin_sums(&b);
        let slow = bin_sums_portable(&b, &tables().rect);
        for k in 0..16 {
            assert!((fast[k] - slow[k]).abs() <= 1e-4 * (1.0 + slow[k].abs()) + 1.0, "{k} {} {}", fast[k], slow[k]);
        }
    }
}

#[test]
fn state_is_small() {
    // The bank keeps one of these per channel.
    eprintln!("DtmfDetector: {} bytes", std::mem::size_of::<DtmfDetector>());
    assert!(std::mem::size_of::<DtmfDetector>() <= 320, "{}", std::mem::size_of::<DtmfDetector>());
}

/// Not a Q.24 requirement, but what a real line does: both tones 1.5 % off in
/// opposite directions and 12 dB SNR together. Nearly every block must still
/// be judged a digit (per-block tolerance 3 %, see MAX_BLOCK_FREQ_DEVIATION).
#[test]
fn offsets_with_noise_blocks() {
    let mut rng = Rng::new(5);
    let (mut good, mut all) = (0, 0);
    for &d in ALL {
        let (lo, hi) = digit_freqs(d).unwrap();
        for (a, b) in [(-0.015, 0.015), (0.015, -0.015)] {
            let mut x = pair(lo * (1.0 + a), hi * (1.0 + b), -10.0, -10.0, 10200, &mut rng);
            let sigma = dbm0_to_power(Law::Alaw, -7.0 - 12.0).sqrt();
            x.iter_mut().for_each(|v| *v += sigma * rng.gaussian());
            for blk in alaw(&x).chunks_exact(BLOCK) {
                all += 1;
                good += matches!(judge_block(blk.try_into().unwrap()), Verdict::Digit(g, ..) if g == d) as usize;
            }
        }
    }
    assert!(good as f64 >= 0.995 * all as f64, "{good} of {all}");
}

#[test]
fn bank_matches_single_detectors() {
    let mut rng = Rng::new(21);
    let channels = 3;
    let n = 4000;
    let mut block = Vec::new();
    for ch in 0..channels {
        let mut x = Vec::new();
        for &d in &ALL[ch * 4..ch * 4 + 4] {
            let (lo, hi) = digit_freqs(d).unwrap();
            x.extend(pair(lo, hi, -15.0, -13.0, 400 + 37 * ch, &mut rng));
            x.extend(vec![0.0; 400]);
        }
        x.resize(n, 0.0);
        block.extend(alaw(&x));
    }
    let single: Vec<String> = block.chunks_exact(n).map(detect).collect();
    let mut bank = DtmfDetectorBank::new(channels);
    let mut out = Vec::new();
    for start in (0..n).step_by(16) {
        let m = 16.min(n - start);
        let sub: Vec<i16> = (0..channels).flat_map(|c| block[c * n + start..c * n + start + m].to_vec()).collect();
        bank.process(&sub, channels, m, &mut out);
    }
    for ch in 0..channels {
        let got: String = out.iter().filter(|e| e.0 == ch).map(|e| e.1 as char).collect();
        assert_eq!(got, single[ch]);
        assert_eq!(got.len(), 4);
    }
}
