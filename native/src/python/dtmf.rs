//! DTMF generator and detectors (`dsp.dtmf_generate`, `dsp.DtmfDetector`,
//! `dsp.DtmfDetectorBank`).

use super::arrays::{int16_matrix, int16_vector, to_numpy};
use crate::common::Law;
use crate::dtmf as k;
use numpy::PyArrayDyn;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Most channels one bank holds: 65 536 x 288 bytes = 19 MB, far beyond any
/// E1 shelf, and a guard against absurd allocations.
const MAX_CHANNELS: i64 = 1 << 16;

fn digit_str(d: u8) -> String {
    (d as char).to_string()
}

/// dtmf_generate(digits, on_ms=100, off_ms=100, low_dbm0=-10.0, high_dbm0=-10.0, law="alaw") -> int16 array
///
/// Each digit (0-9, *, #, A-D) is `on_ms` of its two Q.23 tones, low tone at
/// `low_dbm0` and high tone at `high_dbm0` (per tone, in dBm0 of `law`, "alaw"
/// or "ulaw": 0 dBm0 is that law's digital milliwatt through our own
/// decoder), then `off_ms` of silence. ValueError for unknown digits, an
/// unknown law, levels whose peaks sum above the law's largest decoded value
/// (A-law 32 256, mu-law 32 124: the coder would flatten them; two equal
/// tones at most -3.016 dBm0 in A-law, -2.986 dBm0 in mu-law), and durations
/// outside 0..60000 ms.
#[pyfunction]
#[pyo3(
    signature = (digits, on_ms=100.0, off_ms=100.0, low_dbm0=-10.0, high_dbm0=-10.0, law="alaw"),
    text_signature = "(digits, on_ms=100.0, off_ms=100.0, low_dbm0=-10.0, high_dbm0=-10.0, law=\"alaw\")"
)]
fn dtmf_generate<'py>(
    py: Python<'py>,
    digits: &str,
    on_ms: f64,
    off_ms: f64,
    low_dbm0: f64,
    high_dbm0: f64,
    law: &str,
) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    let law = match law {
        "alaw" => Law::Alaw,
        "ulaw" => Law::Ulaw,
        other => return Err(PyValueError::new_err(format!("law must be \"alaw\" or \"ulaw\", got {other:?}"))),
    };
    let digits = digits.to_owned();
    let pcm = py
        .detach(|| k::generate(&digits, on_ms, off_ms, low_dbm0, high_dbm0, law))
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let n = pcm.len();
    to_numpy(py, pcm, &[n])
}

/// DtmfDetector(): streaming Q.24 DTMF receiver for one 8 kHz channel.
///
/// `process(pcm)` takes a 1-D int16 array and returns the digits whose
/// recognition completed within it (a digit is reported once, 25-38 ms after
/// its tone starts when it follows a pause, and never more than 60 ms after).
/// The result does not depend on how the stream is cut into calls. A digit
/// bridges absences of its tones under 20 ms and ends on absences over 40 ms.
/// `events()` drains `(digit, start_sample, end_sample)` of digits that have
/// ended (start: first sample of the first 102-sample block holding the
/// digit; end: one past the last 51-sample half-block holding its tones).
/// `flush()` marks the end of the stream.
#[pyclass(name = "DtmfDetector", module = "cti_daemon._native")]
struct PyDtmfDetector {
    inner: k::DtmfDetector,
}

#[pymethods]
impl PyDtmfDetector {
    #[new]
    fn new() -> Self {
        Self { inner: k::DtmfDetector::new() }
    }

    fn process(&mut self, py: Python<'_>, pcm: &Bound<'_, PyAny>) -> PyResult<String> {
        let data = int16_vector(pcm, "pcm")?;
        let inner = &mut self.inner;
        let out = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&data, &mut out);
            out
        });
        Ok(out.into_iter().map(|d| d as char).collect())
    }

    fn events(&mut self) -> Vec<(String, u64, u64)> {
        self.inner.take_events().into_iter().map(|e| (digit_str(e.digit), e.start, e.end)).collect()
    }

    fn flush(&mut self) {
        self.inner.flush();
    }

    fn reset(&mut self) {
        self.inner.reset();
    }
}

/// DtmfDetectorBank(channels): one DtmfDetector per channel, fed together.
///
/// `process(block)` takes int16 shaped (channels, n) and returns
/// `[(channel, digit), ...]`; `events()` drains `(channel, digit, start, end)`;
/// `flush()` ends every channel's stream; `reset(channel)` restarts one.
#[pyclass(name = "DtmfDetectorBank", module = "cti_daemon._native")]
struct PyDtmfDetectorBank {
    inner: k::DtmfDetectorBank,
}

#[pymethods]
impl PyDtmfDetectorBank {
    #[new]
    fn new(channels: i64) -> PyResult<Self> {
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(PyValueError::new_err(format!("channels must be 1..={MAX_CHANNELS}, got {channels}")));
        }
        Ok(Self { inner: k::DtmfDetectorBank::new(channels as usize) })
    }

    #[getter]
    fn channels(&self) -> usize {
        self.inner.channels()
    }

    fn process(&mut self, py: Python<'_>, block: &Bound<'_, PyAny>) -> PyResult<Vec<(usize, String)>> {
        let channels = self.inner.channels();
        let s = int16_matrix(block, "block", channels)?;
        let n = s.shape[1];
        let inner = &mut self.inner;
        let out = py.detach(|| {
            let mut out = Vec::new();
            inner.process(&s.data, channels, n, &mut out);
            out
        });
        Ok(out.into_iter().map(|(ch, d)| (ch, digit_str(d))).collect())
    }

    fn events(&mut self) -> Vec<(usize, String, u64, u64)> {
        self.inner
            .take_events()
            .into_iter()
            .map(|(ch, e)| (ch, digit_str(e.digit), e.start, e.end))
            .collect()
    }

    fn flush(&mut self) {
        self.inner.flush();
    }

    fn reset(&mut self, channel: i64) -> PyResult<()> {
        let channels = self.inner.channels();
        if channel < 0 || channel as u64 >= channels as u64 {
            return Err(PyValueError::new_err(format!("channel {channel} out of range 0..{channels}")));
        }
        self.inner.reset(channel as usize);
        Ok(())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dtmf_generate, m)?)?;
    m.add_class::<PyDtmfDetector>()?;
    m.add_class::<PyDtmfDetectorBank>()?;
    Ok(())
}
