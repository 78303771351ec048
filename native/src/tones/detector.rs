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
//! Output depends only on the sample stream, never on how it was chunked.

use super::analysis::{Bin, BinTables, BLOCK};
use super::rules::{self, Segment};
use super::sinefit::SineFit;
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
/// Duration bias of an on-segment measured in whole blocks: edge blocks count
/// only when at least 90 % filled, so runs come out about 8 ms short.
const ON_BIAS_MS: f64 = 8.0;
const HISTORY: usize = 16;
/// Off-period blocks count as speech-like when within this power ratio (10 dB)
/// of the preceding tone.
const OFF_MARGIN: f32 = 0.1;

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
                | Rule::Plain { band, .. }
                | Rule::Reversals { band, .. } => 1u16 << band,
                Rule::Sequence { bands, .. } => bands.iter().fold(0, |m, b| m | 1 << b),
            })
            .collect();
        let min_energy = (level::dbm0_to_power(Law::Alaw, MIN_LEVEL_DBM0) * BLOCK as f64) as f32;
        CompiledPlan { tables: BinTables::new(&freqs), plan, band_bins, tone_bands, min_energy }
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
    first: u64,
    last: u64,
    e_min: f32,
    e_max: f32,
    f_min: f32,
    f_max: f32,
    reversals: u32,
    last_reversal: u64,
    reversal_ok: bool,
}

impl Run {
    fn steady(&self) -> bool {
        self.e_max <= self.e_min * STEADY_ENERGY_RATIO && self.f_max - self.f_min <= STEADY_FREQ_SPREAD
            || self.e_max < self.e_min // no interior block seen yet
    }
    fn ms(&self) -> f64 {
        (self.last - self.first + 1) as f64 * BLOCK_MS + ON_BIAS_MS
    }
}

#[derive(Clone, Copy)]
struct Active {
    tone: usize,
    last_match: u64,
    last_tone_block: u64,
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

impl ToneDetector {
    pub fn new(plan: Arc<CompiledPlan>) -> Self {
        ToneDetector {
            plan,
            buf: [0.0; BLOCK],
            fill: 0,
            block: 0,
            frames: [Frame::default(); 3],
            pair_prev: [Pair::default(); MAX_BANDS],
            pair_cur: [Pair::default(); MAX_BANDS],
            reversal_track: 0.0,
            last_reversal_block: None,
            run: None,
            gap: 0,
            gap_other: 0,
            off_from: None,
            off_other: 0,
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
    /// frequency offset (tracked on clean pairs) is taken out.
    fn check_reversal(&mut self, k: u64) {
        let Some(ans) = self.ans_band() else { return };
        if self.pair_cur[ans].ok {
            self.reversal_track = self.pair_cur[ans].residual;
        }
        if k < 2 {
            return;
        }
        let a = self.frames[((k - 2) % 3) as usize];
        let c = self.frames[(k % 3) as usize];
        let (Some(ba), Some(bc)) = (a.best[ans], c.best[ans]) else { return };
        if ba != bc {
            return;
        }
        let i = bc as usize;
        let (xa, xc) = (a.bins[i], c.bins[i]);
        let re = xc.re * xa.re + xc.im * xa.im;
        let im = xc.im * xa.re - xc.re * xa.im;
        let expect = 2.0 * self.plan.tables.advance[i] as f32 + 2.0 * self.reversal_track;
        let dev = wrap(im.atan2(re) - expect);
        if dev.abs() < PI / 2.0 {
            return;
        }
        let at = k - 1;
        if self.last_reversal_block.is_some_and(|r| at - r <= 3) {
            return;
        }
        self.last_reversal_block = Some(at);
        let interval = match &self.plan.plan.tones.iter().find(|t| t.name == ToneName::AnsPr).map(|t| &t.rule) {
            Some(Rule::Reversals { interval, .. }) => *interval,
            _ => return,
        };
        if let Some(run) = self.run.as_mut() {
            if run.band == ans {
                if run.reversals > 0 && interval.fits((at - run.last_reversal) as f64 * BLOCK_MS) {
                    run.reversal_ok = true;
                }
                run.reversals += 1;
                run.last_reversal = at;
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
                if self.run.is_some() {
                    self.gap += 1;
                    self.gap_other += other;
                    if self.gap > BRIDGE_BLOCKS {
                        self.close_run(out);
                    }
                } else {
                    self.off_other += other;
                }
            }
        }
    }

    fn tone_block(&mut self, j: u64, band: usize, interior: bool, energy: f32, freq: f32, out: &mut Vec<ToneName>) {
        let same = self.run.is_some_and(|r| r.band == band);
        if !same {
            if self.run.is_some() {
                self.close_run(out);
            }
            // The off-segment between the previous on-segment and this one.
            if let Some(from) = self.off_from {
                let blocks = j - from - 1;
                let seg = Segment {
                    on: false,
                    band: 0,
                    ms: blocks as f64 * BLOCK_MS - ON_BIAS_MS,
                    valid: self.off_other * 2 <= blocks,
                };
                self.push_segment(seg, out);
            }
            self.run = Some(Run {
                band,
                first: j,
                last: j,
                e_min: f32::MAX,
                e_max: 0.0,
                f_min: f32::MAX,
                f_max: f32::MIN,
                reversals: 0,
                last_reversal: 0,
                reversal_ok: false,
            });
        }
        self.gap = 0;
        self.gap_other = 0;
        if !same {
            self.last_on_energy = 0.0;
        }
        self.last_on_energy = self.last_on_energy.max(energy);
        let run = self.run.as_mut().expect("run just set");
        run.last = j;
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
                Rule::Continuous { band: b, min_ms } => b == band && steady && run.ms() >= min_ms,
                Rule::Plain { band: b, min_ms } => b == band && run.reversals == 0 && run.ms() >= min_ms,
                Rule::Reversals { band: b, .. } => b == band && run.reversal_ok,
                _ => false,
            };
            if hit {
                self.matched(t, out);
            }
        }
    }

    fn close_run(&mut self, out: &mut Vec<ToneName>) {
        let Some(run) = self.run.take() else { return };
        let steady = !self.plan.plan.bands[run.band].steady || run.steady();
        self.push_segment(Segment { on: true, band: run.band, ms: run.ms(), valid: steady }, out);
        self.off_from = Some(run.last);
        self.off_other = self.gap_other;
        self.gap = 0;
        self.gap_other = 0;
    }

    fn push_segment(&mut self, seg: Segment, out: &mut Vec<ToneName>) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(seg);
        for t in 0..self.plan.plan.tones.len() {
            if rules::history_matches(&self.history, &self.plan.plan.tones[t]) {
                self.matched(t, out);
            }
        }
    }

    fn matched(&mut self, tone: usize, out: &mut Vec<ToneName>) {
        let now = self.block;
        match self.active.as_mut() {
            Some(a) if a.tone == tone => {
                a.last_match = now;
                a.last_tone_block = a.last_tone_block.max(now.saturating_sub(2));
            }
            Some(_) => {} // another tone's occurrence holds: report nothing else
            None => {
                let name = self.plan.plan.tones[tone].name;
                self.active = Some(Active { tone, last_match: now, last_tone_block: now.saturating_sub(2) });
                self.events.push(ToneEvent { name, kind: EventKind::Start, sample: now * BLOCK as u64 });
                out.push(name);
            }
        }
    }

    /// End the occurrence once the tone has been absent for 1.5 times its longest
    /// off-period, or its cadence has stopped matching for two whole cycles.
    fn check_end(&mut self, k: u64) {
        let Some(a) = self.active else { return };
        let spec = &self.plan.plan.tones[a.tone];
        let now = k + 1;
        let silent_ms = (now - a.last_tone_block) as f64 * BLOCK_MS;
        let unmatched_ms = (now - a.last_match) as f64 * BLOCK_MS;
        if silent_ms > 1.5 * spec.longest_off_ms() || unmatched_ms > 2.0 * rules::cycle_ms(spec) {
            self.events.push(ToneEvent { name: spec.name, kind: EventKind::End, sample: now * BLOCK as u64 });
            self.active = None;
        }
    }
}
