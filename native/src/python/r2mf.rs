//! Python surface of the R2 MF kernel: `r2_generate`, `R2Detector`, `R2DetectorBank`.

use super::arrays::{int16_matrix, int16_vector, to_numpy};
use crate::r2mf::{self as k, Direction, R2Error};
use numpy::PyArrayDyn;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;

/// Largest bank accepted (a whole E1 shelf is a few thousand channels; this
/// only bounds the allocation of a mistaken call).
const MAX_CHANNELS: usize = 1 << 16;

fn value_error(e: R2Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn direction(obj: &Bound<'_, PyAny>) -> PyResult<Direction> {
    let name: String = obj.extract().map_err(|_| {
        PyTypeError::new_err("direction must be a str, \"forward\" or \"backward\"")
    })?;
    Direction::parse(&name).map_err(value_error)
}

fn integer(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!("{what} must be an int")));
    }
    // An int too large for i64 is out of every range accepted here.
    obj.extract::<i64>().map_err(|_| PyValueError::new_err(format!("{what} is out of range")))
}

fn number(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    obj.extract::<f64>().map_err(|_| PyTypeError::new_err(format!("{what} must be a number")))
}

fn state(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// R2 signal `signal` (1..15) of `direction` ("forward" or "backward") for
/// `duration_ms`, each of its two tones at `level_dbm0` (Q.454: -11.5), as int16 PCM.
#[pyfunction]
#[pyo3(signature = (signal, direction, duration_ms, level_dbm0 = None),
       text_signature = "(signal, direction, duration_ms, level_dbm0=-11.5)")]
fn r2_generate<'py>(
    py: Python<'py>,
    signal: &Bound<'py, PyAny>,
    direction: &Bound<'py, PyAny>,
    duration_ms: &Bound<'py, PyAny>,
    level_dbm0: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    let signal = integer(signal, "signal")?;
    let dir = self::direction(direction)?;
    let duration_ms = number(duration_ms, "duration_ms")?;
    let level = match level_dbm0 {
        Some(l) if !l.is_none() => number(l, "level_dbm0")?,
        _ => k::generator::DEFAULT_LEVEL_DBM0,
    };
    if !(1..=15).contains(&signal) {
        return Err(value_error(R2Error::BadSignal(signal)));
    }
    let pcm = py
        .detach(|| k::generate(signal as u8, dir, duration_ms, level))
        .map_err(value_error)?;
    let n = pcm.len();
    to_numpy(py, pcm, &[n])
}

/// R2 MF receiver for one channel (Q.455). `process(pcm)` returns the signals
/// recognised (onsets, 1..15) in order; `events()` drains
/// `(signal, "on" | "off", sample)` with the sample index of the decision.
#[pyclass(name = "R2Detector", module = "cti_daemon._native")]
struct PyR2Detector {
    inner: k::R2Detector,
}

#[pymethods]
impl PyR2Detector {
    #[new]
    fn new(direction: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self { inner: k::R2Detector::new(self::direction(direction)?) })
    }

    fn process(&mut self, py: Python<'_>, pcm: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        let pcm = int16_vector(pcm, "pcm")?;
        let inner = &mut self.inner;
        Ok(py.detach(|| {
            let mut onsets = Vec::new();
            inner.process(&pcm, &mut onsets);
            // u32, not u8: pyo3 turns a Vec<u8> into bytes, the contract is list[int].
            onsets.into_iter().map(u32::from).collect()
        }))
    }

    fn events(&mut self) -> Vec<(u8, &'static str, u64)> {
        self.inner.take_events().into_iter().map(|e| (e.signal, state(e.on), e.sample)).collect()
    }

    /// Signal recognised now, or 0.
    #[getter]
    fn current(&self) -> u8 {
        self.inner.current()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }
}

/// Many R2 receivers: `process(block)` takes int16 shaped (channels, n) and
/// returns `(channel, signal)` onsets (channel order, then time order);
/// `events()` drains `(channel, signal, "on" | "off", sample)`.
#[pyclass(name = "R2DetectorBank", module = "cti_daemon._native")]
struct PyR2DetectorBank {
    inner: k::R2DetectorBank,
}

#[pymethods]
impl PyR2DetectorBank {
    #[new]
    fn new(channels: &Bound<'_, PyAny>, direction: &Bound<'_, PyAny>) -> PyResult<Self> {
        let channels = integer(channels, "channels")?;
        if !(1..=MAX_CHANNELS as i64).contains(&channels) {
            return Err(PyValueError::new_err(format!(
                "channels must be within 1..={MAX_CHANNELS}, got {channels}"
            )));
        }
        Ok(Self { inner: k::R2DetectorBank::new(channels as usize, self::direction(direction)?) })
    }

    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }

    fn process(&mut self, py: Python<'_>, block: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, u8)>> {
        let channels = self.inner.channels();
        let s = int16_matrix(block, "block", channels)?;
        let n = s.shape[1];
        let inner = &mut self.inner;
        py.detach(|| {
            let mut out = Vec::new();
            inner.process(&s.data, channels, n, &mut out).map(|_| out)
        })
        .map_err(value_error)
    }

    fn events(&mut self) -> Vec<(usize, u8, &'static str, u64)> {
        self.inner
            .take_events()
            .into_iter()
            .map(|(c, e)| (c, e.signal, state(e.on), e.sample))
            .collect()
    }

    fn current(&self, channel: &Bound<'_, PyAny>) -> PyResult<u8> {
        let c = self.channel(channel)?;
        Ok(self.inner.current(c))
    }

    fn reset(&mut self, channel: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = self.channel(channel)?;
        self.inner.reset(c).map_err(value_error)
    }
}

impl PyR2DetectorBank {
    fn channel(&self, obj: &Bound<'_, PyAny>) -> PyResult<usize> {
        let c = integer(obj, "channel")?;
        if c < 0 || c as usize >= self.inner.channels() {
            return Err(PyValueError::new_err(format!(
                "channel {c} out of range 0..{}",
                self.inner.channels()
            )));
        }
        Ok(c as usize)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(r2_generate, m)?)?;
    m.add_class::<PyR2Detector>()?;
    m.add_class::<PyR2DetectorBank>()?;
    Ok(())
}
