//! G.168 line echo canceller.
//!
//! Signal names follow G.168 clause 3: Rin is what we send toward the line, Sin
//! what comes back (near-end speech plus the echo of Rin), Sout the cancelled
//! Sin. Sample i of Sout belongs to sample i of Sin: no delay is added.

pub mod bank;
pub mod canceller;
pub mod comfort_noise;
pub mod delay;
pub mod disabler;
pub mod filter;
pub mod nlp;
pub mod paths;
pub mod simd;

pub use bank::EchoCancellerBank;
pub use canceller::{Config, EchoCanceller, SHORT_TAPS, TAIL_MS};
pub use paths::g168_echo_path;

#[cfg(test)]
mod tests;
