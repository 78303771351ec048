//! The `sim` backend: a client of the hw-sim process.

pub mod bench;
pub mod client;
pub mod impairments;
pub mod protocol;
mod wire;

pub use client::{SimBackend, SimChannel};
pub use impairments::{EchoPath, Impairments, SlipKind, MAX_PPM};
