//! `EchoCanceller`, `EchoCancellerBank` and `g168_echo_path`.

use super::arrays::{int16_matrix, int16_vector, to_numpy};
use crate::echo::{self as k, Config};
use numpy::{PyArray1, PyArrayDyn};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;

fn config(tail_ms: i64, nlp: bool, force_scalar: bool) -> PyResult<Config> {
    if tail_ms < 0 || !k::TAIL_MS.contains(&(tail_ms as usize)) {
        return Err(PyValueError::new_err(format!(
            "tail_ms must be one of {:?}, got {tail_ms}",
            k::TAIL_MS
        )));
    }
    Ok(Config { tail_ms: tail_ms as usize, nlp, force_scalar })
}

/// G.168 line echo canceller for one channel.
///
/// `process(sin, rin)` takes int16 arrays of equal length (Sin received from the
/// line, Rin sent toward it at the same instants) and returns Sout (int16, same
/// length, no added delay). `events()` drains `(name, sample)` tuples: "disabled"
/// (2100 Hz with phase reversals: Sout = Sin), "nlp_disabled" (plain 2100 Hz for
/// 600 ms: NLP and comfort noise off, adaptation frozen), "enabled" (released).
/// `force_scalar=True` uses the portable kernels instead of AVX2+FMA.
#[pyclass(module = "cti_daemon._native")]
struct EchoCanceller {
    inner: k::EchoCanceller,
}

#[pymethods]
impl EchoCanceller {
    #[new]
    #[pyo3(signature = (tail_ms=128, nlp=true, *, force_scalar=false))]
    fn new(tail_ms: i64, nlp: bool, force_scalar: bool) -> PyResult<Self> {
        let cfg = config(tail_ms, nlp, force_scalar)?;
        let inner = k::EchoCanceller::new(cfg).map_err(|e| PyValueError::new_err(format!("bad tail {}", e.0)))?;
        Ok(Self { inner })
    }

    fn process<'py>(
        &mut self,
        py: Python<'py>,
        sin: &Bound<'py, PyAny>,
        rin: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<i16>>> {
        let s = int16_vector(sin, "sin")?;
        let r = int16_vector(rin, "rin")?;
        if s.len() != r.len() {
            return Err(PyValueError::new_err(format!(
                "sin and rin must have the same length, got {} and {}",
                s.len(),
                r.len()
            )));
        }
        let inner = &mut self.inner;
        let out = py.detach(|| {
            let mut out = vec![0i16; s.len()];
            inner.process(&s, &r, &mut out);
            out
        });
        Ok(PyArray1::from_vec(py, out))
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn events(&mut self) -> Vec<(&'static str, u64)> {
        self.inner.take_events()
    }

    /// Bytes of per-channel state (struct plus heap buffers).
    #[getter]
    fn state_bytes(&self) -> usize {
        self.inner.state_bytes()
    }

    /// "avx2+fma" or "scalar": the kernels in use.
    #[getter]
    fn kernel(&self) -> &'static str {
        kernel_name(self.inner.kernel())
    }
}

fn kernel_name(kn: k::simd::Kernel) -> &'static str {
    match kn {
        k::simd::Kernel::Scalar => "scalar",
        #[cfg(target_arch = "x86_64")]
        k::simd::Kernel::Avx2Fma => "avx2+fma",
    }
}

/// Echo cancellers for many channels: `process(sin, rin)` with int16 arrays
/// shaped (channels, n) returns Sout shaped (channels, n); `events()` drains
/// `(channel, name, sample)`; `reset(channel)` starts a new call on one channel.
#[pyclass(module = "cti_daemon._native")]
struct EchoCancellerBank {
    inner: k::EchoCancellerBank,
}

#[pymethods]
impl EchoCancellerBank {
    #[new]
    #[pyo3(signature = (channels, tail_ms=128, nlp=true, *, force_scalar=false))]
    fn new(channels: i64, tail_ms: i64, nlp: bool, force_scalar: bool) -> PyResult<Self> {
        if !(1..=65536).contains(&channels) {
            return Err(PyValueError::new_err(format!("channels must be in 1..=65536, got {channels}")));
        }
        let cfg = config(tail_ms, nlp, force_scalar)?;
        let inner = k::EchoCancellerBank::new(channels as usize, cfg)
            .map_err(|e| PyValueError::new_err(format!("bad tail {}", e.0)))?;
        Ok(Self { inner })
    }

    fn process<'py>(
        &mut self,
        py: Python<'py>,
        sin: &Bound<'py, PyAny>,
        rin: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
        let ch = self.inner.channels();
        let s = int16_matrix(sin, "sin", ch)?;
        let r = int16_matrix(rin, "rin", ch)?;
        if s.shape != r.shape {
            return Err(PyValueError::new_err(format!(
                "sin and rin must have the same shape, got {:?} and {:?}",
                s.shape, r.shape
            )));
        }
        let n = s.shape[1];
        let inner = &mut self.inner;
        let out = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&s.data, &r.data, n, &mut out);
            out
        });
        to_numpy(py, out, &[ch, n])
    }

    fn reset(&mut self, channel: i64) -> PyResult<()> {
        let ch = self.inner.channels();
        if channel < 0 || channel as usize >= ch {
            return Err(PyIndexError::new_err(format!("channel {channel} out of range 0..{ch}")));
        }
        self.inner.reset(channel as usize);
        Ok(())
    }

    fn events(&mut self) -> Vec<(usize, &'static str, u64)> {
        self.inner.take_events().into_iter().map(|(c, (name, at))| (c, name, at)).collect()
    }

    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }

    /// Bytes of state of one channel.
    #[getter]
    fn state_bytes_per_channel(&self) -> usize {
        self.inner.channel(0).state_bytes()
    }

    #[getter]
    fn kernel(&self) -> &'static str {
        kernel_name(self.inner.channel(0).kernel())
    }
}

/// Impulse response (float64) of the G.168 Annex D echo path model `model`
/// ("D.2".."D.9"), scaled to an echo return loss of `erl_db` dB on white noise.
#[pyfunction]
fn g168_echo_path<'py>(py: Python<'py>, model: &str, erl_db: f64) -> PyResult<Bound<'py, PyArray1<f64>>> {
    if !erl_db.is_finite() || !(-20.0..=100.0).contains(&erl_db) {
        return Err(PyValueError::new_err(format!("erl_db must be within -20..100, got {erl_db}")));
    }
    let h = k::g168_echo_path(model, erl_db).ok_or_else(|| {
        PyValueError::new_err(format!("unknown model {model:?}; expected one of {:?}", k::paths::MODELS))
    })?;
    Ok(PyArray1::from_vec(py, h))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EchoCanceller>()?;
    m.add_class::<EchoCancellerBank>()?;
    m.add_function(wrap_pyfunction!(g168_echo_path, m)?)?;
    Ok(())
}
