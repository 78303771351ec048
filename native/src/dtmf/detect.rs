//! DTMF detector (Q.24 receiver).
//!
//! Samples are cut into fixed 102-sample blocks counted from the start of the
//! stream, so the result does not depend on how the caller chunks its input.
//! Each block is judged on its own:
//!
//! 1. cheap stage, every block: 8 rectangular DFT bins (a dot product with a
//!    shared cos/sin table; no recurrence, so it vectorises and pipelines),
//!    then the level, twist and in-group peak tests on the strongest row and
//!    column. Speech fails here in most blocks.
//! 2. dear stage, only when stage 1 passes (rarely on speech):
//!    - the share of each half-block's power held by the two tones (a
//!      least-squares fit with the 450 Hz dial tone, which is not counted);
//!    - each tone's frequency, from the phase advance between two
//!      Hann-windowed DFTs 38 samples apart. Bins alone cannot refuse a tone
//!      3.5 % off (a 102-sample bin is +-78 Hz wide, +-11 % at 697 Hz); the
//!      phase estimate is good to a few Hz;
//!    - a column tone at twice the row tone (a note and its harmonic) is not
//!      a digit (judged, like the 2.5 % limit, on the two beginning blocks).
//!
//! Digits are then formed from the sequence of block verdicts:
//! - a digit begins after HITS_TO_BEGIN (2) consecutive blocks with it, if
//!   the mean of their two frequency estimates is within 2.5 % (one block
//!   alone is allowed 3 %: the mean has less noise). A
//!   40 ms tone always holds two whole blocks (320 - 101 >= 204). A 20 ms tone
//!   (160 samples) can only touch two blocks partly, and for both to pass,
//!   each of their four halves would need a tone share of at least
//!   MIN_TONE_SHARE, i.e. 2 * 51 * (1 + 0.8) = 184 samples of tone. The digit
//!   is reported at the end of its second block: at most 101 + 204 samples
//!   (38 ms) after the tone starts;
//! - a digit ends on half-blocks (HALF = 51 samples, 6.375 ms): after
//!   HALF_MISSES_TO_END (5) consecutive half-blocks in which its tone pair is
//!   absent. ETSI ES 201 235-3 timing (as quoted in Asterisk's dsp.c; see
//!   mod.rs for the sources): the digit must not cease when the
//!   tone is absent for less than 20 ms, and shall cease when it is absent for
//!   more than 40 ms. See `half_present` and HALF_MISSES_TO_END for why five
//!   half-blocks meet both at every alignment: a gap under 20 ms (159
//!   samples) covers at most three whole half-blocks, and a fourth and fifth
//!   failure would need both edge half-blocks to fail, yet each still holds
//!   at least 45 of its 51 samples of tone and passes; a gap of 305 samples
//!   (38.1 ms) or more always holds five whole silent half-blocks.

use super::tables::{share_basis, tables, BLOCK, HALF, HOP, WIN};
use super::KEYPAD;
use crate::common::level::dbm0_to_power;
use crate::common::Law;
use std::f64::consts::{PI, TAU};

/// Quietest tone accepted, per tone: 4 dB below the -36 dBm0 the issue
/// requires (a figure from the issue only, see mod.rs), to leave room for a
/// 1.5 % offset (up to 1.4 dB lost in the bin) and coder noise.
pub const MIN_TONE_DBM0: f64 = -40.0;
/// Twist limits, named by the louder group (see docs/research/dsp.md 1.1 on
/// the "normal/reverse" naming trap). The issue requires 8 dB with the low
/// group louder and 4 dB with the high group louder (the AT&T summary's
/// figures; mod.rs). Judged on the Hann-windowed DFTs of the frequency
/// estimator (accurate to a few tenths of a dB, even 1.5 % off frequency),
/// with 2 dB to spare for noise.
pub const MAX_LOW_LOUDER_DB: f64 = 10.0;
pub const MAX_HIGH_LOUDER_DB: f64 = 6.0;
/// The same on the rectangular bins of the cheap stage, only to drop blocks
/// early: those bins read a weak tone up to about 3 dB wrong (1.4 dB lost 1.5 %
/// off frequency, and the strong tone's sidelobe adding with any phase).
const COARSE_LOW_LOUDER_DB: f64 = 14.0;
const COARSE_HIGH_LOUDER_DB: f64 = 10.0;
/// The chosen row (column) must beat every other row (column) by this much;
/// speech with several formants in one group fails it. Not more: with the low
/// group 8 dB louder and 1.5 % off frequency, 941 Hz leaks into the 1209 Hz
/// bin only about 5 dB below a 1336 Hz tone (digit 0). Several tones in one
/// group also fail the tone-share test, which has no such leakage.
pub const MIN_GROUP_MARGIN_DB: f64 = 4.0;
/// Share of the block power (less any dial tone) that the two tones must
/// hold, in each half of the block. Measured minimum over many blocks: 0.89
/// with white noise 12 dB below the pair plus a 450 Hz dial tone, 0.93 for
/// tones at +3 dBm0 clipped by the coder. A note with its harmonics, or a
/// half-block only partly filled with tone, holds less.
pub const MIN_TONE_SHARE: f64 = 0.80;
/// Largest frequency deviation accepted, relative, as the mean of the two
/// blocks that begin a digit: halfway between the 1.5 % that must be accepted
/// and the 3.5 % that must be refused (the figures; mod.rs). The mean of two
/// blocks has 1/sqrt(2) of the estimator's noise (0.33 % rms at 697 Hz with
/// 12 dB SNR), which keeps tones 1.5 % off in noise from being lost.
pub const MAX_FREQ_DEVIATION: f64 = 0.025;
/// The same for one block on its own (any block of a digit): looser, as a
/// single estimate is noisier; tones 3.5 % off still fail it when clean.
pub const MAX_BLOCK_FREQ_DEVIATION: f64 = 0.03;

/// Loose share of block power in the two bins, before the exact test (dial
/// tone taken out with its own bin): the pair with 12 dB of noise gives 0.9,
/// white noise or speech about 2/51.
const COARSE_SHARE: f32 = 0.4;

/// A high tone at twice the low one, within this relative margin (on the mean
/// of the two blocks that begin a digit), is a note and its second harmonic,
/// not a digit. Genuine pairs within +-1.5 % never come closer to 2:1 than
/// 1.25 % (1633/852 = 1.917 at +1.5/-1.5 % is 1.975).
pub const HARMONIC_MARGIN: f64 = 0.005;

pub const HITS_TO_BEGIN: u8 = 2;
/// Consecutive half-blocks without the digit's tones that end it (ES 201
/// 235-3 timing, mod.rs: not under 20 ms of absence, always over 40 ms).
/// - Never under 20 ms: a gap of at most 159 samples covers at most three
///   whole half-blocks (3 x 51 = 153); a fifth failing half-block would need
///   both edge half-blocks to fail, but together they hold at most
///   159 - 153 = 6 samples of gap, i.e. each at least 45 of 51 samples of
///   tone, and such a half-block passes `half_present` (share about 45/51 =
///   0.88 against END_MIN_SHARE = 0.5). More generally an edge half-block
///   fails once it holds about 26 samples of gap (share under 0.5), so
///   gaps shorter than 3 x 51 + 2 x 26 = 205 samples (25.6 ms) are bridged.
///   Measured (detect_tests.rs, `end_of_digit_boundaries`): silent gaps up
///   to 201 samples bridged at every alignment, from 259 (32.4 ms) always
///   split.
/// - Always by 40 ms: a gap of D samples holds at least floor((D + 1) / 51) - 1
///   whole half-blocks, five from D = 305 samples (38.1 ms) on; a whole
///   half-block of silence (or of anything without the pair) fails.
///
/// Four would split gaps from about 2 x 51 + 2 x 26 = 154 samples (19.3 ms)
/// at some alignments (measured with the same sweep: some gaps of 151 samples
/// split); six needs an edge half-block to fail to end a 40 ms gap (measured:
/// every gap split only from 312 samples, 39 ms).
pub const HALF_MISSES_TO_END: u8 = 5;
/// Share of a half-block's power (less the dial tone) that the digit's pair
/// must hold for its tone to count as present there, when the whole block was
/// not judged to be that digit. A half-block full of tone holds at least 0.89
/// (MIN_TONE_SHARE's measurement, worst noise and dial tone); one with p
/// samples of tone and the rest silent holds about p / 51; white noise alone
/// about 4 / 49. Half of the block marks the edge: 45 of 51 samples of tone
/// pass with room for 12 dB noise (0.88 x 0.89 = 0.78), 20 or fewer fail.
pub const END_MIN_SHARE: f64 = 0.5;

/// One recognised digit: `start` is the first sample of its first block, `end`
/// one past the last sample of the last half-block holding its tones (stream
/// sample indices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtmfEvent {
    pub digit: u8,
    pub start: u64,
    pub end: u64,
}

/// Why a block was not a digit (for tuning and tests).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    /// A digit, with the relative frequency deviations of its row and column tones.
    Digit(u8, f32, f32),
    TooWeak,
    Twist,
    /// Twist judged on the windowed DFTs (after the cheap stage passed).
    FineTwist,
    GroupMargin,
    ToneShare(f64),
    /// Relative deviation of the row and column tones from nominal.
    Frequency(f64, f64),
}

struct Thresholds {
    min_energy: f32,
    low_louder: f32,
    high_louder: f32,
    group_margin: f32,
}

fn thresholds() -> Thresholds {
    let n = BLOCK as f64;
    // A tone of power P exactly on a bin of N samples gives |X|^2 = P N^2 / 2.
    let p = dbm0_to_power(Law::Alaw, MIN_TONE_DBM0);
    Thresholds {
        min_energy: (p * n * n / 2.0) as f32,
        low_louder: 10f64.powf(COARSE_LOW_LOUDER_DB / 10.0) as f32,
        high_louder: 10f64.powf(COARSE_HIGH_LOUDER_DB / 10.0) as f32,
        group_margin: 10f64.powf(MIN_GROUP_MARGIN_DB / 10.0) as f32,
    }
}

/// The 8 bin energies |X_k|^2 of one block (rows then columns).
#[inline]
pub fn bin_energies(block: &[i16; BLOCK]) -> [f32; 8] {
    let sums = bin_sums(block);
    let mut e = [0f32; 8];
    for k in 0..8 {
        e[k] = sums[k] * sums[k] + sums[k + 8] * sums[k + 8];
    }
    e
}

/// Sum over the block of x[n] cos(w_k n) (lanes 0-7) and x[n] sin(w_k n)
/// (lanes 8-15). The one per-sample loop of the detector. The AVX2/FMA path
/// is chosen once per process, so every channel and every chunking of a
/// stream get bit-identical sums on a given machine.
#[inline]
fn bin_sums(block: &[i16; BLOCK]) -> [f32; 16] {
    #[cfg(target_arch = "x86_64")]
    {
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked at run time).
            return unsafe { bin_sums_avx2(block, &tables().rect) };
        }
    }
    bin_sums_portable(block, &tables().rect)
}

fn bin_sums_portable(block: &[i16; BLOCK], rect: &[[f32; 16]; BLOCK]) -> [f32; 16] {
    // Two accumulator sets (even and odd samples) halve the add chain.
    let mut even = [0f32; 16];
    let mut odd = [0f32; 16];
    for (pair, taps) in block.chunks_exact(2).zip(rect.chunks_exact(2)) {
        let x0 = pair[0] as f32;
        let x1 = pair[1] as f32;
        for k in 0..16 {
            even[k] += x0 * taps[0][k];
        }
        for k in 0..16 {
            odd[k] += x1 * taps[1][k];
        }
    }
    let mut out = [0f32; 16];
    for k in 0..16 {
        out[k] = even[k] + odd[k];
    }
    out
}

#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    use std::sync::atomic::{AtomicU8, Ordering};
    static FLAG: AtomicU8 = AtomicU8::new(0);
    match FLAG.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let yes = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
            FLAG.store(if yes { 1 } else { 2 }, Ordering::Relaxed);
            yes
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn bin_sums_avx2(block: &[i16; BLOCK], rect: &[[f32; 16]; BLOCK]) -> [f32; 16] {
    use std::arch::x86_64::*;
    // Three samples per step, six accumulators: the FMA latency (4 cycles)
    // is hidden and the loop runs near 2 FMAs per sample.
    const _: () = assert!(BLOCK % 3 == 0);
    let mut acc = [_mm256_setzero_ps(); 6];
    let mut n = 0;
    while n < BLOCK {
        for j in 0..3 {
            let x = _mm256_set1_ps(block[n + j] as f32);
            let t = rect[n + j].as_ptr();
            acc[2 * j] = _mm256_fmadd_ps(x, _mm256_loadu_ps(t), acc[2 * j]);
            acc[2 * j + 1] = _mm256_fmadd_ps(x, _mm256_loadu_ps(t.add(8)), acc[2 * j + 1]);
        }
        n += 3;
    }
    let lo = _mm256_add_ps(_mm256_add_ps(acc[0], acc[2]), acc[4]);
    let hi = _mm256_add_ps(_mm256_add_ps(acc[1], acc[3]), acc[5]);
    let mut out = [0f32; 16];
    _mm256_storeu_ps(out.as_mut_ptr(), lo);
    _mm256_storeu_ps(out.as_mut_ptr().add(8), hi);
    out
}

fn best_two(e: &[f32]) -> (usize, f32, f32) {
    let mut best = 0;
    for k in 1..e.len() {
        if e[k] > e[best] {
            best = k;
        }
    }
    let second = e.iter().enumerate().filter(|&(k, _)| k != best).map(|(_, &v)| v).fold(0f32, f32::max);
    (best, e[best], second)
}

/// Relative deviation of the tone near frequency k from its nominal value,
/// and its energy in the two Hann windows.
fn windowed_tone(block: &[i16; BLOCK], k: usize) -> (f64, f64) {
    let t = tables();
    let win = &t.win[k];
    let (mut a1, mut b1, mut a2, mut b2) = (0.0, 0.0, 0.0, 0.0);
    for n in 0..WIN {
        let [c, s] = win[n];
        let x1 = block[n] as f64;
        let x2 = block[n + HOP] as f64;
        a1 += x1 * c;
        b1 += x1 * s;
        a2 += x2 * c;
        b2 += x2 * s;
    }
    // X = a - jb; X2 * conj(X1) = (a2 - j b2)(a1 + j b1).
    let re = a2 * a1 + b2 * b1;
    let im = a2 * b1 - b2 * a1;
    let mut d = im.atan2(re) - t.hop_phase[k];
    d -= TAU * ((d + PI) / TAU).floor();
    let deviation = d / (TAU * HOP as f64) * crate::common::SAMPLE_RATE / t.freqs[k];
    (deviation, a1 * a1 + b1 * b1 + a2 * a2 + b2 * b2)
}

/// Least-squares fit of the DTMF pair (row bin `r`, column bin `c`) to one
/// half-block, dial tone excluded: (energy the two tones add to a fit of the
/// dial tone alone, power left after the dial tone). Unlike DFT bins the fit
/// has no leakage between the tones, however short the span.
fn half_fit(half: &[i16], r: usize, c: usize) -> (f64, f64) {
    debug_assert_eq!(half.len(), HALF);
    let t = tables();
    let l = &t.share_chol[r * 4 + c - 4];
    let mut total = 0.0;
    let mut proj = [0.0f64; 6];
    for (n, &v) in half.iter().enumerate() {
        let v = v as f64;
        total += v * v;
        let phi = share_basis(t, r, c, n);
        for i in 0..6 {
            proj[i] += v * phi[i];
        }
    }
    // Energy explained by the first k basis functions = |y[..k]|^2 with L y = proj.
    let mut y = [0.0f64; 6];
    for i in 0..6 {
        let mut sum = proj[i];
        for k in 0..i {
            sum -= l[i][k] * y[k];
        }
        y[i] = sum / l[i][i];
    }
    let dial = y[0] * y[0] + y[1] * y[1];
    let pair: f64 = y[2..].iter().map(|v| v * v).sum();
    (pair, total - dial)
}

fn share_of(pair: f64, rest: f64) -> f64 {
    if rest > 1e-6 {
        (pair / rest).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Smaller of the two half-blocks' power shares held by the DTMF pair (row
/// bin `r`, column bin `c`), dial tone excluded (see `half_fit`). Judging
/// halves rather than the whole block is what refuses the two edge blocks of
/// a 20 ms tone: for both to pass, each of their halves would need a tone
/// share of MIN_TONE_SHARE, i.e. 2 * 51 * (1 + 0.8) = 184 samples of tone > 160.
fn tone_share(block: &[i16; BLOCK], r: usize, c: usize) -> f64 {
    block
        .chunks_exact(HALF)
        .map(|half| {
            let (pair, rest) = half_fit(half, r, c);
            share_of(pair, rest)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Whether the tone pair of `digit` is present in each half of a block that
/// was not judged to be that digit as a whole (for the end of a digit only):
/// the pair must hold END_MIN_SHARE of the half's power (dial tone excluded)
/// and at least the energy of one tone at MIN_TONE_DBM0 over the half. A
/// block judged to be another digit has neither half present (the caller
/// handles that), so a change of digit ends the old one.
fn half_present(block: &[i16; BLOCK], digit: u8) -> [bool; 2] {
    static FLOOR: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    // A fitted tone of power P over HALF samples explains P * HALF.
    let floor = *FLOOR.get_or_init(|| dbm0_to_power(Law::Alaw, MIN_TONE_DBM0) * HALF as f64);
    let Some((r, c)) = super::digit_position(digit) else { return [false; 2] };
    let mut out = [false; 2];
    for (h, half) in block.chunks_exact(HALF).enumerate() {
        let (pair, rest) = half_fit(half, r, 4 + c);
        out[h] = pair >= floor && share_of(pair, rest) >= END_MIN_SHARE;
    }
    out
}

/// Rectangular-bin energy |X|^2 of the dial tone over the block.
fn dial_energy(block: &[i16; BLOCK]) -> f32 {
    let (mut a, mut b) = (0.0f32, 0.0f32);
    for (&x, d) in block.iter().zip(tables().dial.iter()) {
        a += x as f32 * d[0] as f32;
        b += x as f32 * d[1] as f32;
    }
    a * a + b * b
}

/// Judge one block.
pub fn judge_block(block: &[i16; BLOCK]) -> Verdict {
    static TH: std::sync::OnceLock<Thresholds> = std::sync::OnceLock::new();
    let th = TH.get_or_init(thresholds);
    let e = bin_energies(block);
    let (row, row_e, row_second) = best_two(&e[..4]);
    let (col, col_e, col_second) = best_two(&e[4..]);
    if row_e < th.min_energy || col_e < th.min_energy {
        return Verdict::TooWeak;
    }
    if row_e > col_e * th.low_louder || col_e > row_e * th.high_louder {
        return Verdict::Twist;
    }
    if row_second * th.group_margin > row_e || col_second * th.group_margin > col_e {
        return Verdict::GroupMargin;
    }
    // Coarse share first: white noise or speech is dropped here, before the
    // exact test. Only if it fails is the dial-tone bin worth computing.
    let total: f32 = block.iter().map(|&v| (v as f32) * (v as f32)).sum();
    let pair = 2.0 * (row_e + col_e);
    if pair < COARSE_SHARE * BLOCK as f32 * total
        && pair < COARSE_SHARE * (BLOCK as f32 * total - 2.0 * dial_energy(block))
    {
        return Verdict::ToneShare(0.0);
    }
    let share = tone_share(block, row, 4 + col);
    if share < MIN_TONE_SHARE {
        return Verdict::ToneShare(share);
    }
    let (dr, er) = windowed_tone(block, row);
    let (dc, ec) = windowed_tone(block, 4 + col);
    if dr.abs() > MAX_BLOCK_FREQ_DEVIATION || dc.abs() > MAX_BLOCK_FREQ_DEVIATION {
        return Verdict::Frequency(dr, dc);
    }
    let twist_db = 10.0 * (er.max(1e-9) / ec.max(1e-9)).log10();
    if twist_db > MAX_LOW_LOUDER_DB || -twist_db > MAX_HIGH_LOUDER_DB {
        return Verdict::FineTwist;
    }
    Verdict::Digit(KEYPAD[row][col], dr as f32, dc as f32)
}

/// Whether two consecutive blocks of `digit` with deviations `a` and `b`
/// (row, column) may begin it: mean deviation within MAX_FREQ_DEVIATION and
/// not a note with its second harmonic.
pub fn may_begin(digit: u8, a: [f32; 2], b: [f32; 2]) -> bool {
    let Some((row, col)) = super::digit_position(digit) else { return false };
    let dr = (a[0] as f64 + b[0] as f64) / 2.0;
    let dc = (a[1] as f64 + b[1] as f64) / 2.0;
    if dr.abs() > MAX_FREQ_DEVIATION || dc.abs() > MAX_FREQ_DEVIATION {
        return false;
    }
    let ratio = super::COL_FREQS[col] * (1.0 + dc) / (super::ROW_FREQS[row] * (1.0 + dr));
    (ratio / 2.0 - 1.0).abs() >= HARMONIC_MARGIN
}

/// Streaming DTMF detector for one channel (288 bytes of state, plus the
/// events not yet drained).
#[derive(Clone, Debug)]
pub struct DtmfDetector {
    buf: [i16; BLOCK],
    fill: usize,
    /// Stream index of buf[0].
    block_start: u64,
    current: u8,
    current_start: u64,
    current_end: u64,
    misses: u8,
    candidate: u8,
    candidate_start: u64,
    candidate_hits: u8,
    /// Deviations (row, column) of the candidate's last two blocks.
    candidate_dev: [[f32; 2]; 2],
    events: Vec<DtmfEvent>,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl DtmfDetector {
    pub fn new() -> Self {
        Self {
            buf: [0; BLOCK],
            fill: 0,
            block_start: 0,
            current: 0,
            current_start: 0,
            current_end: 0,
            misses: 0,
            candidate: 0,
            candidate_start: 0,
            candidate_hits: 0,
            candidate_dev: [[0.0; 2]; 2],
            events: Vec::new(),
        }
    }

    /// Feed samples; digits whose recognition completes within them are
    /// appended to `digits` (ASCII), in order.
    pub fn process(&mut self, mut pcm: &[i16], digits: &mut Vec<u8>) {
        while !pcm.is_empty() {
            let take = (BLOCK - self.fill).min(pcm.len());
            self.buf[self.fill..self.fill + take].copy_from_slice(&pcm[..take]);
            self.fill += take;
            pcm = &pcm[take..];
            if self.fill == BLOCK {
                let (digit, dev) = match judge_block(&self.buf) {
                    Verdict::Digit(d, dr, dc) => (d, [dr, dc]),
                    _ => (0, [0.0; 2]),
                };
                // Halves holding the current digit's tones: all of a block
                // judged to be it, none of a block judged another digit, and
                // otherwise each half on its own (dear, but only while a
                // digit sounds and its block verdict failed).
                let present = if self.current == 0 || digit == self.current {
                    [true; 2]
                } else if digit != 0 {
                    [false; 2]
                } else {
                    half_present(&self.buf, self.current)
                };
                self.step(digit, dev, present, digits);
                self.block_start += BLOCK as u64;
                self.fill = 0;
            }
        }
    }

    fn step(&mut self, digit: u8, dev: [f32; 2], present: [bool; 2], digits: &mut Vec<u8>) {
        let end = self.block_start + BLOCK as u64;
        self.candidate_dev = [self.candidate_dev[1], dev];
        if digit != 0 && digit == self.candidate {
            self.candidate_hits = self.candidate_hits.saturating_add(1);
        } else {
            self.candidate = digit;
            self.candidate_hits = u8::from(digit != 0);
            self.candidate_start = self.block_start;
        }
        if self.current != 0 {
            for (h, &here) in present.iter().enumerate() {
                if here {
                    self.misses = 0;
                    self.current_end = self.block_start + ((h + 1) * HALF) as u64;
                } else {
                    self.misses += 1;
                    if self.misses >= HALF_MISSES_TO_END {
                        self.end_current();
                        break;
                    }
                }
            }
        }
        if self.current == 0
            && self.candidate != 0
            && self.candidate_hits >= HITS_TO_BEGIN
            && may_begin(self.candidate, self.candidate_dev[0], self.candidate_dev[1])
        {
            self.current = self.candidate;
            self.current_start = self.candidate_start;
            self.current_end = end;
            self.misses = 0;
            digits.push(self.current);
        }
    }

    fn end_current(&mut self) {
        self.events.push(DtmfEvent { digit: self.current, start: self.current_start, end: self.current_end });
        self.current = 0;
        self.misses = 0;
    }

    /// Completed digits since the last call (a digit completes when it ends).
    pub fn take_events(&mut self) -> Vec<DtmfEvent> {
        std::mem::take(&mut self.events)
    }

    /// Drain completed digits into `out`.
    pub fn drain_events_into(&mut self, out: &mut Vec<DtmfEvent>) {
        out.append(&mut self.events);
    }

    /// End of stream: a digit still sounding ends here (its event becomes
    /// available) and a partly filled block is dropped. Sample indices go on
    /// counting if more input follows.
    pub fn flush(&mut self) {
        if self.current != 0 {
            self.end_current();
        }
        self.candidate = 0;
        self.candidate_hits = 0;
        self.block_start += self.fill as u64;
        self.fill = 0;
    }

    /// Back to the state of a new detector (pending events are dropped).
    pub fn reset(&mut self) {
        let events = std::mem::take(&mut self.events);
        *self = Self::new();
        self.events = events;
        self.events.clear();
    }
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
