//! Media plane kernels of the CTI daemon.
//!
//! Every kernel is plain Rust with its own `cargo test` conformance tests; the
//! Python surface (feature `python`, built by maturin as `cti_daemon._native`)
//! is a thin typed layer in `python/`.

pub mod common;
pub mod echo;
pub mod g711;
pub mod r2mf;
pub mod dtmf;
pub mod tones;
pub mod vad;

#[cfg(feature = "python")]
mod python;
