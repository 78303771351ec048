//! Call-progress, SIT, fax and answer tones: plans as data (`plan`), the block
//! analyser (`analysis`), the detector (`detector`) and the generator beside it
//! (`generator`).
//!
//! Semantics of the detector's output:
//! - A name is reported once per occurrence, at the end of the 10 ms block in
//!   which it was recognised ("start" event, same sample). A cadence is
//!   recognised at the edge that completes its window (busy and congestion: the
//!   end of the second on-period) or, for a window ending in an off-period, as
//!   soon as that off-period has lasted its minimum (ringback: 0.9-1.1 s on,
//!   then 3.6 s off, so within 5 s of the first on-period's start).
//! - An occurrence ends ("end" event, at the block where that was decided) when
//!   no block of the tone's band has been heard for 1.5 times *that tone's*
//!   longest off-period (200 ms for continuous tones), or when its cadence has
//!   stopped matching for two whole cycles (a tone that changed cadence).
//! - While an occurrence holds, no other name is reported.

pub mod analysis;
pub mod bank;
pub mod detector;
pub mod generator;
pub mod plan;
mod rules;
pub mod sinefit;

pub use bank::ToneDetectorBank;
pub use detector::{CompiledPlan, EventKind, ToneDetector, ToneEvent};
pub use generator::{generate, GenerateError};
pub use plan::{Plan, ToneName, PLAN_NAMES};

#[cfg(test)]
mod tests;
