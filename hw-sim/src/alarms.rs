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
    red_since: Option<TrunkTime>,
    rai_since: Option<TrunkTime>,
    yellow: bool,
    recover_until: Option<TrunkTime>,
}

impl SpanAlarmState {
    /// A span that has had no signal since before the simulation started.
    pub fn red_from_start() -> Self {
        SpanAlarmState { los_since: Some(0), red: true, red_since: Some(0), ..Default::default() }
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

    /// Since when this end sends RAI toward its far end: a card does so whenever
    /// it has a local red alarm (dahdi.md 3.4; G.704 2.3.2, A bit).
    pub fn sending_rai_since(&self) -> Option<TrunkTime> {
        self.red_since
    }

    fn set_red(&mut self, at: Option<TrunkTime>) {
        self.red = at.is_some();
        self.red_since = at;
    }

    /// Advance over frames [start, end) during which the receiver had a signal or
    /// not. Returns each change of the alarm bits with its frame, in time order.
    pub fn update_signal(&mut self, start: TrunkTime, end: TrunkTime, signal: bool) -> Vec<(TrunkTime, AlarmBits)> {
        let mut changes = Changes::new(self.bits());
        // Edges happen at the start of the interval (control requests act between chunks).
        if signal {
            if self.los_since.take().is_some() && self.red {
                self.set_red(None);
                self.recover_until = Some(start + RECOVER_HOLD);
                changes.note(self, start);
            }
        } else if self.los_since.is_none() {
            self.los_since = Some(start);
        }
        let red_due = match (self.los_since, self.red) {
            (Some(s), false) => Some(s + RED_DEBOUNCE),
            _ => None,
        };
        let recover_due = self.recover_until;
        let mut due: Vec<(TrunkTime, bool)> = red_due.map(|t| (t, true)).into_iter().chain(recover_due.map(|t| (t, false))).collect();
        due.sort();
        for (at, red) in due {
            if at >= end {
                continue;
            }
            let at = at.max(start);
            if red {
                self.set_red(Some(at));
            }
            self.recover_until = None;
            changes.note(self, at);
        }
        changes.list
    }

    /// Advance over [start, end) given since when the far end sends RAI (None:
    /// it does not, or no signal). Call after every span's `update_signal`.
    pub fn update_rai(&mut self, start: TrunkTime, end: TrunkTime, rai_since: Option<TrunkTime>) -> Vec<(TrunkTime, AlarmBits)> {
        let mut changes = Changes::new(self.bits());
        match rai_since {
            Some(since) => {
                self.rai_since.get_or_insert(since.max(start));
            }
            None => {
                self.rai_since = None;
                if self.yellow {
                    self.yellow = false;
                    changes.note(self, start);
                }
            }
        }
        if let (Some(s), false) = (self.rai_since, self.yellow) {
            let at = s + YELLOW_DEBOUNCE;
            if at < end {
                self.yellow = true;
                changes.note(self, at.max(start));
            }
        }
        changes.list
    }
}

struct Changes {
    last: AlarmBits,
    list: Vec<(TrunkTime, AlarmBits)>,
}

impl Changes {
    fn new(last: AlarmBits) -> Self {
        Changes { last, list: Vec::new() }
    }
    fn note(&mut self, state: &SpanAlarmState, at: TrunkTime) {
        let bits = state.bits();
        if bits != self.last {
            self.list.push((at, bits));
            self.last = bits;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &mut SpanAlarmState, from: u64, to: u64, signal: bool, rai: bool) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        let mut t = from;
        while t < to {
            out.extend(state.update_signal(t, t + 8, signal).into_iter().map(|(t, b)| (t, b.0)));
            let rai = (signal && rai).then_some(from);
            out.extend(state.update_rai(t, t + 8, rai).into_iter().map(|(t, b)| (t, b.0)));
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
