//! Call-progress, SIT, fax and answer tone detector.
//!
//! Three stages, all per 10 ms block:
//! 1. `analysis`: energy and complex DFT bins of the block.
//! 2. Block labelling: a block carries a band's tone when, together with a
//!    neighbouring block, the bin's phase step puts the frequency inside the
//!    band and the tone holds at least `PURITY` of the block's power (after
//!    correcting the bin for the frequency offset). Purity alone bounds the
//!    harmonics, speech formants and chords; it is what rejects music notes.
//! 3. Segmentation and rules: runs of labelled blocks become on-segments
//!    (short drop-outs of up to `BRIDGE_BLOCKS` are bridged), the rest
//!    off-segments; the plan's rules (cadence windows, sequences, durations,
//!    phase reversals) are matched against the segment history.
//!
//! Segment edges are placed inside their 10 ms block, not rounded to it. The
//! tone is fitted (complex amplitude and frequency, `sinefit`) on the two full
//! blocks next to an edge and carried sample by sample across the edge blocks
//! until it has spent their measured energy (less the line noise measured in
//! the off-period): the energy of a sine over a span only grows with the span,
//! so that point is unique. Where two tones of different bands share the one
//! block between them (SIT without gaps), that block is split by each tone's
//! own DFT bin. Durations come out within 1.5 ms (`plan::MEASURE_ERROR_MS`),
//! which is what lets the cadence windows sit at +-10 %. Phase reversals are
//! timed inside their block the same way (`reversal_place`).
//!
//! Output depends only on the sample stream, never on how it was chunked.

use super::analysis::{Bin, BinTables, BLOCK};
use super::rules::{self, Segment};
use super::sinefit::{edge, SineFit};
use super::plan::{Plan, Rule, ToneName, MAX_BIN_OFFSET};
use crate::common::level;
use crate::common::{Law, SAMPLE_RATE};
use std::collections::VecDeque;
use std::f32::consts::PI;
use std::sync::Arc;

/// Most analysis bins of any plan (e180: four call-progress bins and eight others).
const MAX_BINS: usize = 12;
const MAX_BANDS: usize = 8;
/// Block length in ms.
const BLOCK_MS: f64 = 1000.0 * BLOCK as f64 / SAMPLE_RATE;
/// Fraction of a block's power the tone must hold (tone at least 12.8 dB above
/// everything else). A -36 dBm0 tone through A-law has a quantisation SNR of
/// 35 dB (measured), and 10 % distortion (the YD/T limit) costs 1 %, so real tones sit
/// above 0.98. Harmonics count as "everything else", so this is also the
/// harmonic check: a flute-like note (2nd and 3rd harmonics 11 and 17 dB down)
/// holds 0.91 and is refused.
const PURITY: f32 = 0.95;
/// Raw bin power fraction below which a band is not considered at all (a tone
/// 50 Hz off a bin still keeps 0.41 of its power in it).
const CANDIDATE: f32 = 0.3;
/// Lowest tone level recognised (dBm0): the requirement is -36 dBm0 in, and
/// never below -50 dBm0.
const MIN_LEVEL_DBM0: f64 = -43.0;
/// On-segments of a band may have drop-outs of up to this many blocks (phase
/// reversals of ANS/, clicks) without being split.
const BRIDGE_BLOCKS: u64 = 2;
/// Level steadiness over an on-segment: interior block energies within 2 dB.
const STEADY_ENERGY_RATIO: f32 = 1.6;
/// Frequency steadiness over an on-segment (Hz, max - min of the estimates).
const STEADY_FREQ_SPREAD: f32 = 8.0;
/// Smallest phase jump counted as a reversal: 180 +- 25 degrees, the
/// G.164/G.165 tone disabler's acceptance (V.25 sends 180 +- 10 degrees).
/// Jumps of 110 degrees or less must not count.
const MIN_REVERSAL_RAD: f32 = PI * 155.0 / 180.0;
const HISTORY: usize = 16;
/// Off-period blocks count as speech-like when within this power ratio (10 dB)
/// of the preceding tone.
const OFF_MARGIN: f32 = 0.1;
/// A successor's first segment may start this much (ms) before the break and
/// still count as after it: both edges are measured to `MEASURE_ERROR_MS`.
const BREAK_SLACK_MS: f64 = 2.0 * super::plan::MEASURE_ERROR_MS;
/// Beyond the longest recognition span: the block decisions' latency (the
/// start edge waits two blocks, an on-period closes after the bridge) and the
/// silence the old tone may leave before the new one (up to its own limit).
const SUCCESSOR_MARGIN_MS: f64 = 500.0;

/// Start or end of an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Start,
    End,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Start => "start",
            EventKind::End => "end",
        }
    }
}

/// An occurrence boundary; `sample` counts from the detector's creation or reset
/// and is the end of the block in which the decision was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToneEvent {
    pub name: ToneName,
    pub kind: EventKind,
    pub sample: u64,
}

/// A plan prepared for detection; shared (read-only) by every channel.
#[derive(Debug)]
pub struct CompiledPlan {
    pub plan: Plan,
    tables: BinTables,
    /// Bin index range of each band.
    band_bins: Vec<(usize, usize)>,
    /// Bands each tone looks at (for the "cadence broken" timer).
    tone_bands: Vec<u16>,
    min_energy: f32,
    /// Off-period durations (ms, ascending) at which an off-period in progress
    /// may complete a tone's cadence, with the tone's index.
    open_thresholds: Vec<(f64, usize)>,
    /// How long (ms) an occurrence whose cadence broke waits, from when the break
    /// was seen, for another tone to be recognised: the plan's longest
    /// recognition span plus `SUCCESSOR_MARGIN_MS`.
    successor_ms: f64,
}

impl CompiledPlan {
    pub fn new(plan: Plan) -> Self {
        let mut freqs = Vec::new();
        let mut band_bins = Vec::new();
        for b in &plan.bands {
            let start = freqs.len();
            freqs.extend_from_slice(&b.bins);
            band_bins.push((start, freqs.len()));
        }
        assert!(freqs.len() <= MAX_BINS && plan.bands.len() <= MAX_BANDS);
        let tone_bands = plan
            .tones
            .iter()
            .map(|t| match &t.rule {
                Rule::Continuous { band, .. }
                | Rule::Cadence { band, .. }
                | Rule::Periodic { band, .. }
                | Rule::Plain { band, .. }
                | Rule::Reversals { band, .. } => 1u16 << band,
                Rule::Sequence { bands, .. } => bands.iter().fold(0, |m, b| m | 1 << b),
            })
            .collect();
        let min_energy = (level::dbm0_to_power(Law::Alaw, MIN_LEVEL_DBM0) * BLOCK as f64) as f32;
        let mut open_thresholds: Vec<(f64, usize)> = plan
            .tones
            .iter()
            .enumerate()
            .flat_map(|(t, spec)| rules::open_off_thresholds(spec).into_iter().map(move |ms| (ms, t)))
            .collect();
        open_thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
        let successor_ms = plan.tones.iter().map(rules::recognition_span_ms).fold(0.0, f64::max) + SUCCESSOR_MARGIN_MS;
        CompiledPlan { tables: BinTables::new(&freqs), plan, band_bins, tone_bands, min_energy, open_thresholds, successor_ms }
    }

    pub fn by_name(name: &str) -> Option<Arc<Self>> {
        super::plan::plan(name).map(|p| Arc::new(Self::new(p)))
    }
}

#[derive(Clone, Copy, Default)]
struct Frame {
    energy: f32,
    bins: [Bin; MAX_BINS],
    /// Best bin of each band when the band is a candidate.
    best: [Option<u8>; MAX_BANDS],
}

/// Result of checking a pair of consecutive blocks for one band.
#[derive(Clone, Copy, Default)]
struct Pair {
    ok: bool,
    freq: f32,
    /// Phase step in excess of the bin's own (radians per block).
    residual: f32,
}

#[derive(Clone, Copy)]
enum Label {
    Tone(usize),
    Quiet,
    Other,
}

#[derive(Clone, Copy)]
struct Run {
    band: usize,
    last: u64,
    /// Where the tone began (ms from the stream start, inside its block).
    start_ms: f64,
    e_min: f32,
    e_max: f32,
    f_min: f32,
    f_max: f32,
    /// Energies of the last two tone blocks, and of the block after the last
    /// (once seen), for placing the end edge.
    e_last: f32,
    e_prev: f32,
    e_after: f32,
    /// Energy of the second block after the last (a block filled to 90 % may
    /// not pass as tone, leaving the last few samples to the next one).
    e_after2: f32,
    /// Bin of the band in the last tone block and its magnitude.
    bin_last: u8,
    mag_last: f32,
    /// The band's bin in the last two tone blocks, to model the tone at its end.
    ref_last: Option<EdgeRef>,
    ref_prev: Option<EdgeRef>,
    ref_prev2: Option<EdgeRef>,
    /// Start edge still to be placed: energy before block first + 1 and where
    /// that span begins (samples before block first + 1).
    pending: Option<(f32, i64)>,
    /// The off-segment before this run, waiting for its start: valid or not.
    pending_off: Option<bool>,
    /// Line noise energy per block, measured before the run began.
    floor: Option<f32>,
    reversals: u32,
    /// Time of the last phase reversal (ms).
    last_reversal_ms: f64,
    reversal_ok: bool,
}

/// What `run_start` finds: the start (ms, first estimate), the previous tone's
/// share of a block shared with it, the energy span still to place the start
/// precisely (`Run::pending`), and the line noise per block before the run.
type RunStart = (f64, Option<f64>, Option<(f32, i64)>, Option<f32>);

/// A fitted tone: complex amplitude at a block's start, and frequency (rad/sample).
type Model = ((f64, f64), f64);

/// A tone block's bin, for modelling the tone sample by sample near an edge.
#[derive(Clone, Copy)]
struct EdgeRef {
    block: u64,
    bin: Bin,
    idx: u8,
    freq: f32,
}

impl EdgeRef {
    /// The tone's complex amplitude (at this block's start) and frequency (rad/sample).
    fn model(&self, tables: &BinTables) -> Model {
        let w = std::f64::consts::TAU * self.freq as f64 / SAMPLE_RATE;
        let w0 = std::f64::consts::TAU * tables.freqs[self.idx as usize] / SAMPLE_RATE;
        (SineFit::new(w, w0).coefficient(self.bin), w)
    }
}

/// The tone fitted on two consecutive blocks `a`, `b`: the pair estimate of the
/// frequency is off by up to 2 Hz (the negative-frequency image is not taken
/// out of it), which carried over two blocks misplaces an edge by about 1 ms;
/// the phase step between the two fitted amplitudes measures it again without
/// the image. Returns (c at a, w) and (c at b, w).
fn refined(a: &EdgeRef, b: &EdgeRef, tables: &BinTables) -> (Model, Model) {
    let (ca, w) = a.model(tables);
    let (cb, _) = b.model(tables);
    let n = BLOCK as f64;
    let step = (cb.1 * ca.0 - cb.0 * ca.1).atan2(cb.0 * ca.0 + cb.1 * ca.1);
    let mut d = step - w * n;
    d -= std::f64::consts::TAU * (d / std::f64::consts::TAU).round();
    let w2 = w + d / n;
    let f2 = (w2 * SAMPLE_RATE / std::f64::consts::TAU) as f32;
    let a2 = EdgeRef { freq: f2, ..*a };
    let b2 = EdgeRef { freq: f2, ..*b };
    let ((ca, w), (cb, _)) = (a2.model(tables), b2.model(tables));
    // Both fits share one amplitude (a steady tone): their mean halves the
    // noise's share of the error.
    let (ma, mb) = (ca.0.hypot(ca.1), cb.0.hypot(cb.1));
    if ma > 0.0 && mb > 0.0 {
        let m = 0.5 * (ma + mb);
        ((((ca.0 * m / ma), (ca.1 * m / ma)), w), (((cb.0 * m / mb), (cb.1 * m / mb)), w))
    } else {
        ((ca, w), (cb, w))
    }
}

/// The fraction of a block filled by a tone whose full-block energy is `full`.
#[inline]
fn filled(e: f32, full: f32) -> f64 {
    if full > 0.0 {
        (e / full).clamp(0.0, 1.0) as f64
    } else {
        0.0
    }
}

impl Run {
    fn steady(&self) -> bool {
        self.e_max <= self.e_min * STEADY_ENERGY_RATIO && self.f_max - self.f_min <= STEADY_FREQ_SPREAD
            || self.e_max < self.e_min // no interior block seen yet
    }
    /// Duration so far (to the end of the last tone block).
    fn ms_so_far(&self) -> f64 {
        (self.last + 1) as f64 * BLOCK_MS - self.start_ms
    }
    /// Where the tone ended (ms): inside the last block or the one after it,
    /// or `after` of the block after it when that block is shared with the next tone.
    fn end_ms(&self, after: Option<f64>, floor: Option<f32>, tables: &BinTables) -> f64 {
        if let (None, Some(r)) = (after, self.ref_prev.filter(|r| r.block + 1 == self.last)) {
            // The tone as fitted on the block before the last (and the one before
            // that, for the frequency), carried on until it has spent the energy
            // of the last block and the two after.
            let (c, w) = match self.ref_prev2.filter(|q| q.block + 1 == r.block && q.idx == r.idx) {
                Some(q) => refined(&q, &r, tables).1,
                None => r.model(tables),
            };
            let n = BLOCK as i64;
            let mut measured = self.e_last + self.e_after + self.e_after2;
            if let Some(f) = floor {
                let blocks = 1 + (self.e_after > 0.0) as u32 + (self.e_after2 > 0.0) as u32;
                measured = (measured - blocks as f32 * f).max(0.0);
            }
            let t = edge(c, w, n, 4 * n, measured as f64, false);
            return (r.block as f64 + t / BLOCK as f64) * BLOCK_MS;
        }
        let full = self.e_last.max(self.e_prev);
        let after = after.unwrap_or_else(|| filled(self.e_after, full));
        (self.last as f64 + filled(self.e_last, full) + after) * BLOCK_MS
    }
}

#[derive(Clone, Copy)]
struct Active {
    tone: usize,
    last_match: u64,
    last_tone_block: u64,
    /// Sample of the "start" event.
    start_sample: u64,
    /// Set once a segment that cannot belong to the tone's pattern was seen.
    broken: Option<Broken>,
}

/// Where an occurrence's cadence broke (start of the first segment that cannot
/// belong to it, ms) and the block at which that was seen.
#[derive(Clone, Copy)]
struct Broken {
    at_ms: f64,
    block: u64,
}

/// Tone detector for one channel.
#[derive(Clone)]
pub struct ToneDetector {
    plan: Arc<CompiledPlan>,
    buf: [f32; BLOCK],
    fill: usize,
    /// Index of the next block to analyse.
    block: u64,
    frames: [Frame; 3],
    /// Energies of the last eight blocks (by block index mod 8).
    energies: [f32; 8],
    /// Pairs (k-2, k-1) and (k-1, k) for each band, k the last analysed block.
    pair_prev: [Pair; MAX_BANDS],
    pair_cur: [Pair; MAX_BANDS],
    /// Per-block phase residual of the 2100 Hz tone, for reversal detection.
    reversal_track: f32,
    last_reversal_block: Option<u64>,
    run: Option<Run>,
    /// Blocks since the run's last tone block, and how many of them were speech-like.
    gap: u64,
    gap_other: u64,
    /// End block of the last on-segment and speech-like blocks in the off since.
    off_from: Option<u64>,
    off_other: u64,
    /// Where the last on-segment ended (ms).
    off_end_ms: f64,
    /// Next entry of `open_thresholds` to try on the off-period in progress.
    open_next: usize,
    history: VecDeque<Segment>,
    active: Option<Active>,
    /// Highest block energy of the last on-segment.
    last_on_energy: f32,
    events: Vec<ToneEvent>,
}

fn wrap(mut p: f32) -> f32 {
    while p > PI {
        p -= 2.0 * PI;
    }
    while p <= -PI {
        p += 2.0 * PI;
    }
    p
}

/// Where inside a block (fraction 0..1) a phase reversal happened, from the
/// block's bin `xb` and its clean neighbours `xa` (before) and `xc` (after).
///
/// With the tone's positive-frequency part c e^{i(w0 + d)n} over the block, a
/// reversal at sample s gives xb = c (2 P(s) - P(N)), P(m) = sum_{n<m} e^{idn},
/// while without it the bin would be y = c P(N). So q = (xb / y + 1) / 2 =
/// (e^{ids} - 1) / (e^{idN} - 1), solved for s. y is the mean of the two
/// neighbours carried into block k-1 (forward from xa, back from the reversed
/// xc), which also takes out a slow amplitude modulation (ANSam).
fn reversal_place(xa: Bin, xb: Bin, xc: Bin, step: f32, residual: f32) -> f64 {
    let (cs, sn) = (step.cos(), step.sin());
    // xa e^{i step} and -xc e^{-i step}.
    let fwd = (xa.re * cs - xa.im * sn, xa.re * sn + xa.im * cs);
    let back = (-(xc.re * cs + xc.im * sn), -(xc.im * cs - xc.re * sn));
    let y = ((fwd.0 + back.0) * 0.5, (fwd.1 + back.1) * 0.5);
    let yy = y.0 * y.0 + y.1 * y.1;
    if yy <= 0.0 {
        return 0.5;
    }
    // q = (xb / y + 1) / 2
    let r = ((xb.re * y.0 + xb.im * y.1) / yy, (xb.im * y.0 - xb.re * y.1) / yy);
    let q = ((r.0 + 1.0) * 0.5, r.1 * 0.5);
    // residual is d N (radians over the block).
    let dn = residual as f64;
    let frac = if dn.abs() < 1e-3 {
        q.0 as f64
    } else {
        // e^{i d s} = 1 + q (e^{i d N} - 1), and d s = frac * dN.
        let (er, ei) = (dn.cos() - 1.0, dn.sin());
        let z = (1.0 + q.0 as f64 * er - q.1 as f64 * ei, q.0 as f64 * ei + q.1 as f64 * er);
        z.1.atan2(z.0) / dn
    };
    frac.clamp(0.0, 1.0)
}

impl ToneDetector {
    pub fn new(plan: Arc<CompiledPlan>) -> Self {
        ToneDetector {
            plan,
            buf: [0.0; BLOCK],
            fill: 0,
            block: 0,
            frames: [Frame::default(); 3],
            energies: [0.0; 8],
            pair_prev: [Pair::default(); MAX_BANDS],
            pair_cur: [Pair::default(); MAX_BANDS],
            reversal_track: 0.0,
            last_reversal_block: None,
            run: None,
            gap: 0,
            gap_other: 0,
            off_from: None,
            off_other: 0,
            off_end_ms: 0.0,
            open_next: usize::MAX,
            history: VecDeque::with_capacity(HISTORY),
            active: None,
            last_on_energy: 0.0,
            events: Vec::new(),
        }
    }

    /// A detector for a named plan ("cn", "e180", "eu425").
    pub fn with_plan(name: &str) -> Option<Self> {
        CompiledPlan::by_name(name).map(Self::new)
    }

    pub fn plan(&self) -> &Plan {
        &self.plan.plan
    }

    /// Back to the state of a new detector (sample count from 0).
    pub fn reset(&mut self) {
        *self = ToneDetector::new(self.plan.clone());
    }

    /// Feed samples; names recognised (each once per occurrence) go to `out`.
    pub fn process(&mut self, pcm: &[i16], out: &mut Vec<ToneName>) {
        let mut rest = pcm;
        while !rest.is_empty() {
            let take = (BLOCK - self.fill).min(rest.len());
            for (d, &s) in self.buf[self.fill..self.fill + take].iter_mut().zip(&rest[..take]) {
                *d = s as f32;
            }
            self.fill += take;
            rest = &rest[take..];
            if self.fill == BLOCK {
                self.fill = 0;
                self.block_done(out);
            }
        }
    }

    /// Drain the start/end events so far.
    pub fn take_events(&mut self) -> Vec<ToneEvent> {
        std::mem::take(&mut self.events)
    }

    /// Samples consumed so far.
    pub fn samples(&self) -> u64 {
        self.block * BLOCK as u64 + self.fill as u64
    }

    fn candidate_bands(&self, f: &mut Frame) {
        let plan = &*self.plan;
        let nbands = plan.band_bins.len();
        if f.energy < plan.min_energy {
            f.best = [None; MAX_BANDS];
            return;
        }
        // Bin power of a sine on the bin is (A N / 2)^2; its energy A^2 N / 2.
        let scale = 2.0 / BLOCK as f32 / f.energy;
        for b in 0..nbands {
            let (lo, hi) = plan.band_bins[b];
            let mut best = None;
            let mut best_p = CANDIDATE;
            for i in lo..hi {
                let p = f.bins[i].power() * scale;
                if p >= best_p {
                    best_p = p;
                    best = Some(i as u8);
                }
            }
            f.best[b] = best;
        }
    }

    /// Whether blocks `p` then `q` carry the same tone of `band`.
    fn pair(&self, p: &Frame, q: &Frame, band: usize) -> Pair {
        let (Some(bq), Some(_)) = (q.best[band], p.best[band]) else {
            return Pair::default();
        };
        let i = bq as usize;
        let (xp, xq) = (p.bins[i], q.bins[i]);
        let re = xq.re * xp.re + xq.im * xp.im;
        let im = xq.im * xp.re - xq.re * xp.im;
        let residual = wrap(im.atan2(re) - self.plan.tables.advance[i] as f32);
        let block_s = BLOCK as f32 / SAMPLE_RATE as f32;
        let df = residual / (2.0 * PI * block_s);
        let freq = self.plan.tables.freqs[i] as f32 + df;
        let b = &self.plan.plan.bands[band];
        if df.abs() as f64 > MAX_BIN_OFFSET || (freq as f64) < b.lo || (freq as f64) > b.hi {
            return Pair::default();
        }
        let w = std::f64::consts::TAU * freq as f64 / SAMPLE_RATE;
        let w0 = std::f64::consts::TAU * self.plan.tables.freqs[i] / SAMPLE_RATE;
        let fit = SineFit::new(w, w0);
        if fit.tone_energy(xq) < PURITY as f64 * q.energy as f64 || fit.tone_energy(xp) < PURITY as f64 * p.energy as f64 {
            return Pair::default();
        }
        Pair { ok: true, freq, residual }
    }

    fn block_done(&mut self, out: &mut Vec<ToneName>) {
        let k = self.block;
        let mut f = Frame { energy: self.plan.tables.energy(&self.buf), ..Frame::default() };
        // Quiet blocks carry no tone: skip the bins (pauses cost almost nothing).
        if f.energy >= self.plan.min_energy {
            self.plan.tables.bins(&self.buf, &mut f.bins);
        }
        self.candidate_bands(&mut f);
        self.frames[(k % 3) as usize] = f;
        self.energies[(k % 8) as usize] = f.energy;
        let nbands = self.plan.band_bins.len();
        self.pair_prev = self.pair_cur;
        if k >= 1 {
            let p = self.frames[((k - 1) % 3) as usize];
            for b in 0..nbands {
                self.pair_cur[b] = self.pair(&p, &f, b);
            }
        }
        self.block = k + 1;
        if k >= 1 {
            self.check_reversal(k);
            self.label_block(k - 1, out);
        }
        self.check_end(k);
    }

    /// A 180 degree phase reversal of the 2100 Hz tone in block k-1: the phase
    /// step from block k-2 to block k is off by about pi once the tone's own
    /// frequency offset (tracked on clean pairs) is taken out. Blocks k-2 and k
    /// are clean whatever the reversal's place, so the jump is measured whole.
    fn check_reversal(&mut self, k: u64) {
        let Some(ans) = self.ans_band() else { return };
        if self.pair_cur[ans].ok {
            self.reversal_track = self.pair_cur[ans].residual;
        }
        if k < 2 {
            return;
        }
        let a = self.frames[((k - 2) % 3) as usize];
        let b = self.frames[((k - 1) % 3) as usize];
        let c = self.frames[(k % 3) as usize];
        let (Some(ba), Some(bc)) = (a.best[ans], c.best[ans]) else { return };
        if ba != bc {
            return;
        }
        let i = bc as usize;
        let (xa, xb, xc) = (a.bins[i], b.bins[i], c.bins[i]);
        let re = xc.re * xa.re + xc.im * xa.im;
        let im = xc.im * xa.re - xc.re * xa.im;
        // Phase step of the tone over one block: the bin's own plus the offset's.
        let step = self.plan.tables.advance[i] as f32 + self.reversal_track;
        let dev = wrap(im.atan2(re) - 2.0 * step);
        if dev.abs() < MIN_REVERSAL_RAD {
            return;
        }
        let at = k - 1;
        if self.last_reversal_block.is_some_and(|r| at - r <= 3) {
            return;
        }
        // A reversal early in block k already turns block k's phase, so it is
        // seen one block too soon: block k - 1 then reads as wholly before it.
        // Wait for the next block, which places it inside block k.
        let place = reversal_place(xa, xb, xc, step, self.reversal_track);
        if place > 0.95 {
            return;
        }
        self.last_reversal_block = Some(at);
        let at_ms = (at as f64 + place) * BLOCK_MS;
        let interval = match &self.plan.plan.tones.iter().find(|t| t.name == ToneName::AnsPr).map(|t| &t.rule) {
            Some(Rule::Reversals { interval, .. }) => *interval,
            _ => return,
        };
        if let Some(run) = self.run.as_mut() {
            if run.band == ans {
                if run.reversals > 0 && interval.fits(at_ms - run.last_reversal_ms) {
                    run.reversal_ok = true;
                }
                run.reversals += 1;
                run.last_reversal_ms = at_ms;
            }
        }
    }

    fn ans_band(&self) -> Option<usize> {
        self.plan.plan.tones.iter().find_map(|t| match t.rule {
            Rule::Reversals { band, .. } => Some(band),
            _ => None,
        })
    }

    fn label_block(&mut self, j: u64, out: &mut Vec<ToneName>) {
        let nbands = self.plan.band_bins.len();
        let frame = self.frames[(j % 3) as usize];
        let mut label = if frame.energy < self.plan.min_energy { Label::Quiet } else { Label::Other };
        for b in 0..nbands {
            if self.pair_prev[b].ok || self.pair_cur[b].ok {
                label = Label::Tone(b);
                break;
            }
        }
        match label {
            Label::Tone(b) => {
                let interior = self.pair_prev[b].ok && self.pair_cur[b].ok;
                let freq = self.pair_cur[b].freq;
                self.tone_block(j, b, interior, frame.energy, freq, out);
            }
            Label::Quiet | Label::Other => {
                // An off-period may carry line noise, but not much: a block is
                // "loud" when it is within 10 dB of the last tone's level (speech
                // over a cadence), and an off-segment with too many is not valid.
                let other = (matches!(label, Label::Other) && frame.energy >= self.last_on_energy * OFF_MARGIN) as u64;
                if let Some(run) = self.run.as_mut() {
                    // The two blocks right after the run hold the tone's tail, if any.
                    if self.gap == 0 {
                        run.e_after = frame.energy;
                    } else if self.gap == 1 {
                        run.e_after2 = frame.energy;
                    }
                    self.gap += 1;
                    self.gap_other += other;
                    if self.gap > BRIDGE_BLOCKS {
                        self.close_run(None, out);
                    }
                } else {
                    self.off_other += other;
                }
                if self.run.is_none() {
                    self.check_open_off(j, out);
                }
            }
        }
    }

    /// Cadences completed by the off-period in progress (block `j` quiet):
    /// each tone is tried once, when the off-period reaches its minimum.
    fn check_open_off(&mut self, j: u64, out: &mut Vec<ToneName>) {
        let Some(from) = self.off_from else { return };
        let ms = (j + 1) as f64 * BLOCK_MS - self.off_end_ms;
        // The common case costs one comparison.
        if self.plan.open_thresholds.get(self.open_next).is_none_or(|&(thr, _)| ms < thr) {
            return;
        }
        let plan = self.plan.clone();
        let thresholds = &plan.open_thresholds;
        while self.open_next < thresholds.len() && ms >= thresholds[self.open_next].0 {
            let t = thresholds[self.open_next].1;
            self.open_next += 1;
            let blocks = j - from;
            let open = Segment { on: false, band: 0, ms, valid: self.off_other * 2 <= blocks, start_ms: self.off_end_ms };
            // After a break of the active tone's cadence, another tone is counted
            // from the break as from the stream's start.
            let origin = match self.active {
                Some(a) if a.tone != t => a.broken.map_or(f64::NEG_INFINITY, |b| b.at_ms),
                _ => f64::NEG_INFINITY,
            };
            if rules::history_matches(&self.history, Some(&open), &plan.plan.tones[t], origin) {
                let k = rules::window_len(&plan.plan.tones[t], true);
                let h = self.history.len();
                let first = if k >= 2 && h + 1 >= k { self.history[h + 1 - k].start_ms } else { open.start_ms };
                self.matched_at(t, from, first, out);
            }
        }
    }

    /// Magnitude of bin `bin` in block `j` (which must still be in the frame ring).
    fn mag(&self, j: u64, bin: u8) -> f32 {
        self.frames[(j % 3) as usize].bins[bin as usize].power().sqrt()
    }

    /// Start of a tone of `band` whose first block is `j` (ms), and, when the
    /// block before it is shared with the run still open (a tone of another
    /// band ending one block earlier), that run's share of it (fraction).
    fn run_start(&self, j: u64, band: usize) -> RunStart {
        let e = |b: u64| self.frames[(b % 3) as usize].energy;
        // j + 1 is the block just analysed; j - 1 is still in the ring.
        let full = e(j).max(e(j + 1));
        let first = filled(e(j), full);
        let bin = self.frames[(j % 3) as usize].best[band];
        let (before, prev_share) = match self.run {
            Some(r) if r.band != band && r.last + 1 == j => (0.0, Some(0.0)),
            Some(r) if r.band != band && r.last + 2 == j && bin.is_some() => {
                // One block between two tones: how much of it each fills, by
                // energy, split by each tone's bin relative to its full block.
                let s = j - 1;
                let full_prev = r.e_last.max(r.e_prev);
                let t = filled(e(s), 0.5 * (full + full_prev));
                let bin = bin.expect("checked");
                let ra = if r.mag_last > 0.0 { self.mag(s, r.bin_last) / r.mag_last } else { 0.0 };
                let full_b = self.mag(j, bin).max(self.mag(j + 1, bin));
                let rb = if full_b > 0.0 { self.mag(s, bin) / full_b } else { 0.0 };
                let share = if ra + rb > 0.0 { t * (ra / (ra + rb)) as f64 } else { 0.5 * t };
                (t - share, Some(share))
            }
            _ => (if j >= 1 { filled(e(j - 1), full) } else { 0.0 }, None),
        };
        // Otherwise the edge is placed precisely once block j + 2 is in (see
        // `resolve_start`): the energy of blocks j - 2 ..= j, but none that the
        // previous tone's end counts (it takes the two blocks after its last).
        // A tone still open (another band's, ending now) keeps only the block
        // after its last (see `tone_block`); one closed earlier kept two.
        let (pending, floor) = if prev_share.is_none() {
            let mut from = j.saturating_sub(2);
            let prev = match (self.run, self.off_from) {
                (Some(r), _) => {
                    from = from.max(r.last + 2);
                    Some(r.last)
                }
                (None, Some(l)) => {
                    from = from.max(l + 3);
                    Some(l)
                }
                _ => None,
            };
            let mut measured: f32 = (from..=j).map(|b| self.energies[(b % 8) as usize]).sum();
            // Take out the line noise, as measured on the quietest of the (up to
            // four) off-period blocks before the span: it adds to every sample.
            let floor = (from.saturating_sub(4)..from)
                .filter(|&b| prev.is_none_or(|l| b > l + 2))
                .map(|b| self.energies[(b % 8) as usize])
                .fold(f32::MAX, f32::min);
            let floor = (floor < f32::MAX).then_some(floor);
            if let Some(f) = floor {
                measured = (measured - f * (j + 1 - from) as f32).max(0.0);
            }
            (Some((measured, -((j + 1 - from) as i64) * BLOCK as i64)), floor)
        } else {
            (None, None)
        };
        ((j + 1) as f64 * BLOCK_MS - (first + before) * BLOCK_MS, prev_share, pending, floor)
    }

    /// Place the start of the run begun at block j = `j1 - 1` now that blocks
    /// j + 1 and j + 2 are in: the tone as fitted on them (frequency
    /// refined from the phase step between the two fits) is carried back until
    /// it has spent the energy measured before block j + 1. Then the off-segment
    /// before the run, which waited for this, is pushed.
    fn resolve_start(&mut self, j1: u64, band: usize, out: &mut Vec<ToneName>) {
        let Some(run) = self.run.as_mut() else { return };
        let Some((measured, lo)) = run.pending.take() else { return };
        // Block j1 must be the one right after the first (no drop-out between).
        let near = if self.pair_cur[band].ok { Some(self.pair_cur[band].freq) } else { self.pair_prev[band].ok.then_some(self.pair_prev[band].freq) };
        if let (true, Some(freq)) = (run.last + 1 == j1, near) {
            let fa = self.frames[(j1 % 3) as usize];
            let fb = self.frames[((j1 + 1) % 3) as usize];
            let refs = match (fa.best[band], self.pair_cur[band].ok.then_some(fb.best[band]).flatten()) {
                (Some(ia), Some(ib)) if ia == ib => Some((
                    EdgeRef { block: j1, bin: fa.bins[ia as usize], idx: ia, freq },
                    Some(EdgeRef { block: j1 + 1, bin: fb.bins[ib as usize], idx: ib, freq }),
                )),
                (Some(ia), _) => Some((EdgeRef { block: j1, bin: fa.bins[ia as usize], idx: ia, freq }, None)),
                _ => None,
            };
            if let Some((a, b)) = refs {
                let (c, w) = match b {
                    Some(b) => refined(&a, &b, &self.plan.tables).0,
                    None => a.model(&self.plan.tables),
                };
                let t = edge(c, w, lo, 0, measured as f64, true);
                run.start_ms = (j1 as f64 + t / BLOCK as f64) * BLOCK_MS;
            }
        }
        if let Some(valid) = run.pending_off.take() {
            let ms = run.start_ms - self.off_end_ms;
            self.push_segment(Segment { on: false, band: 0, ms, valid, start_ms: self.off_end_ms }, out);
        }
    }

    fn tone_block(&mut self, j: u64, band: usize, interior: bool, energy: f32, freq: f32, out: &mut Vec<ToneName>) {
        let same = self.run.is_some_and(|r| r.band == band);
        if !same {
            let (start_ms, prev_share, pending, floor) = self.run_start(j, band);
            if let Some(r) = self.run.as_mut() {
                // Two blocks between the tones: the second holds this tone's
                // head, not the other's tail.
                if r.last + 3 == j {
                    r.e_after2 = 0.0;
                }
            }
            if self.run.is_some() {
                self.close_run(prev_share, out);
            }
            // The off-segment between the previous on-segment and this one
            // (pushed once the start is placed when that waits).
            let mut pending_off = None;
            if let Some(from) = self.off_from {
                let blocks = j - from - 1;
                let valid = self.off_other * 2 <= blocks;
                if pending.is_some() {
                    pending_off = Some(valid);
                } else {
                    self.push_segment(Segment { on: false, band: 0, ms: start_ms - self.off_end_ms, valid, start_ms: self.off_end_ms }, out);
                }
            }
            self.run = Some(Run {
                band,
                last: j,
                start_ms,
                e_min: f32::MAX,
                e_max: 0.0,
                f_min: f32::MAX,
                f_max: f32::MIN,
                e_last: 0.0,
                e_prev: 0.0,
                e_after: 0.0,
                e_after2: 0.0,
                bin_last: 0,
                mag_last: 0.0,
                ref_last: None,
                ref_prev: None,
                ref_prev2: None,
                pending,
                pending_off: None,
                floor,
                reversals: 0,
                last_reversal_ms: 0.0,
                reversal_ok: false,
            });
            self.run.as_mut().expect("just set").pending_off = pending_off;
            self.open_next = usize::MAX;
        } else if self.run.is_some_and(|r| r.pending.is_some()) {
            self.resolve_start(j, band, out);
        }
        self.gap = 0;
        self.gap_other = 0;
        if !same {
            self.last_on_energy = 0.0;
        }
        self.last_on_energy = self.last_on_energy.max(energy);
        let best = self.frames[(j % 3) as usize].best[band];
        let mag = best.map(|b| self.mag(j, b));
        // The frequency around block j: from the pair after it, else the one before.
        let near = if self.pair_cur[band].ok { Some(self.pair_cur[band].freq) } else { self.pair_prev[band].ok.then_some(self.pair_prev[band].freq) };
        let edge_ref = match (best, near) {
            (Some(idx), Some(freq)) => Some(EdgeRef { block: j, bin: self.frames[(j % 3) as usize].bins[idx as usize], idx, freq }),
            _ => None,
        };
        let run = self.run.as_mut().expect("run just set");
        run.last = j;
        run.e_prev = run.e_last;
        run.e_last = energy;
        run.e_after = 0.0;
        run.e_after2 = 0.0;
        run.ref_prev2 = run.ref_prev;
        run.ref_prev = run.ref_last;
        run.ref_last = edge_ref;
        if let (Some(b), Some(m)) = (best, mag) {
            run.bin_last = b;
            run.mag_last = m;
        }
        if interior {
            run.e_min = run.e_min.min(energy);
            run.e_max = run.e_max.max(energy);
            run.f_min = run.f_min.min(freq);
            run.f_max = run.f_max.max(freq);
        }
        let run = *run;
        if let Some(a) = self.active.as_mut() {
            if self.plan.tone_bands[a.tone] & (1 << band) != 0 {
                a.last_tone_block = j;
            }
        }
        // Rules that look at a run in progress.
        let steady = !self.plan.plan.bands[band].steady || run.steady();
        for t in 0..self.plan.plan.tones.len() {
            let hit = match self.plan.plan.tones[t].rule {
                Rule::Continuous { band: b, min_ms } => b == band && steady && run.ms_so_far() >= min_ms,
                Rule::Plain { band: b, min_ms } => b == band && run.reversals == 0 && run.ms_so_far() >= min_ms,
                Rule::Reversals { band: b, .. } => b == band && run.reversal_ok,
                _ => false,
            };
            if hit {
                self.matched_run(t, &run, out);
            }
        }
    }

    /// Close the open run; `after` is its share of the following block when
    /// that block is shared with the next tone.
    fn close_run(&mut self, after: Option<f64>, out: &mut Vec<ToneName>) {
        if let Some(r) = self.run.as_mut() {
            // A run too short to place its start precisely keeps the first estimate.
            r.pending = None;
            if let Some(valid) = r.pending_off.take() {
                let ms = r.start_ms - self.off_end_ms;
                self.push_segment(Segment { on: false, band: 0, ms, valid, start_ms: self.off_end_ms }, out);
            }
        }
        let Some(run) = self.run.take() else { return };
        let steady = !self.plan.plan.bands[run.band].steady || run.steady();
        // The line noise as measured before the run (the blocks after it may
        // already hold the next tone).
        let end_ms = run.end_ms(after, run.floor, &self.plan.tables);
        self.push_segment(Segment { on: true, band: run.band, ms: end_ms - run.start_ms, valid: steady, start_ms: run.start_ms }, out);
        self.off_from = Some(run.last);
        self.off_end_ms = end_ms;
        self.off_other = self.gap_other;
        self.open_next = 0;
        self.gap = 0;
        self.gap_other = 0;
    }

    fn push_segment(&mut self, seg: Segment, out: &mut Vec<ToneName>) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(seg);
        // A segment that cannot be part of the active tone's pattern breaks its
        // cadence: from then on another tone may be recognised (counted from
        // the break) and takes over.
        if let Some(a) = self.active.as_mut() {
            if a.broken.is_none() && !rules::segment_belongs(&seg, &self.plan.plan.tones[a.tone], false) {
                a.broken = Some(Broken { at_ms: seg.start_ms, block: self.block });
            }
        }
        for t in 0..self.plan.plan.tones.len() {
            if rules::history_matches(&self.history, None, &self.plan.plan.tones[t], f64::NEG_INFINITY) {
                let k = rules::window_len(&self.plan.plan.tones[t], false);
                let first = self.history[self.history.len() - k].start_ms;
                self.matched(t, first, out);
            }
        }
    }

    /// The segment history (oldest first), for tests.
    #[cfg(test)]
    pub(crate) fn segments(&self) -> Vec<Segment> {
        self.history.iter().copied().collect()
    }

    fn matched(&mut self, tone: usize, first_ms: f64, out: &mut Vec<ToneName>) {
        self.matched_at(tone, self.block.saturating_sub(2), first_ms, out);
    }

    /// A rule over the run in progress matched. When another tone is active and
    /// this run cannot be one of its on-periods (too long, other band), the run's
    /// start breaks that tone's cadence.
    fn matched_run(&mut self, tone: usize, run: &Run, out: &mut Vec<ToneName>) {
        if let Some(a) = self.active.as_mut() {
            let seg = Segment { on: true, band: run.band, ms: run.ms_so_far(), valid: true, start_ms: run.start_ms };
            if a.tone != tone && a.broken.is_none() && !rules::segment_belongs(&seg, &self.plan.plan.tones[a.tone], true) {
                a.broken = Some(Broken { at_ms: run.start_ms, block: self.block });
            }
        }
        self.matched(tone, run.start_ms, out);
    }

    /// A match whose tone was last heard in block `heard` (an off-period in
    /// progress matches long after its tone stopped: that must not hold the
    /// occurrence open), over segments that began at `first_ms`.
    fn matched_at(&mut self, tone: usize, heard: u64, first_ms: f64, out: &mut Vec<ToneName>) {
        let now = self.block;
        match self.active.as_mut() {
            Some(a) if a.tone == tone => {
                a.last_match = now;
                a.last_tone_block = a.last_tone_block.max(heard);
                // The cadence holds again (a disturbed off-period, a drop-out).
                a.broken = None;
            }
            // Another tone's cadence is broken and this tone's pattern lies wholly
            // after the break: the old occurrence ended at the break.
            Some(a) if a.broken.is_some_and(|b| first_ms >= b.at_ms - BREAK_SLACK_MS) => {
                let b = a.broken.expect("checked");
                let old = self.plan.plan.tones[a.tone].name;
                let sample = ((b.at_ms * SAMPLE_RATE / 1000.0).round().max(0.0) as u64).max(a.start_sample);
                self.events.push(ToneEvent { name: old, kind: EventKind::End, sample });
                self.active = None;
                self.start(tone, heard, out);
            }
            Some(_) => {} // another tone's occurrence holds: report nothing else
            None => self.start(tone, heard, out),
        }
    }

    fn start(&mut self, tone: usize, heard: u64, out: &mut Vec<ToneName>) {
        let now = self.block;
        let name = self.plan.plan.tones[tone].name;
        let sample = now * BLOCK as u64;
        self.active = Some(Active { tone, last_match: now, last_tone_block: heard, start_sample: sample, broken: None });
        self.events.push(ToneEvent { name, kind: EventKind::Start, sample });
        out.push(name);
    }

    /// End the occurrence once the tone has been absent for 1.5 times its longest
    /// off-period, or its cadence has stopped matching for two whole cycles.
    fn check_end(&mut self, k: u64) {
        let Some(a) = self.active else { return };
        let spec = &self.plan.plan.tones[a.tone];
        let now = k + 1;
        let silent_ms = (now - a.last_tone_block) as f64 * BLOCK_MS;
        let unmatched_ms = (now - a.last_match) as f64 * BLOCK_MS;
        let over = match a.broken {
            // Broken: held while a tone that replaces it may still be recognised.
            Some(b) => (now - b.block) as f64 * BLOCK_MS > self.plan.successor_ms,
            None => silent_ms > 1.5 * spec.longest_off_ms() || unmatched_ms > 2.0 * rules::cycle_ms(spec),
        };
        if over {
            self.events.push(ToneEvent { name: spec.name, kind: EventKind::End, sample: now * BLOCK as u64 });
            self.active = None;
        }
    }
}
