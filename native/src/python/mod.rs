//! The Python surface, `cti_daemon._native`. Kept thin: argument checking,
//! numpy conversion, and the GIL released around every sample loop.

use pyo3::prelude::*;

mod arrays;
mod echo;
mod g711;
mod r2mf;
mod dtmf;
mod tones;
mod vad;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    g711::register(m)?;
    r2mf::register(m)?;
    dtmf::register(m)?;
    tones::register(m)?;
    vad::register(m)?;
    echo::register(m)?;
    Ok(())
}
