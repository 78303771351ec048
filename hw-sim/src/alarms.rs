//! A span's receive-side alarm state, debounced as real E1 cards do.
//!
//! Timings (dahdi.md 3.4, 10; G.775 defect detection and clearing):
//! red (LOS/LOF) is declared after the defect has lasted 2.5 s (wct4xxp
//! `alarmdebounce`/`losalarmdebounce` 2500 ms), blue (AIS received, all ones,
//! G.775) after 2.5 s (`aisalarmdebounce`), yellow (RAI received) after 0.5 s
//! (`yelalarmdebounce` 500 ms), and when red clears the RECOVER bit is held for
//! 5 s (`DAHDI_ALARMSETTLE_TIME`), so DAHDI reports "no alarm" only after it.

use cti_drivers::{AlarmBits, TrunkTime};

/// 2.5 s in frames.
pub const RED_DEBOUNCE: u64 = 20_000;
/// 0.5 s in frames.
pub const YELLOW_DEBOUNCE: u64 = 4_000;
/// 5 s in frames.
pub const RECOVER_HOLD: u64 = 40_000;

/// What a receiver hears on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A framed E1 signal.
    Framed,
    /// No signal at all (cut cable, far card gone).
    Lost,
    /// All ones from transmission equipment whose own input is lost (G.775 AIS).
    Ais,
}

#[derive(Debug, Clone, Default)]
pub struct SpanAlarmState {
    los_since: Option<TrunkTime>,
    red: bool,
    red_since: Option<TrunkTime>,
    ais_since: Option<TrunkTime>,
    blue_since: Option<TrunkTime>,
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
        if self.blue_since.is_some() {
            b |= AlarmBits::BLUE;
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
    /// it has a local red or blue alarm (dahdi.md 3.4 and 10; G.704 2.3.2, A bit).
    pub fn sending_rai_since(&self) -> Option<TrunkTime> {
        self.red_since.or(self.blue_since)
    }

    fn set_red(&mut self, at: Option<TrunkTime>) {
        self.red = at.is_some();
        self.red_since = at;
    }

    /// Advance over frames [start, end) during which the receiver heard `signal`.
    /// Returns each change of the alarm bits with its frame, in time order.
    pub fn update_signal(&mut self, start: TrunkTime, end: TrunkTime, signal: Signal) -> Vec<(TrunkTime, AlarmBits)> {
        let mut changes = Changes::new(self.bits());
        // Edges happen at the start of the interval (control requests act between chunks).
        match signal {
            Signal::Framed => {
                let had_defect = self.los_since.take().is_some() | self.ais_since.take().is_some();
                if had_defect && (self.red || self.blue_since.is_some()) {
                    self.set_red(None);
                    self.blue_since = None;
                    self.recover_until = Some(start + RECOVER_HOLD);
                    changes.note(self, start);
                }
            }
            Signal::Lost => {
                self.ais_since = None;
                self.los_since.get_or_insert(start);
            }
            Signal::Ais => {
                self.los_since = None;
                self.ais_since.get_or_insert(start);
            }
        }
        // (due time, what fires): 0 = red, 1 = blue, 2 = recovery ends.
        let mut due: Vec<(TrunkTime, u8)> = Vec::new();
        if let (Some(s), false) = (self.los_since, self.red) {
            due.push((s + RED_DEBOUNCE, 0));
        }
        if let (Some(s), None) = (self.ais_since, self.blue_since) {
            due.push((s + RED_DEBOUNCE, 1));
        }
        if let Some(t) = self.recover_until {
            due.push((t, 2));
        }
        due.sort();
        for (at, what) in due {
            if at >= end {
                continue;
            }
            let at = at.max(start);
            match what {
                0 => {
                    self.set_red(Some(at));
                    self.blue_since = None;
                }
                1 => {
                    self.blue_since = Some(at);
                    self.set_red(None);
                }
                _ => {}
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
            let sig = if signal { Signal::Framed } else { Signal::Lost };
            out.extend(state.update_signal(t, t + 8, sig).into_iter().map(|(t, b)| (t, b.0)));
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
    fn ais_gives_blue_after_2_5_s_and_sends_rai() {
        let mut s = SpanAlarmState::default();
        let mut got = Vec::new();
        for t in (0..24_000).step_by(8) {
            got.extend(s.update_signal(t, t + 8, Signal::Ais));
        }
        assert_eq!(got, vec![(20_000, AlarmBits(AlarmBits::BLUE))]);
        assert_eq!(s.sending_rai_since(), Some(20_000));
        assert_eq!(s.update_signal(24_000, 24_008, Signal::Framed), vec![(24_000, AlarmBits(AlarmBits::RECOVER))]);
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
