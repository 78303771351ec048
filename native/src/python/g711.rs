use super::arrays::{int16_array, octets, to_numpy};
use crate::g711 as k;
use numpy::PyArrayDyn;
use pyo3::prelude::*;

fn encode<'py>(
    py: Python<'py>,
    pcm: &Bound<'py, PyAny>,
    f: fn(&[i16], &mut [u8]),
) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    let s = int16_array(pcm, "pcm")?;
    let out = py.detach(|| {
        let mut out = vec![0u8; s.data.len()];
        f(&s.data, &mut out);
        out
    });
    to_numpy(py, out, &s.shape)
}

fn decode<'py>(
    py: Python<'py>,
    codes: &Bound<'py, PyAny>,
    f: fn(&[u8], &mut [i16]),
) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    let s = octets(codes, "codes")?;
    let out = py.detach(|| {
        let mut out = vec![0i16; s.data.len()];
        f(&s.data, &mut out);
        out
    });
    to_numpy(py, out, &s.shape)
}

fn convert<'py>(
    py: Python<'py>,
    codes: &Bound<'py, PyAny>,
    f: fn(&[u8], &mut [u8]),
) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    let s = octets(codes, "codes")?;
    let out = py.detach(|| {
        let mut out = vec![0u8; s.data.len()];
        f(&s.data, &mut out);
        out
    });
    to_numpy(py, out, &s.shape)
}

/// Encode int16 PCM (any shape) to A-law octets (G.711, STL rounding).
#[pyfunction]
fn alaw_encode<'py>(py: Python<'py>, pcm: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    encode(py, pcm, k::alaw_encode_slice)
}

/// Encode int16 PCM (any shape) to mu-law octets (G.711, STL rounding).
#[pyfunction]
fn ulaw_encode<'py>(py: Python<'py>, pcm: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    encode(py, pcm, k::ulaw_encode_slice)
}

/// Decode A-law octets (uint8 array or bytes) to int16.
#[pyfunction]
fn alaw_decode<'py>(py: Python<'py>, codes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    decode(py, codes, k::alaw_decode_slice)
}

/// Decode mu-law octets (uint8 array or bytes) to int16.
#[pyfunction]
fn ulaw_decode<'py>(py: Python<'py>, codes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<i16>>> {
    decode(py, codes, k::ulaw_decode_slice)
}

/// A-law to mu-law octets through G.711 Table 4.
#[pyfunction]
fn alaw_to_ulaw<'py>(py: Python<'py>, codes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    convert(py, codes, k::alaw_to_ulaw_slice)
}

/// mu-law to A-law octets through G.711 Table 3.
#[pyfunction]
fn ulaw_to_alaw<'py>(py: Python<'py>, codes: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArrayDyn<u8>>> {
    convert(py, codes, k::ulaw_to_alaw_slice)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(alaw_encode, m)?)?;
    m.add_function(wrap_pyfunction!(ulaw_encode, m)?)?;
    m.add_function(wrap_pyfunction!(alaw_decode, m)?)?;
    m.add_function(wrap_pyfunction!(ulaw_decode, m)?)?;
    m.add_function(wrap_pyfunction!(alaw_to_ulaw, m)?)?;
    m.add_function(wrap_pyfunction!(ulaw_to_alaw, m)?)?;
    Ok(())
}
