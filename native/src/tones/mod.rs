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
//! - While an occurrence holds and its cadence holds, no other name is reported.
//! - Tone to tone (ringback then busy, dial then ringback, busy then congestion,
//!   ringback then SIT ...): a segment that cannot belong to the active tone's
//!   pattern (`rules::segment_belongs`: a 0.35 s burst inside ringback, a gap in
//!   dial tone, another band) breaks its cadence at the segment's start. If
//!   another tone is then recognised by its usual rule over segments that all
//!   began at or after the break, the old occurrence ends ("end" event at the
//!   break's sample, earlier than the decision) and the new one starts. A gap
//!   that opens at the break (dial tone stopped) leads in like the silence at
//!   the stream's start. The old tone's own cadence matching again clears the
//!   break (a disturbed off-period). A broken occurrence that nothing replaces
//!   ends, at the decision, once the plan's longest recognition span plus
//!   0.5 s has passed since the break was seen; its own timers are suspended
//!   meanwhile (busy's 525 ms would otherwise end it inside congestion's 700 ms
//!   off-period). A cadence that simply stops is never "broken" (the silence is
//!   not a segment until something follows it): it ends by the rule above.

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
