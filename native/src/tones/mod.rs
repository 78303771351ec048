//! Call-progress, SIT, fax and answer tones: plans as data (`plan`), the block
//! analyser (`analysis`), the detector (`detector`) and the generator beside it
//! (`generator`).

pub mod analysis;
pub mod detector;
pub mod generator;
pub mod plan;

pub use detector::{CompiledPlan, EventKind, ToneDetector, ToneDetectorBank, ToneEvent};
pub use generator::{generate, GenerateError};
pub use plan::{Plan, ToneName, PLAN_NAMES};

#[cfg(test)]
mod tests;
