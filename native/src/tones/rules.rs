//! Cadence rules over the history of on/off segments.

use super::plan::{Rule, ToneSpec, MEASURE_SLACK_MS};
use std::collections::VecDeque;

/// One completed on- or off-segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub on: bool,
    pub band: usize,
    pub ms: f64,
    /// On: level and frequency steady. Off: mostly quiet (not speech).
    pub valid: bool,
}

/// Whether the latest segments of `h` satisfy the cadence or sequence rule of
/// `tone`. Cadence windows may start at any rotation of the pattern but must
/// hold at least one on-segment (silence alone never matches).
pub(crate) fn history_matches(h: &VecDeque<Segment>, tone: &ToneSpec) -> bool {
    match &tone.rule {
        Rule::Cadence { band, pattern, window } => {
            let k = *window;
            if h.len() < k {
                return false;
            }
            let win: Vec<&Segment> = h.iter().skip(h.len() - k).collect();
            if !win.iter().any(|s| s.on) {
                return false;
            }
            let l = pattern.len();
            (0..l).any(|r| {
                win.iter().enumerate().all(|(i, s)| {
                    let idx = (r + i) % l;
                    let want_on = idx % 2 == 0;
                    s.on == want_on && s.valid && (!s.on || s.band == *band) && pattern[idx].fits(s.ms)
                })
            })
        }
        Rule::Sequence { bands, each, gap_ms } => {
            if h.len() < 5 {
                return false;
            }
            let win: Vec<&Segment> = h.iter().skip(h.len() - 5).collect();
            (0..5).all(|i| {
                let s = win[i];
                if i % 2 == 0 {
                    s.on && s.valid && s.band == bands[i / 2] && each.fits(s.ms)
                } else {
                    !s.on && s.ms <= gap_ms + MEASURE_SLACK_MS
                }
            })
        }
        _ => false,
    }
}

/// Longest time between two matches of a tone whose cadence continues.
pub(crate) fn cycle_ms(spec: &ToneSpec) -> f64 {
    match &spec.rule {
        Rule::Cadence { pattern, .. } => pattern.iter().map(|s| s.max).sum::<f64>().max(400.0),
        Rule::Sequence { each, gap_ms, .. } => 3.0 * each.max + 2.0 * gap_ms + 1250.0,
        _ => 400.0,
    }
}
