//! The `sim` backend: a client of the hw-sim process.

pub mod protocol;
mod wire;
