//! `VoiceDetector` and `VoiceDetectorBank`.

use super::arrays::{int16_matrix, int16_vector};
use super::tones::{float_arg, int_arg};
use crate::vad::{self as k, VadConfigError, VoiceEvent};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

const MAX_CHANNELS: usize = 100_000;

fn config_error(e: VadConfigError, threshold: f64, hangover: f64) -> PyErr {
    match e {
        VadConfigError::Threshold => PyValueError::new_err(format!(
            "threshold_dbm0 must be finite and in {}..={}, got {threshold}",
            k::THRESHOLD_RANGE.0,
            k::THRESHOLD_RANGE.1
        )),
        VadConfigError::Hangover => PyValueError::new_err(format!(
            "hangover_ms must be finite and in 0..={}, got {hangover}",
            k::MAX_HANGOVER_MS
        )),
    }
}

/// Defaults: threshold -40 dBm0, hangover 300 ms.
fn config_args(threshold: Option<&Bound<'_, PyAny>>, hangover: Option<&Bound<'_, PyAny>>) -> PyResult<(f64, f64)> {
    let t = match threshold {
        Some(t) if !t.is_none() => float_arg(t, "threshold_dbm0")?,
        _ => -40.0,
    };
    let h = match hangover {
        Some(h) if !h.is_none() => float_arg(h, "hangover_ms")?,
        _ => 300.0,
    };
    Ok((t, h))
}

fn tuple(e: &VoiceEvent) -> (&'static str, u64) {
    (e.kind.as_str(), e.sample)
}

/// Voice activity detector for one channel. `process(pcm)` returns
/// `("speech_start"|"speech_end", sample)` tuples found in this call; `events()`
/// drains every event since the last call. Samples count from creation or reset.
#[pyclass(name = "VoiceDetector", module = "cti_daemon._native")]
struct PyVoiceDetector {
    inner: k::VoiceDetector,
}

#[pymethods]
impl PyVoiceDetector {
    #[new]
    #[pyo3(signature = (threshold_dbm0 = None, hangover_ms = None))]
    fn new(threshold_dbm0: Option<&Bound<'_, PyAny>>, hangover_ms: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let (threshold_dbm0, hangover_ms) = config_args(threshold_dbm0, hangover_ms)?;
        let inner = k::VoiceDetector::new(threshold_dbm0, hangover_ms)
            .map_err(|e| config_error(e, threshold_dbm0, hangover_ms))?;
        Ok(Self { inner })
    }

    fn process(&mut self, py: Python<'_>, pcm: &Bound<'_, PyAny>) -> PyResult<Vec<(&'static str, u64)>> {
        let x = int16_vector(pcm, "pcm")?;
        let inner = &mut self.inner;
        let found = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&x, &mut out);
            out
        });
        Ok(found.iter().map(tuple).collect())
    }

    fn events(&mut self) -> Vec<(&'static str, u64)> {
        self.inner.take_events().iter().map(tuple).collect()
    }

    fn reset(&mut self) {
        self.inner.reset();
    }
}

/// One `VoiceDetector` per channel. `process(block)` takes int16 shaped
/// (channels, n) and returns `(channel, (kind, sample))` tuples; `events()`
/// drains `(channel, kind, sample)`; `reset(channel)`.
#[pyclass(name = "VoiceDetectorBank", module = "cti_daemon._native")]
struct PyVoiceDetectorBank {
    inner: k::VoiceDetectorBank,
}

#[pymethods]
impl PyVoiceDetectorBank {
    #[new]
    #[pyo3(signature = (channels, threshold_dbm0 = None, hangover_ms = None))]
    fn new(
        channels: &Bound<'_, PyAny>,
        threshold_dbm0: Option<&Bound<'_, PyAny>>,
        hangover_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let channels = int_arg(channels, "channels")?;
        let (threshold_dbm0, hangover_ms) = config_args(threshold_dbm0, hangover_ms)?;
        if channels < 1 || channels as u64 > MAX_CHANNELS as u64 {
            return Err(PyValueError::new_err(format!("channels must be 1..={MAX_CHANNELS}, got {channels}")));
        }
        let inner = k::VoiceDetectorBank::new(channels as usize, threshold_dbm0, hangover_ms)
            .map_err(|e| config_error(e, threshold_dbm0, hangover_ms))?;
        Ok(Self { inner })
    }

    fn process(&mut self, py: Python<'_>, block: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, (&'static str, u64))>> {
        let channels = self.inner.channels();
        let s = int16_matrix(block, "block", channels)?;
        let n = s.shape[1];
        let inner = &mut self.inner;
        let found = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&s.data, channels, n, &mut out);
            out
        });
        Ok(found.iter().map(|(c, e)| (*c, tuple(e))).collect())
    }

    fn events(&mut self) -> Vec<(usize, &'static str, u64)> {
        self.inner.take_events().iter().map(|(c, e)| (*c, e.kind.as_str(), e.sample)).collect()
    }

    fn reset(&mut self, channel: &Bound<'_, PyAny>) -> PyResult<()> {
        let channel = int_arg(channel, "channel")?;
        let n = self.inner.channels();
        if channel < 0 || channel as u64 >= n as u64 {
            return Err(PyValueError::new_err(format!("channel must be 0..{n}, got {channel}")));
        }
        self.inner.reset(channel as usize);
        Ok(())
    }

    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVoiceDetector>()?;
    m.add_class::<PyVoiceDetectorBank>()?;
    Ok(())
}
