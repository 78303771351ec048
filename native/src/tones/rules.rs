//! Cadence rules over the history of on/off segments.

use super::plan::{Rule, Span, ToneSpec, MEASURE_ERROR_MS};
use std::collections::VecDeque;

/// One completed on- or off-segment (or the off-segment in progress).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    pub on: bool,
    pub band: usize,
    pub ms: f64,
    /// On: level and frequency steady. Off: mostly quiet (not speech).
    pub valid: bool,
    /// Where the segment began (ms from the stream start).
    pub start_ms: f64,
}

/// The last `k` segments of the history followed by `open` (if any), by index.
struct Window<'a> {
    h: &'a VecDeque<Segment>,
    open: Option<&'a Segment>,
    from: usize,
    k: usize,
}

impl<'a> Window<'a> {
    fn new(h: &'a VecDeque<Segment>, open: Option<&'a Segment>, k: usize) -> Option<Self> {
        let total = h.len() + open.is_some() as usize;
        (total >= k).then(|| Window { h, open, from: total - k, k })
    }
    fn get(&self, i: usize) -> &'a Segment {
        let j = self.from + i;
        if j < self.h.len() {
            &self.h[j]
        } else {
            self.open.expect("index past the history needs the open segment")
        }
    }
}

/// Whether the tone/silence ratio `on / off` lies within `ratio`, allowing the
/// measuring error on each part.
fn ratio_fits(ratio: &Span, on: f64, off: f64) -> bool {
    let e = MEASURE_ERROR_MS;
    on + e >= ratio.min * (off - e) && on - e <= ratio.max * (off + e)
}

/// Whether the latest segments of `h`, followed by the off-segment in progress
/// `open` when given, satisfy the cadence or sequence rule of `tone`. Cadence
/// windows may start at any rotation of the pattern but must hold at least
/// one on-segment (silence alone never matches). `origin_ms`: where the
/// stream counts as starting for this match (a break of another tone's
/// cadence, else minus infinity): an off-segment that began exactly there (the
/// gap that broke a dial tone) leads in like the silence before the stream's
/// first tone. An off-segment of the old tone before the break still counts:
/// the old tone's last (cut) burst and the silence after it must not pass for
/// one cycle of call waiting.
pub(crate) fn history_matches(h: &VecDeque<Segment>, open: Option<&Segment>, tone: &ToneSpec, origin_ms: f64) -> bool {
    match &tone.rule {
        Rule::Cadence { band, pattern, window } => {
            let Some(win) = Window::new(h, open, *window) else { return false };
            if !(0..win.k).any(|i| win.get(i).on) {
                return false;
            }
            let l = pattern.len();
            // With the off-period in progress, the window must open with an
            // on-period that follows a silence at least as long as the slot before
            // it (or the stream's start): the last burst of another cadence (vacant's
            // 400 ms, then silence) must not pass for one cycle of call waiting.
            let before = if open.is_some() && win.from > 0 { Some(&h[win.from - 1]) } else { None };
            let before = before.filter(|b| b.on || (b.start_ms - origin_ms).abs() > 2.0 * MEASURE_ERROR_MS);
            (0..l).any(|r| {
                if open.is_some() {
                    let lead_in = pattern[(r + l - 1) % l].min - MEASURE_ERROR_MS;
                    if r % 2 != 0 || before.is_some_and(|b| b.on || b.ms < lead_in) {
                        return false;
                    }
                }
                (0..win.k).all(|i| {
                    let s = win.get(i);
                    let idx = (r + i) % l;
                    let want_on = idx % 2 == 0;
                    s.on == want_on && s.valid && (!s.on || s.band == *band) && pattern[idx].fits(s.ms)
                })
            })
        }
        Rule::Periodic { band, period, ratio, window } => {
            if open.is_some() {
                return false;
            }
            let Some(win) = Window::new(h, None, *window) else { return false };
            (0..win.k).all(|i| {
                let s = win.get(i);
                s.valid && (!s.on || s.band == *band)
            }) && (1..win.k).all(|i| {
                let (a, b) = (win.get(i - 1), win.get(i));
                if a.on == b.on {
                    return false;
                }
                let (on, off) = if a.on { (a.ms, b.ms) } else { (b.ms, a.ms) };
                period.fits(on + off) && ratio_fits(ratio, on, off)
            })
        }
        Rule::Sequence { bands, each, gap_ms } => {
            if open.is_some() {
                return false;
            }
            let Some(win) = Window::new(h, None, 5) else { return false };
            (0..5).all(|i| {
                let s = win.get(i);
                if i % 2 == 0 {
                    s.on && s.valid && s.band == bands[i / 2] && each.fits(s.ms)
                } else {
                    !s.on && s.ms <= gap_ms + MEASURE_ERROR_MS
                }
            })
        }
        _ => false,
    }
}

/// Off-period durations (ms) at which an off-segment in progress can complete a
/// cadence of `spec`: the minimum of each off slot of its pattern.
pub(crate) fn open_off_thresholds(spec: &ToneSpec) -> Vec<f64> {
    match &spec.rule {
        Rule::Cadence { pattern, .. } => {
            pattern.iter().skip(1).step_by(2).map(|s| (s.min - MEASURE_ERROR_MS).max(0.0)).collect()
        }
        _ => Vec::new(),
    }
}

/// Longest time between two matches of a tone whose cadence continues.
pub(crate) fn cycle_ms(spec: &ToneSpec) -> f64 {
    match &spec.rule {
        Rule::Cadence { pattern, .. } => pattern.iter().map(|s| s.max).sum::<f64>().max(400.0),
        Rule::Periodic { period, .. } => period.max.max(400.0),
        Rule::Sequence { each, gap_ms, .. } => 3.0 * each.max + 2.0 * gap_ms + 1250.0,
        _ => 400.0,
    }
}

/// How many segments of the history (including the off-segment in progress,
/// when `open`) a match of `spec` spans; 0 for rules over the run in progress.
pub(crate) fn window_len(spec: &ToneSpec, open: bool) -> usize {
    match &spec.rule {
        Rule::Cadence { window, .. } => *window,
        Rule::Periodic { window, .. } => *window,
        Rule::Sequence { .. } => 5,
        _ => usize::from(open),
    }
}

/// Whether `seg` can be part of `spec`'s pattern (tone running on). With
/// `in_progress` the segment is an on-period still going on: only "too long"
/// and "wrong band" count against it. A segment that cannot belong breaks the
/// tone's cadence (see `detector::ToneDetector::push_segment`).
pub(crate) fn segment_belongs(seg: &Segment, spec: &ToneSpec, in_progress: bool) -> bool {
    let e = MEASURE_ERROR_MS;
    let fits = |s: &Span| if in_progress { seg.ms <= s.max + e } else { s.fits(seg.ms) };
    match &spec.rule {
        Rule::Cadence { band, pattern, .. } => {
            let slots = pattern.iter().skip(usize::from(!seg.on)).step_by(2);
            seg.valid && (!seg.on || seg.band == *band) && slots.clone().any(fits)
        }
        Rule::Periodic { band, period, ratio, .. } => {
            // Each part is period * r / (1 + r) for r in the ratio range (on) or
            // period / (1 + r) (off): both lie in [period.min * lo, period.max * hi].
            let (rlo, rhi) = (ratio.min, ratio.max);
            let part = Span::new(period.min * rlo.min(1.0 / rhi) / (1.0 + rlo.min(1.0 / rhi)), period.max * rhi.max(1.0 / rlo) / (1.0 + rhi.max(1.0 / rlo)));
            seg.valid && (!seg.on || seg.band == *band) && fits(&part)
        }
        Rule::Sequence { bands, each, gap_ms } => {
            if seg.on {
                seg.valid && bands.contains(&seg.band) && fits(each)
            } else {
                // A gap between the three tones, or the silence after them (E.180:
                // 1000 +- 250 ms; see `ToneSpec::longest_off_ms`).
                seg.ms <= gap_ms + e || Span::new(750.0, 1250.0).fits(seg.ms)
            }
        }
        Rule::Continuous { band, .. } | Rule::Plain { band, .. } | Rule::Reversals { band, .. } => seg.on && seg.band == *band,
    }
}

/// Longest time (ms) from the first segment of a pattern to its recognition,
/// over every tone of a plan: how long a broken occurrence waits for the tone
/// that replaces it.
pub(crate) fn recognition_span_ms(spec: &ToneSpec) -> f64 {
    match &spec.rule {
        Rule::Cadence { pattern, window, .. } => {
            let l = pattern.len();
            (0..l).map(|r| (0..*window).map(|i| pattern[(r + i) % l].max).sum::<f64>()).fold(0.0, f64::max)
        }
        Rule::Periodic { period, window, .. } => *window as f64 * period.max,
        Rule::Sequence { each, gap_ms, .. } => 3.0 * each.max + 2.0 * gap_ms,
        Rule::Continuous { min_ms, .. } | Rule::Plain { min_ms, .. } => *min_ms,
        Rule::Reversals { interval, .. } => 3.0 * interval.max,
    }
}
