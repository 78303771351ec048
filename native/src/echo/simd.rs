//! The two inner loops of the canceller, a dot product and an axpy, in AVX2+FMA
//! (chosen at run time with `is_x86_feature_detected!`) and in portable scalar
//! code with several accumulators.
//!
//! WHY explicit SIMD: stable Rust has no fast-math, so LLVM may not reorder a
//! float reduction and a plain `iter().sum()` runs one add per cycle at best.

use std::sync::OnceLock;

/// Which implementation a canceller uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
}

/// The best kernel this CPU offers, unless the environment variable
/// `CTI_ECHO_SCALAR` is set to a non-empty value other than `0` (read once).
pub fn best() -> Kernel {
    static BEST: OnceLock<Kernel> = OnceLock::new();
    *BEST.get_or_init(|| {
        let forced = std::env::var("CTI_ECHO_SCALAR").map(|v| !v.is_empty() && v != "0").unwrap_or(false);
        if forced {
            return Kernel::Scalar;
        }
        detect()
    })
}

/// The best kernel the CPU supports, ignoring the environment.
pub fn detect() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Kernel::Avx2Fma;
        }
    }
    Kernel::Scalar
}

impl Kernel {
    /// Sum of a[i]*b[i] over the common length.
    #[inline]
    pub fn dot(self, a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        match self {
            Kernel::Scalar => dot_scalar(a, b),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: this variant is only constructed after detecting AVX2 and FMA.
            Kernel::Avx2Fma => unsafe { avx2::dot(a, b) },
        }
    }

    /// Sum of a[i]*b[i] in f64 (the least-squares solve's inner loop).
    #[inline]
    pub fn dot64(self, a: &[f64], b: &[f64]) -> f64 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        match self {
            Kernel::Scalar => dot64_scalar(a, b),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as for `dot`.
            Kernel::Avx2Fma => unsafe { avx2::dot64(a, b) },
        }
    }

    /// y[i] += k * x[i] over the common length.
    #[inline]
    pub fn axpy(self, k: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len().min(y.len());
        let (x, y) = (&x[..n], &mut y[..n]);
        match self {
            Kernel::Scalar => axpy_scalar(k, x, y),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as for `dot`.
            Kernel::Avx2Fma => unsafe { avx2::axpy(k, x, y) },
        }
    }
}

/// Eight independent partial sums so the adds pipeline (and LLVM can vectorise
/// each lane without reassociating one long chain).
pub fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let chunks = a.len() / 8;
    for c in 0..chunks {
        let (x, y) = (&a[c * 8..c * 8 + 8], &b[c * 8..c * 8 + 8]);
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0.0f32;
    for i in chunks * 8..a.len() {
        tail += a[i] * b[i];
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// f64 dot product with four partial sums.
pub fn dot64_scalar(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = a.len() / 4;
    for c in 0..chunks {
        for l in 0..4 {
            acc[l] += a[c * 4 + l] * b[c * 4 + l];
        }
    }
    let mut t = 0.0;
    for i in chunks * 4..a.len() {
        t += a[i] * b[i];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + t
}

pub fn axpy_scalar(k: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += k * xi;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut s0 = _mm256_setzero_ps();
        let mut s1 = _mm256_setzero_ps();
        let mut s2 = _mm256_setzero_ps();
        let mut s3 = _mm256_setzero_ps();
        let mut i = 0;
        while i + 32 <= n {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 8)), _mm256_loadu_ps(pb.add(i + 8)), s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 16)), _mm256_loadu_ps(pb.add(i + 16)), s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 24)), _mm256_loadu_ps(pb.add(i + 24)), s3);
            i += 32;
        }
        while i + 8 <= n {
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), s0);
            i += 8;
        }
        let s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
        let hi = _mm256_extractf128_ps(s, 1);
        let lo = _mm256_castps256_ps128(s);
        let q = _mm_add_ps(hi, lo);
        let q = _mm_add_ps(q, _mm_movehl_ps(q, q));
        let q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
        let mut total = _mm_cvtss_f32(q);
        while i < n {
            total += *pa.add(i) * *pb.add(i);
            i += 1;
        }
        total
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot64(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut s0 = _mm256_setzero_pd();
        let mut s1 = _mm256_setzero_pd();
        let mut i = 0;
        while i + 8 <= n {
            s0 = _mm256_fmadd_pd(_mm256_loadu_pd(pa.add(i)), _mm256_loadu_pd(pb.add(i)), s0);
            s1 = _mm256_fmadd_pd(_mm256_loadu_pd(pa.add(i + 4)), _mm256_loadu_pd(pb.add(i + 4)), s1);
            i += 8;
        }
        while i + 4 <= n {
            s0 = _mm256_fmadd_pd(_mm256_loadu_pd(pa.add(i)), _mm256_loadu_pd(pb.add(i)), s0);
            i += 4;
        }
        let s = _mm256_add_pd(s0, s1);
        let hi = _mm256_extractf128_pd(s, 1);
        let lo = _mm256_castpd256_pd128(s);
        let q = _mm_add_pd(hi, lo);
        let q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
        let mut total = _mm_cvtsd_f64(q);
        while i < n {
            total += *pa.add(i) * *pb.add(i);
            i += 1;
        }
        total
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn axpy(k: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len();
        let (px, py) = (x.as_ptr(), y.as_mut_ptr());
        let kv = _mm256_set1_ps(k);
        let mut i = 0;
        while i + 8 <= n {
            let r = _mm256_fmadd_ps(kv, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i)));
            _mm256_storeu_ps(py.add(i), r);
            i += 8;
        }
        while i < n {
            *py.add(i) += k * *px.add(i);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::noise::Rng;

    fn data(n: usize, seed: u64) -> Vec<f32> {
        let mut r = Rng::new(seed);
        (0..n).map(|_| (r.gaussian() * 1000.0) as f32).collect()
    }

    #[test]
    fn simd_and_scalar_agree() {
        let fast = detect();
        for n in [0usize, 1, 7, 8, 31, 33, 160, 1024, 1031] {
            let (a, b) = (data(n, 1 + n as u64), data(n, 99 + n as u64));
            let exact: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            let scale: f64 = a.iter().zip(&b).map(|(x, y)| (*x as f64 * *y as f64).abs()).sum::<f64>() + 1.0;
            for k in [Kernel::Scalar, fast] {
                let d = k.dot(&a, &b) as f64;
                assert!((d - exact).abs() <= 1e-5 * scale, "{k:?} n={n} {d} vs {exact}");
            }
            let (a64, b64): (Vec<f64>, Vec<f64>) = (a.iter().map(|&v| v as f64).collect(), b.iter().map(|&v| v as f64).collect());
            for k in [Kernel::Scalar, fast] {
                let d = k.dot64(&a64, &b64);
                assert!((d - exact).abs() <= 1e-9 * scale, "{k:?} n={n} {d} vs {exact}");
            }
            let mut y1 = b.clone();
            let mut y2 = b.clone();
            Kernel::Scalar.axpy(0.37, &a, &mut y1);
            fast.axpy(0.37, &a, &mut y2);
            for (u, v) in y1.iter().zip(&y2) {
                assert!((u - v).abs() <= 1e-3 * (1.0 + u.abs()), "{u} {v}");
            }
        }
    }
}
