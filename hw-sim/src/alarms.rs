//! A span's receive-side alarm state, debounced as real E1 cards do.
//!
//! Timings (dahdi.md 3.4, 10; G.775 defect detection and clearing):
//! red (LOS/LOF) is declared after the defect has lasted 2.5 s (wct4xxp
//! `alarmdebounce`/`losalarmdebounce` 2500 ms), yellow (RAI received) after 0.5 s
//! (`yelalarmdebounce` 500 ms), and when red clears the RECOVER bit is held for
//! 5 s (`DAHDI_ALARMSETTLE_TIME`), so DAHDI reports "no alarm" only after it.

use cti_drivers::{AlarmBits, TrunkTime};

/// 2.5 s in frames.
pub const RED_DEBOUNCE: u64 = 20_000;
/// 0.5 s in frames.
pub const YELLOW_DEBOUNCE: u64 = 4_000;
/// 5 s in frames.
pub const RECOVER_HOLD: u64 = 40_000;

#[derive(Debug, Clone, Default)]
pub struct SpanAlarmState {
    los_since: Option<TrunkTime>,
    red: bool,
    rai_since: Option<TrunkTime>,
    yellow: bool,
    recover_until: Option<TrunkTime>,
}

impl SpanAlarmState {
    /// A span that has had no signal since before the simulation started.
    pub fn red_from_start() -> Self {
        SpanAlarmState { los_since: Some(0), red: true, ..Default::default() }
    }

    pub fn bits(&self) -> AlarmBits {
        let mut b = 0;
        if self.red {
            b |= AlarmBits::RED | AlarmBits::LOS;
        }
        if self.yellow {
            b |= AlarmBits::YELLOW;
        }
        if self.recover_until.is_some() {
            b |= AlarmBits::RECOVER;
        }
        AlarmBits(b)
    }

    /// Whether this end sends RAI toward its far end: a card does so whenever it
    /// has a local red or blue alarm (dahdi.md 3.4; G.704 2.3.2 A bit).
    pub fn sending_rai(&self) -> bool {
        self.red
    }

    /// Advance over frames [start, end) during which the receiver had a signal
    /// (or not) and the far end sent RAI (or not). Returns each change of the
    /// alarm bits with the frame at which it happened, in time order.
    pub fn update(&mut self, start: TrunkTime, end: TrunkTime, signal: bool, rai: bool) -> Vec<(TrunkTime, AlarmBits)> {
        let mut changes = Vec::new();
        let mut last = self.bits();
        let mut note = |state: &SpanAlarmState, at: TrunkTime, changes: &mut Vec<(TrunkTime, AlarmBits)>| {
            let bits = state.bits();
            if bits != last {
                changes.push((at, bits));
                last = bits;
            }
        };
        // Edges happen at the start of the interval (control requests act between chunks).
        if signal {
            if self.los_since.take().is_some() && self.red {
                self.red = false;
                self.recover_until = Some(start + RECOVER_HOLD);
                note(self, start, &mut changes);
            }
        } else if self.los_since.is_none() {
            self.los_since = Some(start);
        }
        if signal && rai {
            self.rai_since.get_or_insert(start);
        } else {
            self.rai_since = None;
            if self.yellow {
                self.yellow = false;
                note(self, start, &mut changes);
            }
        }
        // Thresholds crossed inside the interval, in time order.
        let mut due: Vec<(TrunkTime, u8)> = Vec::new();
        if let (Some(s), false) = (self.los_since, self.red) {
            due.push((s + RED_DEBOUNCE, 0));
        }
        if let (Some(s), false) = (self.rai_since, self.yellow) {
            due.push((s + YELLOW_DEBOUNCE, 1));
        }
        if let Some(r) = self.recover_until {
            due.push((r, 2));
        }
        due.sort();
        for (at, what) in due {
            if at >= end {
                continue;
            }
            let at = at.max(start);
            match what {
                0 => {
                    self.red = true;
                    self.recover_until = None;
                }
                1 => self.yellow = true,
                _ => self.recover_until = None,
            }
            note(self, at, &mut changes);
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &mut SpanAlarmState, from: u64, to: u64, signal: bool, rai: bool) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        let mut t = from;
        while t < to {
            out.extend(state.update(t, t + 8, signal, rai).into_iter().map(|(t, b)| (t, b.0)));
            t += 8;
        }
        out
    }

    #[test]
    fn red_after_2_5_s_recovery_held_5_s() {
        let mut s = SpanAlarmState::default();
        assert_eq!(run(&mut s, 0, 800, true, false), vec![]);
        assert_eq!(run(&mut s, 800, 40_000, false, false), vec![(20_800, AlarmBits::RED | AlarmBits::LOS)]);
        assert_eq!(
            run(&mut s, 40_000, 100_000, true, false),
            vec![(40_000, AlarmBits::RECOVER), (80_000, 0)]
        );
    }

    #[test]
    fn short_loss_raises_nothing() {
        let mut s = SpanAlarmState::default();
        assert_eq!(run(&mut s, 0, 19_992, false, false), vec![]);
        assert_eq!(run(&mut s, 19_992, 30_000, true, false), vec![]);
    }

    #[test]
    fn yellow_after_0_5_s_and_clears_at_once() {
        let mut s = SpanAlarmState::default();
        assert_eq!(run(&mut s, 0, 8_000, true, true), vec![(4_000, AlarmBits::YELLOW)]);
        assert_eq!(run(&mut s, 8_000, 9_000, true, false), vec![(8_000, 0)]);
    }
}
