//! G.168 line echo canceller.
//!
//! Signal names follow G.168 clause 3: Rin is what we send toward the line, Sin
//! what comes back (near-end speech plus the echo of Rin), Sout the cancelled
//! Sin. Sample i of Sout belongs to sample i of Sin: no delay is added.
//!
//! Design (one channel, `canceller.rs`):
//! * Sin and Rin pass the same 150 Hz high-pass (`filter.rs`), which removes DC
//!   and mains hum from Sin without changing the path to be modelled.
//! * A short filter of 160 taps ([`SHORT_TAPS`]) sits at a bulk delay anywhere in
//!   the 16-128 ms tail; it filters every sample (AVX2+FMA or scalar dot
//!   product, `simd.rs`) and tracks slow drift by NLMS.
//! * Placing and filling it is a block least-squares search (`delay.rs`): from
//!   running cross- and auto-correlations over the whole tail it locates the
//!   echo (normalised, pre-whitened correlation) and solves the normal equations
//!   of the window exactly (a first search solves only 116 or 96 taps around
//!   the correlation peak for its first 250 ms, every 1 ms until the filter
//!   is placed and stable, then when new echo arrives, with a heavier ridge,
//!   keeping the fit of least final prediction error; Sout is whichever of
//!   Sin, the running filter's residual and the newest candidate's residual
//!   had the least power over the last 1 ms). Each solution first runs as a
//!   shadow filter and replaces the running one only if it does better on
//!   the samples that followed. A search runs after reset, whenever the residual stays within
//!   10 dB of Sin (a path change, or a filter spoilt by double talk), and as a
//!   refinement after 5 s of far-end speech; it ends when candidates stop
//!   improving. Once converged, a candidate must be 6 dB better, and win a
//!   second interval unless it is a clear (15 dB) fit.
//! * Double talk freezes NLMS (residual above its usual share of Sin, 2 ms and
//!   16 ms detectors); tones on Rin (order-2 prediction gain > 25 dB) freeze
//!   NLMS and block searches (G.168 test 6).
//! * NLP with comfort noise (`nlp.rs`, `comfort_noise.rs`), and the G.165/G.168
//!   tone disabler in both directions (`disabler.rs`).
//! * [`EchoCancellerBank`] runs many channels over row-major blocks; the solve's
//!   N x N workspace is shared per thread, so a channel's state stays ~20 KiB.

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
