//! `ToneDetector`, `ToneDetectorBank` and `tone_generate`.

use super::arrays::{int16_matrix, int16_vector, to_numpy};
use crate::tones::{self as k, CompiledPlan, GenerateError, ToneName};
use numpy::PyArrayDyn;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;
use std::sync::Arc;

/// An integer argument; a Python int too large for i64 is a ValueError (not
/// OverflowError), anything else that is not an int a TypeError.
pub(super) fn int_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    obj.extract::<i64>().map_err(|_| {
        if obj.is_instance_of::<PyInt>() {
            PyValueError::new_err(format!("{what} is out of range"))
        } else {
            PyTypeError::new_err(format!("{what} must be an int"))
        }
    })
}

/// A float argument (ints accepted); an int too large for a float is a ValueError.
pub(super) fn float_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    obj.extract::<f64>().map_err(|_| {
        if obj.is_instance_of::<PyInt>() {
            PyValueError::new_err(format!("{what} is out of range"))
        } else {
            PyTypeError::new_err(format!("{what} must be a number"))
        }
    })
}

/// Most channels a bank accepts (each channel holds about 1 KiB of state).
const MAX_CHANNELS: usize = 100_000;

fn compiled(plan: &str) -> PyResult<Arc<CompiledPlan>> {
    CompiledPlan::by_name(plan).ok_or_else(|| {
        PyValueError::new_err(format!("unknown tone plan {plan:?}; known plans: {}", k::PLAN_NAMES.join(", ")))
    })
}

fn event_tuple(e: &k::ToneEvent) -> (&'static str, &'static str, u64) {
    (e.name.as_str(), e.kind.as_str(), e.sample)
}

/// Call-progress, SIT, fax and answer tone detector for one channel.
///
/// `process(pcm)` takes int16 samples (1-D) and returns the names recognised,
/// in order, each once per occurrence. `events()` drains
/// `(name, "start"|"end", sample)` tuples; samples count from creation or reset.
#[pyclass(name = "ToneDetector", module = "cti_daemon._native")]
struct PyToneDetector {
    inner: k::ToneDetector,
}

#[pymethods]
impl PyToneDetector {
    #[new]
    #[pyo3(signature = (plan = "cn"))]
    fn new(plan: &str) -> PyResult<Self> {
        Ok(Self { inner: k::ToneDetector::new(compiled(plan)?) })
    }

    fn process(&mut self, py: Python<'_>, pcm: &Bound<'_, PyAny>) -> PyResult<Vec<&'static str>> {
        let x = int16_vector(pcm, "pcm")?;
        let inner = &mut self.inner;
        let found = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&x, &mut out);
            out
        });
        Ok(found.into_iter().map(ToneName::as_str).collect())
    }

    fn events(&mut self) -> Vec<(&'static str, &'static str, u64)> {
        self.inner.take_events().iter().map(event_tuple).collect()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    #[getter]
    fn plan(&self) -> &'static str {
        self.inner.plan().name
    }
}

/// One `ToneDetector` per channel. `process(block)` takes int16 shaped
/// (channels, n) and returns `(channel, name)` tuples; `events()` drains
/// `(channel, name, "start"|"end", sample)`; `reset(channel)`.
#[pyclass(name = "ToneDetectorBank", module = "cti_daemon._native")]
struct PyToneDetectorBank {
    inner: k::ToneDetectorBank,
}

fn check_channels(channels: i64) -> PyResult<usize> {
    if channels < 1 || channels as u64 > MAX_CHANNELS as u64 {
        return Err(PyValueError::new_err(format!("channels must be 1..={MAX_CHANNELS}, got {channels}")));
    }
    Ok(channels as usize)
}

fn check_channel(channel: i64, channels: usize) -> PyResult<usize> {
    if channel < 0 || channel as u64 >= channels as u64 {
        return Err(PyValueError::new_err(format!("channel must be 0..{channels}, got {channel}")));
    }
    Ok(channel as usize)
}

#[pymethods]
impl PyToneDetectorBank {
    #[new]
    #[pyo3(signature = (channels, plan = "cn"))]
    fn new(channels: &Bound<'_, PyAny>, plan: &str) -> PyResult<Self> {
        let channels = check_channels(int_arg(channels, "channels")?)?;
        Ok(Self { inner: k::ToneDetectorBank::new(compiled(plan)?, channels) })
    }

    fn process(&mut self, py: Python<'_>, block: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, &'static str)>> {
        let channels = self.inner.channels();
        let s = int16_matrix(block, "block", channels)?;
        let n = s.shape[1];
        let inner = &mut self.inner;
        let found = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&s.data, channels, n, &mut out);
            out
        });
        Ok(found.into_iter().map(|(c, t)| (c, t.as_str())).collect())
    }

    fn events(&mut self) -> Vec<(usize, &'static str, &'static str, u64)> {
        self.inner
            .take_events()
            .iter()
            .map(|(c, e)| (*c, e.name.as_str(), e.kind.as_str(), e.sample))
            .collect()
    }

    fn reset(&mut self, channel: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = check_channel(int_arg(channel, "channel")?, self.inner.channels())?;
        self.inner.reset(c);
        Ok(())
    }

    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }
}

/// `duration_ms` of a plan's tone with its cadence, as int16 (linear, not yet
/// coded), at `level_dbm0` per tone (the plan's nominal level when None).
#[pyfunction]
#[pyo3(signature = (plan, name, duration_ms, level_dbm0 = None))]
fn tone_generate<'py>(
    py: Python<'py>,
    plan: &str,
    name: &str,
    duration_ms: &Bound<'py, PyAny>,
    level_dbm0: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    let duration_ms = float_arg(duration_ms, "duration_ms")?;
    let level_dbm0 = match level_dbm0 {
        Some(l) if !l.is_none() => Some(float_arg(l, "level_dbm0")?),
        _ => None,
    };
    let p = k::plan::plan(plan).ok_or_else(|| {
        PyValueError::new_err(format!("unknown tone plan {plan:?}; known plans: {}", k::PLAN_NAMES.join(", ")))
    })?;
    let tone = ToneName::parse(name).filter(|t| p.tone(*t).is_some()).ok_or_else(|| {
        let known: Vec<&str> = p.tones.iter().map(|t| t.name.as_str()).collect();
        PyValueError::new_err(format!("plan {plan:?} has no tone {name:?}; it has: {}", known.join(", ")))
    })?;
    let out = py.detach(|| k::generate(&p, tone, duration_ms, level_dbm0)).map_err(|e| match e {
        GenerateError::UnknownTone => PyValueError::new_err(format!("unknown tone {name:?}")),
        GenerateError::BadDuration => PyValueError::new_err(format!(
            "duration_ms must be finite and in 0..={}, got {duration_ms}",
            k::generator::MAX_DURATION_MS
        )),
        GenerateError::BadLevel => {
            PyValueError::new_err(format!("level_dbm0 must be finite and in -90..=3, got {level_dbm0:?}"))
        }
    })?;
    let len = out.len();
    to_numpy(py, out, &[len])
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyToneDetector>()?;
    m.add_class::<PyToneDetectorBank>()?;
    m.add_function(wrap_pyfunction!(tone_generate, m)?)?;
    Ok(())
}
