//! The bulk-delay finder and block least-squares estimator that place and fill
//! the short filter.
//!
//! During a search (after reset, or when the residual says the path changed) we
//! accumulate, over every sample since the search started:
//!   * C[j]  = sum s[n] x[n-j] for every lag of the tail (cross-correlation), and
//!   * r0[k] = sum x[n] x[n-k] for the first N lags (autocorrelation),
//! O(tail + N) per sample. At intervals we
//!   1. locate the echo: the N-tap window holding most energy of the
//!      pre-whitened cross-correlation (whitening sharpens the speech peaks);
//!   2. build the exact covariance matrix of that window from r0 plus edge
//!      corrections (the far-end samples from before the search start are kept
//!      in `pre`, the latest ones are in the history), and
//!   3. solve the normal equations by Cholesky.
//! WHY least squares rather than NLMS: LS needs only about 2N samples of
//! excitation whatever the colour of the speech, where NLMS on speech takes
//! seconds; it is what makes 20 dB within 150 ms possible.

use super::filter::History;
use super::simd::Kernel;
use std::cell::RefCell;

/// Pre-whitening coefficient of the first-order filter (1 - a z^-1) applied to
/// both sides of the correlation when locating the echo; speech energy falls
/// by roughly 6 dB/octave, which this flattens.
const WHITEN: f64 = 0.9;

/// Relative Tikhonov regularisation of the normal equations (keeps the solve
/// finite on narrow-band excitation such as the CSS voiced part): light for a
/// first convergence, heavier once a filter exists, so that directions Rin
/// excites only through its coding noise (a tone's other frequencies) keep
/// the running filter's values.
pub const RIDGE_FIRST: f64 = 1.0e-5;
pub const RIDGE_TRACK: f64 = 1.0e-5;
/// The sub-window solves of a first search use a heavier ridge (toward the
/// running filter, zero at first): they start from a few ms of echo, often
/// only of a voiced sound (a few harmonics), and a light ridge lets the
/// unexcited directions take values that amplify the next, broadband, sound.
/// 3e-3 measured best of 3e-4, 1e-3, 3e-3, 1e-2 on the end-of-tail CSS
/// cases (1e-2 gains up to 4 dB on the weakest echo but costs up to 5 dB on
/// loud ones; 1e-1 costs up to 23 dB).
pub const RIDGE_SUB: f64 = 3.0e-3;

/// The first solves of a search fit only [`SUB_TAPS`] taps, from
/// [`SUB_SHIFT`] taps into the candidate window, i.e. lags peak - 28 ..
/// peak + 88 around the correlation peak (the window starts 40 before it).
/// WHY: the Annex D models have all their taps above 1 % of the peak between
/// 26 taps before and 86 after it, and a least-squares fit with fewer unknowns
/// needs fewer samples of echo for the same accuracy (its excess error grows
/// with unknowns / samples): with a path at the end of the tail the echo of
/// the CSS noise part starts inside the 150-500 ms window, and every
/// millisecond to convergence counts.
pub const SUB_TAPS: usize = 116;
pub const SUB_SHIFT: usize = 12;
const SUB_SHIFT_PEAK: usize = 28;
/// Beside each sub-window, a 96-tap one (peak - 20 .. peak + 76) is solved, and
/// of all the fits the one with the least final prediction error (Akaike 1969:
/// residual x (N + taps) / (N - taps) after N samples) is kept. WHY: the
/// shorter fit converges on fewer samples of echo for the paths it covers
/// (most of the Annex D models) while the longer one wins as soon as the data
/// shows the taps it adds are needed. End-of-tail CSS, 150-500 ms: D.8 ERL 20
/// -20 dBm0 19.7 -> 20.3 dB, D.5 ERL 12 -30 dBm0 20.7 -> 20.9 dB (80 taps
/// measured 19.5-20.0 and 19.8-19.9 dB).
const SMALL_TAPS: usize = 96;
const SMALL_SHIFT: usize = 8;

/// Accumulators of one search.
#[derive(Clone, Debug)]
pub struct Search {
    c: Vec<f32>,
    r0: Vec<f64>,
    pre: Vec<f32>,
    sum_ss: f64,
    /// Sum of the pre-whitened Rin power over the search (lag 0).
    sum_xw: f64,
    pub samples: usize,
}

/// A solution: window start, taps (in the shared scratch) and its in-sample
/// residual energy beside the Sin energy it was fitted on.
pub struct Solution {
    pub offset: usize,
    pub residual: f64,
    pub sin_energy: f64,
}

/// Workspace for the solve, shared by all channels of a thread (it is large,
/// N*N doubles, and only in use for a moment).
#[derive(Default)]
pub struct Scratch {
    r: Vec<f64>,
    p: Vec<f64>,
    wide_pre: Vec<f64>,
    wide_x: Vec<f64>,
    a: Vec<f64>,
    perm: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Search {
    pub fn new(tail: usize, n: usize) -> Self {
        Self { c: vec![0.0; tail], r0: vec![0.0; n], pre: vec![0.0; tail], sum_ss: 0.0, sum_xw: 0.0, samples: 0 }
    }

    /// Start afresh with the current sample (already at lag 0 of `hist`, not yet
    /// accumulated); the far-end samples before it are kept from `hist`.
    pub fn restart(&mut self, hist: &History) {
        self.c.iter_mut().for_each(|v| *v = 0.0);
        self.r0.iter_mut().for_each(|v| *v = 0.0);
        let tail = self.pre.len();
        self.pre.copy_from_slice(hist.lags(1, tail));
        self.sum_ss = 0.0;
        self.sum_xw = 0.0;
        self.samples = 0;
    }

    /// Add the current sample: `s` is Sin (filtered), `hist` already holds the
    /// current Rin sample at lag 0.
    #[inline]
    pub fn accumulate(&mut self, k: Kernel, s: f32, hist: &History) {
        let tail = self.c.len();
        k.axpy(s, hist.lags(0, tail), &mut self.c);
        let x0 = hist.lag(0) as f64;
        let nr = self.r0.len();
        for (r, &x) in self.r0.iter_mut().zip(hist.lags(0, nr)) {
            *r += x0 * x as f64;
        }
        self.sum_ss += s as f64 * s as f64;
        let xw = x0 - WHITEN * hist.lag(1) as f64;
        self.sum_xw += xw * xw;
        self.samples += 1;
    }

    /// Candidate window starts (0 ..= tail - n), best first: around the two
    /// strongest distinct peaks of the pre-whitened cross-correlation, and the
    /// window holding most of its energy. Each comes with the start of its
    /// [`SUB_TAPS`] sub-window (28 taps before the peak, kept inside the window).
    /// WHY several: on coloured or voiced speech the correlation is smeared by
    /// the far-end autocorrelation (and repeats at the pitch period), so any one
    /// rule sometimes lands off the echo; the least-squares residual decides.
    pub fn locate(&self, hist: &History, n: usize) -> Vec<(usize, usize)> {
        let tail = self.c.len();
        if n >= tail {
            return vec![(0, 0)];
        }
        let a = WHITEN;
        let c = |j: isize| if j < 0 || j as usize >= tail { 0.0 } else { self.c[j as usize] as f64 };
        // Score of lag j: the share of Sin a one-tap least-squares fit at that lag
        // explains, on pre-whitened signals: Cw(j)^2 / Exw(j), where Exw(j) is
        // the whitened Rin energy that lag j saw during the search. WHY the
        // normalisation: after whitening, a voiced far-end stretch is much
        // weaker than a noisy one, so raw correlation favours chance
        // alignments with noise over the true echo of a vowel.
        let pre = &self.pre;
        let pw = |u: usize| pre[u] as f64 - a * pre.get(u + 1).copied().unwrap_or(0.0) as f64;
        let hw = |u: usize| hist.lag(u) as f64 - a * hist.lag(u + 1) as f64;
        let floor = 1e-3 * self.sum_xw + 1.0;
        let mut exw = self.sum_xw;
        let energy: Vec<f64> = (0..tail)
            .map(|j| {
                if j > 0 {
                    let u = j - 1;
                    exw += pw(u) * pw(u) - hw(u) * hw(u);
                }
                let jj = j as isize;
                let w = (1.0 + a * a) * c(jj) - a * (c(jj - 1) + c(jj + 1));
                w * w / (exw.max(0.0) + floor)
            })
            .collect();
        // The Annex D models peak within their first 35 taps and end within 95
        // taps after the peak: 40 taps of margin before a peak, 120 after.
        let place = |peak: usize| {
            let d = peak.saturating_sub(40).min(tail - n);
            (d, peak.saturating_sub(SUB_SHIFT_PEAK).clamp(d, d + n - SUB_TAPS.min(n)))
        };
        let mut out = Vec::with_capacity(3);
        let first = (0..tail).max_by(|&x, &y| energy[x].total_cmp(&energy[y])).unwrap_or(0);
        out.push(place(first));
        let second = (0..tail)
            .filter(|&j| j.abs_diff(first) > 48)
            .max_by(|&x, &y| energy[x].total_cmp(&energy[y]));
        if let Some(p) = second {
            out.push(place(p));
        }
        // Sliding sum over `span` lags (the models' significant taps lie within
        // 115 lags, so span = n - 24 leaves room).
        let span = n.saturating_sub(24).max(1);
        let mut sum: f64 = energy[..span].iter().sum();
        let (mut best, mut best_at) = (sum, 0usize);
        for start in 1..=tail - span {
            sum += energy[start + span - 1] - energy[start - 1];
            if sum > best {
                best = sum;
                best_at = start;
            }
        }
        let w = best_at.saturating_sub(8).min(tail - n);
        if out.iter().all(|&(o, _)| o.abs_diff(w) > 4) {
            out.push((w, (w + SUB_SHIFT).min(w + n - SUB_TAPS.min(n))));
        }
        out
    }

    /// Solve for the `n`-tap filter; calls `accept` with the best solution over
    /// the candidate placements and its taps.
    /// `prior` (offset, taps) is the running filter: the solution is pulled
    /// toward it, by the ridge weight, in directions the data does not excite.
    /// With `m < n` only `m` taps are solved, in the sub-window `locate` gives
    /// each candidate, the others left at zero (see [`SUB_TAPS`]), and a
    /// shorter fit competes with it ([`SMALL_TAPS`]).
    pub fn solve<R>(
        &self,
        k: Kernel,
        hist: &History,
        n: usize,
        m: usize,
        prior: (usize, &[f32]),
        ridge: f64,
        accept: impl FnOnce(&Solution, &[f32]) -> R,
    ) -> Option<R> {
        if self.samples < n {
            return None;
        }
        let mut best: Option<(Solution, Vec<f32>)> = None;
        let mut cands = self.locate(hist, n);
        // Once a filter runs and the strongest candidate agrees with its place,
        // the others are not worth a solve each.
        let (poff, ptaps) = prior;
        if cands[0].0.abs_diff(poff) <= 4 && ptaps.iter().any(|&t| t != 0.0) {
            cands.truncate(1);
        }
        let m = m.min(n);
        let mut best_score = f64::INFINITY;
        for (d, sub) in cands {
            if m >= n {
                if let Some((sol, taps)) = self.solve_at(k, hist, n, d, prior, ridge) {
                    if best.as_ref().is_none_or(|(s0, _)| sol.residual < s0.residual) {
                        best = Some((sol, taps));
                    }
                }
                continue;
            }
            // The sub-window and, inside it, the shorter one: both from one
            // factorisation where they nest (see `solve_nested`).
            let small = SMALL_TAPS.min(m);
            let shift_big = (sub - d).min(n - m);
            let shift_small = (sub + SMALL_SHIFT - d).min(n - small);
            // Samples since the search start in which a window held Rin
            // (before that its equations are empty).
            let seen = |shift: usize| self.samples.saturating_sub(d + shift) as f64;
            let big_ok = seen(shift_big) > m as f64;
            let small_ok = seen(shift_small) > small as f64;
            let nested = big_ok && small_ok && shift_small >= shift_big && shift_small + small <= shift_big + m;
            let fits: [Option<(Solution, Vec<f32>)>; 2] = if nested {
                let (b, i) =
                    self.solve_nested(k, hist, m, d + shift_big, Some((shift_small - shift_big, small)), prior, ridge);
                [b, i]
            } else {
                [
                    if big_ok { self.solve_at(k, hist, m, d + shift_big, prior, ridge) } else { None },
                    if small_ok { self.solve_at(k, hist, small, d + shift_small, prior, ridge) } else { None },
                ]
            };
            for ((size, shift), fit) in [(m, shift_big), (small, shift_small)].into_iter().zip(fits) {
                let Some((mut sol, part)) = fit else { continue };
                let mut taps = vec![0.0f32; n];
                taps[shift..shift + size].copy_from_slice(&part);
                sol.offset = d;
                // Akaike's final prediction error: the residual expected on
                // new samples, so a longer window must earn its extra taps.
                let seen = seen(shift);
                let score = sol.residual * (seen + size as f64) / (seen - size as f64);
                if score < best_score {
                    best_score = score;
                    best = Some((sol, taps));
                }
            }
        }
        best.map(|(sol, taps)| accept(&sol, &taps))
    }

    fn solve_at(
        &self,
        kern: Kernel,
        hist: &History,
        n: usize,
        d: usize,
        prior: (usize, &[f32]),
        ridge_rel: f64,
    ) -> Option<(Solution, Vec<f32>)> {
        self.solve_nested(kern, hist, n, d, None, prior, ridge_rel).0
    }

    /// Solve the `n`-tap window at lag `d` and, with `inner` = (o, size), the
    /// `size`-tap window at lag `d + o` inside it, from one factorisation.
    /// WHY: the normal equations of the inner window are a principal block of
    /// the outer ones; with the inner taps ordered first, the first `size`
    /// rows of the outer Cholesky factor (and of its forward substitution)
    /// are the inner window's, so the inner fit costs only its back
    /// substitution. Both use the ridge of the inner window (its mean
    /// diagonal, which differs from the outer one's only by edge samples).
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn solve_nested(
        &self,
        kern: Kernel,
        hist: &History,
        n: usize,
        d: usize,
        inner: Option<(usize, usize)>,
        prior: (usize, &[f32]),
        ridge_rel: f64,
    ) -> (Option<(Solution, Vec<f32>)>, Option<(Solution, Vec<f32>)>) {
        let pre = &self.pre;
        let x = |u: usize| hist.lag(u) as f64;
        let pr = |u: usize| pre[u] as f64;
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            let Scratch { r, p, wide_pre, wide_x, a, perm } = &mut *sc;
            r.clear();
            r.resize(n * n, 0.0);
            p.clear();
            p.extend(self.c[d..d + n].iter().map(|&v| v as f64));
            // Row 0: R[0][k] = sum over the search of x[m-d] x[m-d-k]
            //       = r0[k] + (terms before the start) - (terms of the last d samples).
            // Both sums are correlations of contiguous runs: done in f64 SIMD.
            wide_pre.clear();
            wide_pre.extend(pre[..d + n].iter().map(|&v| v as f64));
            wide_x.clear();
            wide_x.extend(hist.lags(0, d + n).iter().map(|&v| v as f64));
            for k in 0..n {
                r[k] = self.r0[k] + kern.dot64(&wide_pre[..d], &wide_pre[k..k + d])
                    - kern.dot64(&wide_x[..d], &wide_x[k..k + d]);
            }
            // R[i+1][i+1+k] = R[i][i+k] + pre[d+i] pre[d+i+k] - x(d+i) x(d+i+k).
            for i in 0..n - 1 {
                for k in 0..n - 1 - i {
                    let j = i + k;
                    r[(i + 1) * n + j + 1] = r[i * n + j] + pr(d + i) * pr(d + j) - x(d + i) * x(d + j);
                }
            }
            // R is symmetric; only its upper triangle (row i, columns >= i) was
            // built. Mirror it.
            for i in 0..n {
                for j in i + 1..n {
                    r[j * n + i] = r[i * n + j];
                }
            }
            // Variable order: the inner window first, then the rest of the outer one.
            let (o, size) = inner.unwrap_or((0, n));
            perm.clear();
            perm.extend((o..o + size).chain(0..o).chain(o + size..n));
            let trace: f64 = (o..o + size).map(|i| r[i * n + i]).sum();
            let ridge = ridge_rel * trace / size as f64 + 1.0;
            // Ridge toward the running filter rather than toward zero: minimise
            // |s - h x|^2 + ridge |h - prior|^2. WHY: on a narrow-band Rin (a
            // tone, G.168 test 6) the data pins down only two directions; the
            // others must keep what the filter learnt from speech.
            let (poff, ptaps) = prior;
            for k in 0..n {
                let lag = d + k;
                if lag >= poff && lag < poff + ptaps.len() {
                    p[k] += ridge * ptaps[lag - poff] as f64;
                }
            }
            a.clear();
            a.resize(n * n, 0.0);
            for i in 0..n {
                let ri = perm[i] * n;
                for j in 0..=i {
                    a[i * n + j] = r[ri + perm[j]];
                }
                a[i * n + i] += ridge;
            }
            // Cholesky A = L L^T row by row, so every inner product runs over two
            // contiguous row prefixes; rows past the inner block may fail alone.
            let mut rows = n;
            'factor: for i in 0..n {
                for j in 0..=i {
                    let (ri, rj) = (i * n, j * n);
                    let v = a[ri + j] - kern.dot64(&a[ri..ri + j], &a[rj..rj + j]);
                    if i == j {
                        if v <= 0.0 || !v.is_finite() {
                            rows = i;
                            break 'factor;
                        }
                        a[ri + i] = v.sqrt();
                    } else {
                        a[ri + j] = v / a[rj + j];
                    }
                }
            }
            // Forward L z = p (permuted); its first `size` entries serve both fits.
            let mut z: Vec<f64> = perm.iter().map(|&i| p[i]).collect();
            for i in 0..rows {
                let ri = i * n;
                z[i] = (z[i] - kern.dot64(&a[ri..ri + i], &z[..i])) / a[ri + i];
            }
            // Back L^T h = z over the first `m` rows, mapped to window taps.
            let back = |m: usize| -> Option<(Solution, Vec<f32>)> {
                let mut h = z[..m].to_vec();
                for i in (0..m).rev() {
                    let mut v = h[i];
                    for k in i + 1..m {
                        v -= a[k * n + i] * h[k];
                    }
                    h[i] = v / a[i * n + i];
                }
                let fitted: f64 = h.iter().zip(&perm[..m]).map(|(v, &i)| v * self.c[d + i] as f64).sum();
                if !fitted.is_finite() {
                    return None;
                }
                let residual = (self.sum_ss - fitted).max(0.0);
                Some((Solution { offset: d, residual, sin_energy: self.sum_ss }, h.iter().map(|&v| v as f32).collect()))
            };
            let outer = if rows == n {
                back(n).map(|(sol, h)| {
                    let mut taps = vec![0.0f32; n];
                    for (v, &i) in h.iter().zip(perm.iter()) {
                        taps[i] = *v;
                    }
                    (sol, taps)
                })
            } else {
                None
            };
            let inner_fit = if inner.is_some() && rows >= size {
                back(size).map(|(mut sol, h)| {
                    sol.offset = d + o;
                    (sol, h)
                })
            } else {
                None
            };
            (outer, inner_fit)
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.c.capacity() * 4 + self.r0.capacity() * 8 + self.pre.capacity() * 4
    }
}
