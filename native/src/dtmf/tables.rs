//! Constant tables of the detector, computed once and shared by every channel
//! (about 8 KB, so they stay in L1 while a bank runs through its channels).

use super::{COL_FREQS, ROW_FREQS};
use crate::common::SAMPLE_RATE;
use std::f64::consts::TAU;
use std::sync::OnceLock;

/// Analysis block: 102 samples (12.75 ms). Two whole blocks fit in the
/// shortest tone that must be recognised (40 ms = 320 samples, whatever the
/// alignment, 320 - 101 >= 2 * 102), but a 20 ms tone (160 samples) never
/// fills two (see detect.rs for how partly filled blocks are refused).
pub const BLOCK: usize = 102;
/// Frequency estimator: two Hann windows of WIN samples, HOP samples apart,
/// both inside the block. The phase advance of a tone between them is
/// 2*pi*f*HOP/fs; it is unambiguous for |f - f0| < fs / (2 * HOP) = 105 Hz,
/// wider than the +-5 % we must judge at 1633 Hz (82 Hz). A Hann window of
/// 64 samples has its first null 250 Hz from the centre, so the other group's
/// tone (at least 268 Hz away: 941 vs 1209 Hz) falls in the low sidelobes.
pub const WIN: usize = 64;
pub const HOP: usize = BLOCK - WIN;
/// China's dial tone (450 Hz), whose power is not counted against the DTMF
/// pair in the energy-share test.
pub const DIAL_FREQ: f64 = 450.0;

pub struct Tables {
    /// Per sample n: cos(w_k n) for the 8 DTMF frequencies (rows then
    /// columns), then sin(w_k n) for the same 8.
    pub rect: [[f32; 16]; BLOCK],
    /// Per sample n: cos and sin of the dial-tone frequency.
    pub dial: [[f64; 2]; BLOCK],
    /// Per frequency k and sample n of the window: w[n]cos(w_k n), w[n]sin(w_k n).
    pub win: [[[f64; 2]; WIN]; 8],
    /// w_k * HOP, the phase advance of a tone exactly at frequency k.
    pub hop_phase: [f64; 8],
    pub freqs: [f64; 8],
    /// Per digit (row * 4 + column): Cholesky factor L (G = L L^T) of the Gram
    /// matrix of the sinusoid basis [dial cos, dial sin, row cos, row sin,
    /// column cos, column sin] over one half-block (HALF samples), for the
    /// least-squares tone-share test in detect.rs. Dial tone first, so the
    /// leading 2x2 of L is the factor of the dial tone alone.
    pub share_chol: [[[f64; 6]; 6]; 16],
}

/// Half a block: the span of the tone-share test.
pub const HALF: usize = BLOCK / 2;

/// The basis of the tone-share fit at sample n of a half-block.
#[inline]
pub fn share_basis(t: &Tables, row: usize, col: usize, n: usize) -> [f64; 6] {
    let q = &t.rect[n];
    let d = t.dial[n];
    [d[0], d[1], q[row] as f64, q[row + 8] as f64, q[col] as f64, q[col + 8] as f64]
}

#[allow(clippy::needless_range_loop)] // the textbook index form reads best
fn cholesky(g: &[[f64; 6]; 6]) -> [[f64; 6]; 6] {
    let mut l = [[0.0f64; 6]; 6];
    for i in 0..6 {
        for j in 0..=i {
            let mut sum = g[i][j];
            for k in 0..j {
                sum -= l[i][k] * l[j][k];
            }
            if i == j {
                // The six sinusoids are distinct frequencies over 51 samples:
                // the Gram matrix is well conditioned, sum > 0.
                l[i][i] = sum.max(1e-12).sqrt();
            } else {
                l[i][j] = sum / l[j][j];
            }
        }
    }
    l
}

fn build() -> Box<Tables> {
    let mut freqs = [0.0; 8];
    freqs[..4].copy_from_slice(&ROW_FREQS);
    freqs[4..].copy_from_slice(&COL_FREQS);
    let mut t = Box::new(Tables {
        rect: [[0.0; 16]; BLOCK],
        dial: [[0.0; 2]; BLOCK],
        win: [[[0.0; 2]; WIN]; 8],
        hop_phase: [0.0; 8],
        freqs,
        share_chol: [[[0.0; 6]; 6]; 16],
    });
    for n in 0..BLOCK {
        for (k, &f) in freqs.iter().enumerate() {
            let w = TAU * f / SAMPLE_RATE * n as f64;
            t.rect[n][k] = w.cos() as f32;
            t.rect[n][k + 8] = w.sin() as f32;
        }
        let w = TAU * DIAL_FREQ / SAMPLE_RATE * n as f64;
        t.dial[n] = [w.cos(), w.sin()];
    }
    for (k, &f) in freqs.iter().enumerate() {
        for n in 0..WIN {
            // Periodic-free ("symmetric") Hann over WIN samples.
            let hann = 0.5 - 0.5 * (TAU * (n as f64 + 0.5) / WIN as f64).cos();
            let w = TAU * f / SAMPLE_RATE * n as f64;
            t.win[k][n] = [hann * w.cos(), hann * w.sin()];
        }
        t.hop_phase[k] = TAU * f / SAMPLE_RATE * HOP as f64;
    }
    for row in 0..4 {
        for col in 4..8 {
            let mut g = [[0.0f64; 6]; 6];
            for n in 0..HALF {
                let phi = share_basis(&t, row, col, n);
                for i in 0..6 {
                    for j in 0..6 {
                        g[i][j] += phi[i] * phi[j];
                    }
                }
            }
            t.share_chol[row * 4 + col - 4] = cholesky(&g);
        }
    }
    t
}

pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Box<Tables>> = OnceLock::new();
    TABLES.get_or_init(build)
}
