//! Generators for every plan tone, with its cadence (the engine's "tone"
//! command, and test signals). Output is linear int16; the caller codes it.

use super::plan::{Generation, Plan, ToneName};
use crate::common::level::sine_peak;
use crate::common::oscillator::{saturate, Oscillator};
use crate::common::{Law, SAMPLE_RATE};
use std::f64::consts::PI;

fn samples(ms: f64) -> usize {
    (ms * SAMPLE_RATE / 1000.0).round() as usize
}

/// Why a tone could not be generated.
#[derive(Debug, PartialEq)]
pub enum GenerateError {
    UnknownTone,
    BadDuration,
    BadLevel,
}

/// Longest tone `generate` produces (10 minutes).
pub const MAX_DURATION_MS: f64 = 600_000.0;

/// `duration_ms` of `name` from `plan` at `level_dbm0` (the plan's nominal level
/// when None), starting at the beginning of its cadence.
pub fn generate(plan: &Plan, name: ToneName, duration_ms: f64, level_dbm0: Option<f64>) -> Result<Vec<i16>, GenerateError> {
    let spec = plan.tone(name).ok_or(GenerateError::UnknownTone)?;
    if !duration_ms.is_finite() || !(0.0..=MAX_DURATION_MS).contains(&duration_ms) {
        return Err(GenerateError::BadDuration);
    }
    let level = level_dbm0.unwrap_or(spec.level_dbm0);
    // One tone at a time, so up to the coder's overload point (about +3 dBm0).
    if !level.is_finite() || !(-90.0..=3.0).contains(&level) {
        return Err(GenerateError::BadLevel);
    }
    let peak = sine_peak(Law::Alaw, level);
    let total = samples(duration_ms);
    let mut out = Vec::with_capacity(total);
    match &spec.generation {
        Generation::Keyed { freq, cadence } => {
            let mut osc = Oscillator::new(*freq, peak);
            if cadence.is_empty() {
                out.extend((0..total).map(|_| saturate(osc.next())));
            } else {
                'outer: loop {
                    for &(on, off) in cadence {
                        for _ in 0..samples(on) {
                            if out.len() == total {
                                break 'outer;
                            }
                            out.push(saturate(osc.next()));
                        }
                        for _ in 0..samples(off) {
                            if out.len() == total {
                                break 'outer;
                            }
                            out.push(0);
                        }
                    }
                }
            }
        }
        Generation::Sequence { parts, silence_ms } => {
            'seq: loop {
                for &(freq, ms) in parts {
                    let mut osc = Oscillator::new(freq, peak);
                    for _ in 0..samples(ms) {
                        if out.len() == total {
                            break 'seq;
                        }
                        out.push(saturate(osc.next()));
                    }
                }
                for _ in 0..samples(*silence_ms) {
                    if out.len() == total {
                        break 'seq;
                    }
                    out.push(0);
                }
            }
        }
        Generation::Reversing { freq, every_ms } => {
            let mut osc = Oscillator::new(*freq, peak);
            let every = samples(*every_ms).max(1);
            for i in 0..total {
                if i > 0 && i % every == 0 {
                    osc.shift(PI);
                }
                out.push(saturate(osc.next()));
            }
        }
    }
    Ok(out)
}
