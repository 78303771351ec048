//! One channel of the line echo canceller: high-pass inputs, bulk-delay finder
//! and least-squares search, short NLMS filter, double-talk detection, NLP with
//! comfort noise, and the tone disabler.

use super::comfort_noise::{Background, ComfortNoise};
use super::delay::{Search, RIDGE_FIRST, RIDGE_SUB, RIDGE_TRACK, SUB_TAPS};
use super::disabler::{Mode, ToneDisabler};
use super::filter::{Highpass, History, ShortFilter};
use super::nlp::Nlp;
use super::simd::{self, Kernel};
use crate::common::level::dbm0_to_power;
use crate::common::Law;

/// Echo path capacities accepted (G.168 clause 3: declared tail, ms).
pub const TAIL_MS: [usize; 4] = [16, 32, 64, 128];

/// Length of the short filter. The G.168 Annex D models D.2-D.9 have all their
/// significant taps (above 1 % of the peak) within 115 lags; 160 leaves margin
/// for the placement error of the delay finder.
pub const SHORT_TAPS: usize = 160;

/// Far end counts as active above this level (G.168 tests use -30 dBm0 and up;
/// low-level Rin noise, e.g. -55 dBm0, must not drive adaptation).
const FAR_ACTIVE_DBM0: f64 = -45.0;
/// NLMS step once the least-squares search has placed the filter: small, so
/// that it only tracks slow drift and cannot undo the LS solution in a burst.
const MU: f32 = 0.1;
/// Power smoothing: 2 ms for the double-talk onset, 16 ms for decisions,
/// 32 ms for the path-change detector.
const ONSET: f32 = 1.0 / 16.0;
const FAST: f32 = 1.0 / 128.0;
const SLOW: f32 = 1.0 / 256.0;
/// 1 ms: the output choice of a first search (see `sample`).
const SELECT: f32 = 1.0 / 8.0;
/// Double talk: residual 6 dB above its usual share of Sin (tracked while
/// adapting), but never less than 10 dB below Sin. WHY adaptive: a converged
/// canceller leaves ~35 dB; near-end speech 10-30 dB below the echo already
/// disturbs NLMS, and a fixed 10 dB threshold lets those syllables through.
const DT_RATIO: f32 = 0.1;
const DT_MARGIN: f32 = 4.0;
const DT_FLOOR: f32 = 1.0e-3;
/// Hold adaptation frozen 30 ms after double talk ends.
const DT_HANG: u32 = 240;
/// A search restarts when the residual stays within 10 dB of Sin for 20 ms of
/// far-end speech (counted leakily, so a residual hovering near the threshold
/// still triggers). WHY 10 dB, the double-talk threshold: a filter between 3
/// and 10 dB is treated as double talk and NLMS stays frozen, so only a search
/// can get it out (e.g. after a first convergence spoilt by double talk).
const CHANGE_RATIO: f32 = 0.1;
const CHANGE_SAMPLES: u32 = 160;
/// Solve every 1 ms of far-end speech for the first 250 ms (once Sin holds
/// echo), every 20 ms to 500 ms, every 100 ms later; stop after 1.5 s at most
/// (earlier once the candidates stop improving on the running filter). WHY so
/// often at first: the early target (20 dB over 150-500 ms) leaves a few tens
/// of ms for the echo of a path at the end of the tail, and each candidate
/// runs one interval as a shadow before it is used, so the interval is the
/// lag of the filter behind the data. On the end-of-tail CSS cases every
/// 5 ms / 2.5 ms / 1.25 ms measured 17.2 / 19.7 / 22.0 dB (D.2, ERL 12,
/// -30 dBm0) and 10.6 / 14.0 / 12.7 dB (D.4, ERL 20, -30 dBm0); with the
/// shadow's residual used for Sout, 1 ms rather than 1.25 takes D.8 (ERL 12,
/// -30 dBm0) from 20.0 to 20.3 dB. Cost: about
/// up to 250 solves of 116 (and the 96 inside them, from the same factor)
/// taps per call start (~0.5 Mflop each), none in steady state; fewer once the
/// filter is placed and stable (see [`STALL_RUN`]): on the benchmark's
/// speech, 39.7 -> 24.4 ms of CPU per channel over a call's first 3 s.
const SOLVE_FIRST: usize = 8;
const FIRST_UNTIL: usize = 2000;
/// Once the filter is placed and STALL_RUN candidates in a row did not win,
/// the 1 ms solves pause (one every 20 ms) until the filter's residual since
/// the last solve rises NEW_ECHO times above its level over that run, both
/// per sample and as a share of Sin (new echo the filter does not explain).
const STALL_RUN: u32 = 4;
const NEW_ECHO: f64 = 4.0;
/// ... counting only intervals in which the filter took 10 dB off Sin.
const STALL_ERLE: f64 = 0.2;
const SOLVE_EARLY: usize = 160;
const SOLVE_LATE: usize = 800;
const EARLY_UNTIL: usize = 4000;
const SEARCH_FAR_SAMPLES: usize = 12000;
/// A search started by a converged filter (path change or double talk) ends
/// after 500 ms of far-end speech: a real path change is found within ~100 ms.
const TRACK_FAR_SAMPLES: usize = 4000;
const MAX_SEARCH_SAMPLES: usize = 80_000;
/// After 5 s of far-end speech without a new filter, a refinement search runs
/// (as a tracking search: it replaces the filter only if 6 dB better). WHY:
/// NLMS on speech is slow, so a filter first fitted during double talk would
/// otherwise stay some 10 dB short of what the line allows.
const REFINE_FAR_SAMPLES: usize = 40_000;
/// A search ends after two candidates that were not even 1 dB better than
/// the running filter (for a first search, only after its first 500 ms).
const TRACK_NO_GAIN: f64 = 0.8;
/// Each failed tracking search doubles the evidence needed for the next, up
/// to 2^3 x 20 ms = 160 ms of far-end speech.
const MAX_BACKOFF: u32 = 3;
const TRACK_MAX_FAILS: u32 = 2;
const TRACK_MIN_FAR_SAMPLES: usize = 1600;
/// A candidate from the search first runs as a shadow filter until the next
/// solve; it replaces the running filter if its residual on those new samples
/// (not the ones it was fitted on, where 160 taps can fit anything) was 1.5 dB
/// lower. During double talk both residuals are the near-end speech, so a
/// search triggered by it changes nothing.
const PROMOTE_RATIO: f64 = 0.7;
/// Once converged, a search (path change or double talk) validates each
/// candidate over 20 ms and needs it 6 dB better: a real path change leaves
/// the old filter at ~0 dB and the new one at 20 dB or more, while during
/// double talk a candidate fitted partly to the near-end speech sometimes wins
/// a short interval by a few dB.
const PROMOTE_RATIO_TRACKING: f64 = 0.25;
/// ... and only if the shadow itself took at least 10 dB off Sin over those
/// samples. WHY: near-end speech can be partly predictable from Rin (G.168's
/// CSS uses the same voiced waveform both ways); a filter that "cancels" some
/// of it must not replace the echo model during double talk.
const PROMOTE_MIN_ERLE: f64 = 0.1;
/// In a first search, 3 dB is enough. WHY: when the echo of a broadband sound
/// follows that of a voiced one, the filter fitted on the voiced echo can be
/// worse than none, and the first candidates that include a few ms of the new
/// echo take 3-10 dB off Sin: better than passing Sin. (D.8, ERL 20, -20 dBm0
/// at the end of the tail: 17.7 -> 19.7 dB over 150-500 ms.)
const PROMOTE_MIN_ERLE_FIRST: f64 = 0.5;
/// A tracking candidate taking 15 dB off Sin is promoted at once (a new path
/// found); between 10 and 15 dB it must win a second interval too (during
/// double talk a candidate fitted partly to the near-end speech, e.g. the CSS
/// voiced part that both directions share, can win one interval).
const PROMOTE_CLEAR_ERLE: f64 = 0.0316;

/// Construction options.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub tail_ms: usize,
    pub nlp: bool,
    /// Use the portable scalar kernels even if the CPU has AVX2+FMA.
    pub force_scalar: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self { tail_ms: 128, nlp: true, force_scalar: false }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct BadTail(pub usize);

/// An event: name and the index (from creation or reset) of the sample at
/// which it took effect.
pub type Event = (&'static str, u64);

/// What Sout carries during a first search (see `sample`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    Sin,
    Filter,
    Shadow,
}

#[derive(Clone, Debug)]
pub struct EchoCanceller {
    cfg: Config,
    kernel: Kernel,
    hp_sin: Highpass,
    hp_rin: Highpass,
    hist: History,
    filter: ShortFilter,
    search: Search,
    searching: bool,
    far_in_search: usize,
    next_solve: usize,
    shadow: ShortFilter,
    shadow_valid: bool,
    shadow_err: f64,
    fg_err: f64,
    /// The shadow's latest residual and its 2 ms power (first search: Sout
    /// takes it when it is the least of the three, see `sample`).
    es: f32,
    /// 1 ms powers of Sin, the filter's and the shadow's residuals (first search).
    q_sin: f32,
    q_fg: f32,
    q_sh: f32,
    pick: Pick,
    /// Samples in the shadow's interval.
    interval_n: f64,
    /// First search, 1 ms phase: judged intervals in a row whose shadow did
    /// not win, the far-end sample count at the last solve, and the filter's
    /// residual, Sin and samples summed over that run (see [`STALL_RUN`]).
    stall_run: u32,
    last_solve_far: usize,
    stall_err: f64,
    stall_sin: f64,
    stall_n: f64,
    interval_sin: f64,
    /// Sin energy accumulated since the last solve, and the least worth solving for.
    sin_since_solve: f64,
    silent_sin: f64,
    converged: bool,
    /// The running search was started by a filter that was already converged.
    tracking: bool,
    promoted_in_search: bool,
    track_fails: u32,
    /// The shadow won its first interval of a tracking search and is on trial for a second.
    pending: bool,
    /// Far-end samples since the filter was last replaced or refined.
    far_since_search: usize,
    change_count: u32,
    /// Failed tracking searches in a row (each doubles the evidence needed for
    /// the next, so steady near-end noise cannot keep a search running).
    backoff: u32,
    // Short-term powers.
    p_rin: f32,
    p_sin: f32,
    p_err: f32,
    p_sin_slow: f32,
    p_sin_onset: f32,
    p_err_onset: f32,
    p_err_slow: f32,
    far_hang: u32,
    /// Usual residual/Sin power ratio while adapting (for the double-talk test).
    residual_share: f32,
    // Short-term autocorrelation of Rin at lags 0..2 (narrow-band detector).
    ac: [f32; 3],
    dt_hang: u32,
    far_threshold: f32,
    nlp: Nlp,
    background: Background,
    cng: ComfortNoise,
    disabler: ToneDisabler,
    events: Vec<Event>,
    n: u64,
    resync_in: u32,
}

impl EchoCanceller {
    pub fn new(cfg: Config) -> Result<Self, BadTail> {
        if !TAIL_MS.contains(&cfg.tail_ms) {
            return Err(BadTail(cfg.tail_ms));
        }
        let tail = cfg.tail_ms * 8;
        let n = SHORT_TAPS.min(tail);
        let kernel = if cfg.force_scalar { Kernel::Scalar } else { simd::best() };
        Ok(Self {
            cfg,
            kernel,
            hp_sin: Highpass::new(),
            hp_rin: Highpass::new(),
            // One extra lag so the window power can drop the sample leaving it.
            hist: History::new(tail + 1),
            filter: ShortFilter::new(n),
            search: Search::new(tail, n),
            searching: true,
            far_in_search: 0,
            next_solve: SOLVE_FIRST,
            shadow: ShortFilter::new(n),
            shadow_valid: false,
            shadow_err: 0.0,
            fg_err: 0.0,
            es: 0.0,
            q_sin: 0.0,
            q_fg: 0.0,
            q_sh: 0.0,
            pick: Pick::Sin,
            interval_n: 0.0,
            stall_run: 0,
            last_solve_far: 0,
            stall_err: 0.0,
            stall_sin: 0.0,
            stall_n: 0.0,
            interval_sin: 0.0,
            sin_since_solve: 0.0,
            // -65 dBm0 on average: below it Sin holds no echo worth a solve.
            silent_sin: dbm0_to_power(Law::Alaw, -65.0),
            converged: false,
            tracking: false,
            promoted_in_search: false,
            track_fails: 0,
            pending: false,
            far_since_search: 0,
            change_count: 0,
            backoff: 0,
            p_rin: 0.0,
            p_sin: 0.0,
            p_err: 0.0,
            p_sin_slow: 0.0,
            p_sin_onset: 0.0,
            p_err_onset: 0.0,
            p_err_slow: 0.0,
            far_hang: 0,
            residual_share: DT_RATIO,
            ac: [0.0; 3],
            dt_hang: 0,
            far_threshold: dbm0_to_power(Law::Alaw, FAR_ACTIVE_DBM0) as f32,
            nlp: Nlp::new(),
            background: Background::new(),
            cng: ComfortNoise::new(0x5EED),
            disabler: ToneDisabler::new(),
            events: Vec::new(),
            n: 0,
            resync_in: 4096,
        })
    }

    pub fn config(&self) -> Config {
        self.cfg
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Back to the state after construction (a new call).
    pub fn reset(&mut self) {
        let events = std::mem::take(&mut self.events);
        *self = Self::new(self.cfg).expect("config was valid");
        // Keep the allocation of the event list; its content belongs to the old call.
        self.events = events;
        self.events.clear();
    }

    /// Drain the events since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Bytes of state of this channel: the struct and its heap buffers.
    pub fn state_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.hist.heap_bytes()
            + self.filter.heap_bytes()
            + self.shadow.heap_bytes()
            + self.search.heap_bytes()
            + self.events.capacity() * std::mem::size_of::<Event>()
    }

    /// Whether the canceller has placed its filter on an echo path.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// Current filter offset (bulk delay, samples) and taps, for tests.
    pub fn filter(&self) -> (usize, &[f32]) {
        (self.filter.offset, &self.filter.taps)
    }

    /// Process `sin` and `rin` (equal lengths) into `out` (Sout), sample for sample.
    pub fn process(&mut self, sin: &[i16], rin: &[i16], out: &mut [i16]) {
        let n = sin.len().min(rin.len()).min(out.len());
        for i in 0..n {
            out[i] = self.sample(sin[i], rin[i]);
        }
    }

    #[inline]
    fn sample(&mut self, sin_raw: i16, rin_raw: i16) -> i16 {
        let k = self.kernel;
        if let Some(mode) = self.disabler.push(sin_raw as f32, rin_raw as f32) {
            self.events.push((mode.event_name(), self.n));
        }
        let mode = self.disabler.mode();
        self.n += 1;

        let x = self.hp_rin.run(rin_raw as f32);
        let s = self.hp_sin.run(sin_raw as f32);
        self.hist.push(x);
        self.filter.track(&self.hist);
        self.resync_in -= 1;
        if self.resync_in == 0 {
            self.filter.resync(&self.hist);
            self.resync_in = 4096;
        }
        if mode == Mode::Bypass {
            return sin_raw;
        }

        let e = s - self.filter.predict(k, &self.hist);

        self.p_rin += (x * x - self.p_rin) * FAST;
        let (x1, x2) = (self.hist.lag(1), self.hist.lag(2));
        self.ac[0] += (x * x - self.ac[0]) * SLOW;
        self.ac[1] += (x * x1 - self.ac[1]) * SLOW;
        self.ac[2] += (x * x2 - self.ac[2]) * SLOW;
        self.p_sin += (s * s - self.p_sin) * FAST;
        self.p_err += (e * e - self.p_err) * FAST;
        self.p_sin_slow += (s * s - self.p_sin_slow) * SLOW;
        self.p_sin_onset += (s * s - self.p_sin_onset) * ONSET;
        self.p_err_onset += (e * e - self.p_err_onset) * ONSET;
        self.p_err_slow += (e * e - self.p_err_slow) * SLOW;
        // Rin under the filter 20 dB below the activity threshold: no echo now.
        let echo_free = self.filter.mean_power() < 0.01 * self.far_threshold;
        self.background.update(e, echo_free);

        // The echo of Rin lasts the whole tail after Rin stops.
        if self.p_rin > self.far_threshold {
            self.far_hang = self.hist.len() as u32 + 160;
        } else if self.far_hang > 0 {
            self.far_hang -= 1;
        }
        let far_active = self.far_hang > 0;
        // Rin energy under the filter itself decides whether adapting is useful.
        let excited = self.filter.mean_power() > self.far_threshold;

        let dt_ratio = (DT_MARGIN * self.residual_share).clamp(DT_FLOOR, DT_RATIO);
        if self.p_err > dt_ratio * self.p_sin || self.p_err_onset > dt_ratio * self.p_sin_onset {
            self.dt_hang = DT_HANG;
        } else if self.dt_hang > 0 {
            self.dt_hang -= 1;
        }
        let frozen = mode != Mode::Normal;

        if !frozen {
            if self.converged && excited && self.dt_hang == 0 && !self.narrow_band() {
                self.filter.adapt(k, &self.hist, e, MU);
                if self.p_sin_slow > 0.0 {
                    let share = self.p_err_slow / self.p_sin_slow;
                    self.residual_share += (share - self.residual_share) * (1.0 / 2000.0);
                }
            }
            self.run_search(s, e, excited, far_active);
        }

        // During the first search a filter fitted to the few echo samples so
        // far (often only the voiced part of speech) can add more than it
        // removes when the excitation changes, while the newest candidate,
        // still on trial as the shadow, is fitted on 1 ms more echo: Sout
        // takes whichever of Sin, the running filter's residual and the
        // shadow's residual had the least power over the 1 ms up to the
        // previous sample (a new shadow starts at a quarter of the filter's
        // power, i.e. it is preferred until its own residual says otherwise).
        // WHY: at the onset of the first broadband echo each solve adds much,
        // and the shadow's trial is the lag of the running filter behind the
        // data. End-of-tail CSS, 150-500 ms: D.8 ERL 12 -30 dBm0 18.4 -> 20.3
        // dB (with solves every 1 ms rather than 1.25: 20.0 without), the
        // other eight cases of the convergence test's table gain 1.1-2.6 dB.
        // (Adaptation and the shadow's judgement still see `e`.)
        let first = self.searching && !self.tracking;
        let e = if first {
            // The choice made on the powers up to the previous sample.
            let out = match self.pick {
                Pick::Filter => e,
                Pick::Shadow if self.shadow_valid => self.es,
                _ => s,
            };
            self.q_sin += (s * s - self.q_sin) * SELECT;
            self.q_fg += (e * e - self.q_fg) * SELECT;
            let mut best = (self.q_sin, Pick::Sin);
            if self.q_fg < best.0 {
                best = (self.q_fg, Pick::Filter);
            }
            if self.shadow_valid && self.q_sh <= best.0 {
                best = (self.q_sh, Pick::Shadow);
            }
            self.pick = best.1;
            out
        } else {
            e
        };
        let out = if self.cfg.nlp && mode == Mode::Normal {
            let bg = self.background.power();
            if self.converged && self.nlp.decide(far_active, self.p_err, self.p_sin, bg) {
                self.cng.sample(bg)
            } else {
                e
            }
        } else {
            e
        };
        out.round().clamp(-32768.0, 32767.0) as i16
    }

    /// Rin is a single tone (or nearly): an order-2 linear predictor removes
    /// more than 25 dB of it. WHY: on a tone the residual of a filter trained
    /// on speech may be large (the filter never saw that frequency), yet any
    /// new solution fitted to it knows nothing of the other frequencies. G.168
    /// test 6 requires speech performance to survive 5 s of such tones, so
    /// tones neither start a search nor replace the filter.
    #[inline]
    fn narrow_band(&self) -> bool {
        let [r0, r1, r2] = self.ac;
        if r0 <= 0.0 {
            return false;
        }
        let a1 = r1 / r0;
        let e1 = r0 * (1.0 - a1 * a1);
        if e1 <= 1e-6 * r0 {
            return true;
        }
        let k2 = (r2 - a1 * r1) / e1;
        let e2 = e1 * (1.0 - k2 * k2);
        e2 < 0.003_162 * r0
    }

    #[inline]
    fn run_search(&mut self, s: f32, e: f32, excited: bool, far_active: bool) {
        if !self.searching {
            // Restart when the residual stays close to Sin while Rin is active:
            // the path changed (or double talk, which the acceptance test rejects).
            // Count far-end samples whose residual stays high; samples without
            // far-end speech neither count nor reset.
            if excited && !(self.converged && self.narrow_band()) {
                self.far_since_search += 1;
                if self.converged && self.far_since_search >= REFINE_FAR_SAMPLES {
                    self.far_since_search = 0;
                    self.start_search();
                    return;
                }
                if !self.converged || self.p_err_slow > CHANGE_RATIO * self.p_sin_slow {
                    self.change_count += 1;
                    if self.change_count >= CHANGE_SAMPLES << self.backoff {
                        self.start_search();
                    }
                } else {
                    self.change_count = self.change_count.saturating_sub(2);
                }
            }
            return;
        }
        // A search begins with the first far-end activity: until then the O(tail)
        // accumulation is skipped (an idle channel costs almost nothing). Once
        // begun it runs on every sample, as the sums must be contiguous.
        if self.search.samples == 0 {
            if !far_active {
                return;
            }
            self.search.restart(&self.hist);
        }
        self.search.accumulate(self.kernel, s, &self.hist);
        if self.shadow_valid {
            let es = s - self.shadow.predict(self.kernel, &self.hist);
            self.es = es;
            self.q_sh += (es * es - self.q_sh) * SELECT;
            self.shadow_err += es as f64 * es as f64;
            self.fg_err += e as f64 * e as f64;
            self.interval_sin += s as f64 * s as f64;
            self.interval_n += 1.0;
        }
        if excited {
            self.far_in_search += 1;
        }
        // End a search that ran 10 s without enough far-end speech (a channel
        // with only low-level Rin): the O(tail) accumulation is not free, and
        // the next far-end speech starts a new search.
        if self.search.samples >= MAX_SEARCH_SAMPLES {
            self.end_search();
            return;
        }
        self.sin_since_solve += s as f64 * s as f64;
        if self.far_in_search < self.next_solve {
            return;
        }
        let interval = if self.far_in_search < FIRST_UNTIL && !self.tracking { SOLVE_FIRST } else { SOLVE_EARLY };
        if self.sin_since_solve < self.silent_sin * interval as f64 {
            // No echo yet (a path at the end of the tail, or a silent line):
            // a solve would learn nothing new.
            self.next_solve += SOLVE_FIRST;
            return;
        }
        let fast = self.far_in_search < FIRST_UNTIL && !self.tracking;
        if fast && self.stall_run >= STALL_RUN && self.shadow_valid {
            // The filter is placed and the candidates stopped winning: solve
            // again only when new echo arrived, i.e. the filter's residual
            // since the last solve is well above its level over the stalled
            // run, both absolutely and as a share of Sin; else every 20 ms.
            let new_echo = (self.fg_err * self.stall_n > NEW_ECHO * self.stall_err * self.interval_n
                && self.fg_err * self.stall_sin > NEW_ECHO * self.stall_err * self.interval_sin)
                || self.fg_err > STALL_ERLE * self.interval_sin;
            if new_echo {
                self.stall_run = 0;
            } else if self.far_in_search < self.last_solve_far + SOLVE_EARLY {
                self.next_solve += SOLVE_FIRST;
                return;
            }
        }
        self.last_solve_far = self.far_in_search;
        self.sin_since_solve = 0.0;
        self.next_solve += if self.far_in_search < FIRST_UNTIL && !self.tracking {
            SOLVE_FIRST
        } else if self.far_in_search < EARLY_UNTIL {
            SOLVE_EARLY
        } else {
            SOLVE_LATE
        };
        // Judge the shadow on the samples since it was made.
        let judged = self.shadow_valid && self.interval_sin > 0.0;
        let wins = judged
            && !(self.tracking && self.narrow_band())
            && self.shadow_err < if self.tracking { PROMOTE_RATIO_TRACKING } else { PROMOTE_RATIO } * self.fg_err
            && self.shadow_err < if self.tracking { PROMOTE_MIN_ERLE } else { PROMOTE_MIN_ERLE_FIRST } * self.interval_sin;
        let clear_win = self.shadow_err < PROMOTE_CLEAR_ERLE * self.interval_sin;
        if fast && judged {
            if self.converged && !wins && self.fg_err < STALL_ERLE * self.interval_sin {
                if self.stall_run == 0 {
                    self.stall_err = 0.0;
                    self.stall_sin = 0.0;
                    self.stall_n = 0.0;
                }
                self.stall_run += 1;
                self.stall_err += self.fg_err;
                self.stall_sin += self.interval_sin;
                self.stall_n += self.interval_n;
            } else {
                self.stall_run = 0;
            }
        }
        if wins && self.tracking && !self.pending && !clear_win {
            // Once converged, a candidate that is not a clear win must win two
            // intervals in a row: keep it as the shadow for one more interval
            // instead of solving anew.
            self.pending = true;
            self.shadow_err = 0.0;
            self.fg_err = 0.0;
            self.interval_sin = 0.0;
            self.interval_n = 0.0;
            return;
        }
        self.pending = false;
        if wins {
            self.filter.taps.copy_from_slice(&self.shadow.taps);
            self.filter.offset = self.shadow.offset;
            self.filter.resync(&self.hist);
            self.q_fg = self.q_sh;
            self.converged = true;
            self.promoted_in_search = true;
            self.far_since_search = 0;
        } else if judged {
            // A tracking search whose candidates are no better than the running
            // filter (near-end speech or noise, not a new path) ends early; so
            // does a first search, once past its first 500 ms, whose candidates
            // stopped improving on the filter it already placed.
            // (A tracking search judges only once it has 200 ms of data: its
            // first candidates, from fewer samples than taps, are poor.)
            let stalled = if self.tracking {
                !self.promoted_in_search && self.far_in_search >= TRACK_MIN_FAR_SAMPLES
            } else {
                self.converged && self.far_in_search >= EARLY_UNTIL
            };
            if stalled && self.shadow_err > TRACK_NO_GAIN * self.fg_err {
                self.track_fails += 1;
                if self.track_fails >= TRACK_MAX_FAILS {
                    self.end_search();
                    return;
                }
            }
        }
        let n = self.filter.taps.len();
        let shadow = &mut self.shadow;
        let prior = (self.filter.offset, &self.filter.taps[..]);
        // A first search fits the short sub-window for its first 250 ms.
        let m = if !self.tracking && self.far_in_search < FIRST_UNTIL { SUB_TAPS } else { n };
        let ridge = if m < n {
            RIDGE_SUB
        } else if self.converged {
            RIDGE_TRACK
        } else {
            RIDGE_FIRST
        };
        let made = self.search.solve(self.kernel, &self.hist, n, m, prior, ridge, |sol, taps| {
            shadow.taps.copy_from_slice(taps);
            shadow.offset = sol.offset;
        });
        if made.is_some() {
            self.q_sh = 0.25 * self.q_fg;
            self.shadow_valid = true;
            self.shadow_err = 0.0;
            self.fg_err = 0.0;
            self.interval_sin = 0.0;
            self.interval_n = 0.0;
        }
        let limit = if self.tracking { TRACK_FAR_SAMPLES } else { SEARCH_FAR_SAMPLES };
        if self.far_in_search >= limit {
            self.end_search();
        }
    }

    fn end_search(&mut self) {
        if self.tracking && !self.promoted_in_search {
            self.backoff = (self.backoff + 1).min(MAX_BACKOFF);
        } else {
            self.backoff = 0;
        }
        self.searching = false;
        self.shadow_valid = false;
        self.change_count = 0;
    }

    fn start_search(&mut self) {
        self.search.restart(&self.hist);
        self.searching = true;
        self.tracking = self.converged;
        self.promoted_in_search = false;
        self.track_fails = 0;
        self.pending = false;
        self.far_in_search = 0;
        self.next_solve = if self.converged { SOLVE_EARLY } else { SOLVE_FIRST };
        self.shadow_valid = false;
        self.change_count = 0;
        self.stall_run = 0;
    }
}
