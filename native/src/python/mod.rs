//! The Python surface, `cti_daemon._native`. Kept thin: argument checking,
//! numpy conversion, and the GIL released around every sample loop.

use pyo3::prelude::*;

mod arrays;
mod echo;
mod g711;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    g711::register(m)?;
    echo::register(m)?;
    Ok(())
}
