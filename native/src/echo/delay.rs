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
use std::cell::RefCell;

/// Pre-whitening coefficient of the first-order filter (1 - a z^-1) applied to
/// both sides of the correlation when locating the echo; speech energy falls
/// by roughly 6 dB/octave, which this flattens.
const WHITEN: f64 = 0.9;

/// Relative Tikhonov regularisation of the normal equations (keeps the solve
/// finite on narrow-band excitation such as the CSS voiced part).
const RIDGE: f64 = 1.0e-5;

/// Accumulators of one search.
#[derive(Clone, Debug)]
pub struct Search {
    c: Vec<f32>,
    r0: Vec<f64>,
    pre: Vec<f32>,
    sum_ss: f64,
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
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Search {
    pub fn new(tail: usize, n: usize) -> Self {
        Self { c: vec![0.0; tail], r0: vec![0.0; n], pre: vec![0.0; tail], sum_ss: 0.0, samples: 0 }
    }

    /// Start afresh; the far-end samples before now are taken from `hist`.
    pub fn restart(&mut self, hist: &History) {
        self.c.iter_mut().for_each(|v| *v = 0.0);
        self.r0.iter_mut().for_each(|v| *v = 0.0);
        let tail = self.pre.len();
        self.pre.copy_from_slice(hist.lags(0, tail));
        self.sum_ss = 0.0;
        self.samples = 0;
    }

    /// Add the current sample: `s` is Sin (filtered), `hist` already holds the
    /// current Rin sample at lag 0.
    #[inline]
    pub fn accumulate(&mut self, k: super::simd::Kernel, s: f32, hist: &History) {
        let tail = self.c.len();
        k.axpy(s, hist.lags(0, tail), &mut self.c);
        let x0 = hist.lag(0) as f64;
        let nr = self.r0.len();
        for (r, &x) in self.r0.iter_mut().zip(hist.lags(0, nr)) {
            *r += x0 * x as f64;
        }
        self.sum_ss += s as f64 * s as f64;
        self.samples += 1;
    }

    /// Two candidate window starts (0 ..= tail - n): around the peak of the
    /// pre-whitened cross-correlation, and the window holding most of its energy.
    /// WHY two: on coloured speech the correlation is smeared by the far-end
    /// autocorrelation, and either rule alone sometimes lands a few dozen taps
    /// early; the least-squares residual picks the better one.
    pub fn locate(&self, n: usize) -> [usize; 2] {
        let tail = self.c.len();
        if n >= tail {
            return [0, 0];
        }
        let a = WHITEN;
        let c = |j: isize| if j < 0 || j as usize >= tail { 0.0 } else { self.c[j as usize] as f64 };
        let energy: Vec<f64> = (0..tail as isize)
            .map(|j| {
                let w = (1.0 + a * a) * c(j) - a * (c(j - 1) + c(j + 1));
                w * w
            })
            .collect();
        // Sliding sum over `span` lags; the echo path models of G.168 Annex D have
        // their significant taps within 115 lags, so span = n - 24 leaves room.
        let peak = (0..tail).max_by(|&a, &b| energy[a].total_cmp(&energy[b])).unwrap_or(0);
        // The Annex D models peak within their first 35 taps and end within 95
        // taps after the peak: 40 taps of margin before it, 120 after.
        let around_peak = peak.saturating_sub(40).min(tail - n);
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
        [around_peak, best_at.saturating_sub(8).min(tail - n)]
    }

    /// Solve for the `n`-tap filter; calls `accept` with the solution and the
    /// taps (valid only during the call).
    pub fn solve<R>(&self, hist: &History, n: usize, accept: impl FnOnce(&Solution, &[f32]) -> R) -> Option<R> {
        if self.samples < n {
            return None;
        }
        let [a, b] = self.locate(n);
        let first = self.solve_at(hist, n, a);
        let mut best = first.map(|(sol, taps)| (sol, taps));
        if b.abs_diff(a) > 4 {
            if let Some((sol, taps)) = self.solve_at(hist, n, b) {
                if best.as_ref().is_none_or(|(s0, _)| sol.residual < s0.residual) {
                    best = Some((sol, taps));
                }
            }
        }
        best.map(|(sol, taps)| accept(&sol, &taps))
    }

    fn solve_at(&self, hist: &History, n: usize, d: usize) -> Option<(Solution, Vec<f32>)> {
        let pre = &self.pre;
        let x = |u: usize| hist.lag(u) as f64;
        let pr = |u: usize| pre[u] as f64;
        SCRATCH.with(|cell| {
            let mut sc = cell.borrow_mut();
            let Scratch { r, p } = &mut *sc;
            r.clear();
            r.resize(n * n, 0.0);
            p.clear();
            p.extend(self.c[d..d + n].iter().map(|&v| v as f64));
            // Row 0: R[0][k] = sum over the search of x[m-d] x[m-d-k]
            //       = r0[k] + (terms before the start) - (terms of the last d samples).
            for k in 0..n {
                let mut v = self.r0[k];
                for u in 0..d {
                    v += pr(u) * pr(u + k) - x(u) * x(u + k);
                }
                r[k] = v;
            }
            // R[i+1][i+1+k] = R[i][i+k] + pre[d+i] pre[d+i+k] - x(d+i) x(d+i+k).
            for i in 0..n - 1 {
                for k in 0..n - 1 - i {
                    let j = i + k;
                    r[(i + 1) * n + j + 1] = r[i * n + j] + pr(d + i) * pr(d + j) - x(d + i) * x(d + j);
                }
            }
            // Cholesky of the upper triangle stored as rows (R = U^T U), in place.
            let trace: f64 = (0..n).map(|i| r[i * n + i]).sum();
            let ridge = RIDGE * trace / n as f64 + 1.0;
            for i in 0..n {
                r[i * n + i] += ridge;
            }
            for i in 0..n {
                let mut dii = r[i * n + i];
                for k in 0..i {
                    dii -= r[k * n + i] * r[k * n + i];
                }
                if dii <= 0.0 || !dii.is_finite() {
                    return None;
                }
                let dii = dii.sqrt();
                r[i * n + i] = dii;
                for j in i + 1..n {
                    let mut v = r[i * n + j];
                    for k in 0..i {
                        v -= r[k * n + i] * r[k * n + j];
                    }
                    r[i * n + j] = v / dii;
                }
            }
            // Forward: U^T z = p; back: U h = z.
            let mut z = p.clone();
            for i in 0..n {
                let mut v = z[i];
                for k in 0..i {
                    v -= r[k * n + i] * z[k];
                }
                z[i] = v / r[i * n + i];
            }
            for i in (0..n).rev() {
                let mut v = z[i];
                for k in i + 1..n {
                    v -= r[i * n + k] * z[k];
                }
                z[i] = v / r[i * n + i];
            }
            let fitted: f64 = z.iter().zip(p.iter()).map(|(h, c)| h * c).sum();
            if !fitted.is_finite() {
                return None;
            }
            let taps = z.iter().map(|&v| v as f32).collect();
            let sol = Solution { offset: d, residual: (self.sum_ss - fitted).max(0.0), sin_energy: self.sum_ss };
            Some((sol, taps))
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.c.capacity() * 4 + self.r0.capacity() * 8 + self.pre.capacity() * 4
    }
}
