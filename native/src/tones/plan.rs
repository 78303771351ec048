//! Tone plans as data: frequency bands, cadences and nominal generation values.
//!
//! A plan lists frequency *bands* (what the block analyser looks for) and *tones*
//! (a recognition rule over one or more bands, plus how to generate the tone).
//! Durations are in milliseconds; cadence limits are the plan's working
//! tolerance (+-10 % for call-progress tones), widened only by the detector's
//! measuring error `MEASURE_ERROR_MS`.

/// Largest error of a measured segment duration (ms). The detector places each
/// segment edge inside its 10 ms block by fitting the tone on the full blocks
/// next to the edge and finding where that tone must stop to account for the
/// edge blocks' energy (see `detector`). The kernel test
/// `segment_durations_are_exact` (random edge places, 425-475, 950, 1100 and
/// 1800 Hz, -36 to -3 dBm0, 2800 durations) measures at most 1.2 ms on clean
/// tones and 1.45 ms with white noise 24 dB below the tone. Half the 3 ms
/// between +-10 % and +-13 % of vacant's 100 ms, the shortest part of any
/// cadence: both sides then stay on their side.
pub const MEASURE_ERROR_MS: f64 = 1.5;

/// Names reported by the detector (the Python contract's strings).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ToneName {
    Dial,
    Busy,
    Congestion,
    BusyOrCongestion,
    Ringback,
    Vacant,
    CallWaiting,
    Sit,
    FaxCng,
    FaxCed,
    AnsPr,
}

impl ToneName {
    pub const ALL: [ToneName; 11] = [
        ToneName::Dial,
        ToneName::Busy,
        ToneName::Congestion,
        ToneName::BusyOrCongestion,
        ToneName::Ringback,
        ToneName::Vacant,
        ToneName::CallWaiting,
        ToneName::Sit,
        ToneName::FaxCng,
        ToneName::FaxCed,
        ToneName::AnsPr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ToneName::Dial => "dial",
            ToneName::Busy => "busy",
            ToneName::Congestion => "congestion",
            ToneName::BusyOrCongestion => "busy_or_congestion",
            ToneName::Ringback => "ringback",
            ToneName::Vacant => "vacant",
            ToneName::CallWaiting => "call_waiting",
            ToneName::Sit => "sit",
            ToneName::FaxCng => "fax_cng",
            ToneName::FaxCed => "fax_ced",
            ToneName::AnsPr => "ans_pr",
        }
    }

    pub fn parse(s: &str) -> Option<ToneName> {
        ToneName::ALL.iter().copied().find(|n| n.as_str() == s)
    }
}

/// A frequency band: a tone is accepted in it when its measured frequency lies
/// in `[lo, hi]`. `bins` are the analysis frequencies covering the band; no
/// point of the band may be more than `MAX_BIN_OFFSET` Hz from a bin. The 10 ms
/// phase-difference estimate is unambiguous only within +-50 Hz of its bin: a
/// tone 55 Hz above a bin reads as 45 Hz below it, so offsets near 50 Hz are
/// refused rather than trusted.
#[derive(Clone, Debug)]
pub struct Band {
    pub lo: f64,
    pub hi: f64,
    pub bins: Vec<f64>,
    /// Require steady level and frequency over an on-segment (call-progress
    /// tones, SIT, CNG). Off for 2100 Hz, whose ANSam/ form is amplitude-modulated
    /// and whose phase reversals dent the level.
    pub steady: bool,
}

/// Largest frequency offset from a bin that the detector trusts (Hz).
pub const MAX_BIN_OFFSET: f64 = 40.0;

/// Inclusive duration limits in ms.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

impl Span {
    pub const fn new(min: f64, max: f64) -> Self {
        Span { min, max }
    }
    /// Nominal duration with a relative tolerance (0.1 = +-10 %).
    pub fn tol(nominal: f64, rel: f64) -> Self {
        Span { min: nominal * (1.0 - rel), max: nominal * (1.0 + rel) }
    }
    /// Whether a measured duration fits, allowing the detector's measuring error.
    #[inline]
    pub fn fits(&self, ms: f64) -> bool {
        ms >= self.min - MEASURE_ERROR_MS && ms <= self.max + MEASURE_ERROR_MS
    }
}

/// How a tone is recognised.
#[derive(Clone, Debug)]
pub enum Rule {
    /// A steady tone in `band` lasting at least `min_ms` (dial tone).
    Continuous { band: usize, min_ms: f64 },
    /// A repeating on/off cadence in `band`: `pattern` alternates on, off, on,
    /// off ... (one period); recognised when the last `window` segments match
    /// the pattern at some rotation. The last of them may be the off-period in
    /// progress once it has lasted its minimum (ringback is then recognised
    /// without waiting for the next burst).
    Cadence { band: usize, pattern: Vec<Span>, window: usize },
    /// E.180 busy/congestion: every adjacent on/off pair of the last `window`
    /// completed segments has a period (on + off) within `period` and a
    /// tone/silence ratio (on / off) within `ratio`.
    Periodic { band: usize, period: Span, ratio: Span, window: usize },
    /// E.180 special information tone: three steady tones in `bands` order,
    /// each within `each`, separated by gaps of at most `gap_ms`.
    Sequence { bands: [usize; 3], each: Span, gap_ms: f64 },
    /// A tone in `band` lasting at least `min_ms` with no phase reversal (CED).
    Plain { band: usize, min_ms: f64 },
    /// A tone in `band` with 180 degree phase reversals `interval` apart (ANS/).
    Reversals { band: usize, interval: Span },
}

/// How `tone_generate` produces a tone.
#[derive(Clone, Debug)]
pub enum Generation {
    /// One frequency keyed on and off by the `(on, off)` ms pairs, repeating;
    /// an empty cadence is continuous.
    Keyed { freq: f64, cadence: Vec<(f64, f64)> },
    /// Consecutive `(freq, ms)` segments, then `silence_ms`, repeating (SIT).
    Sequence { parts: Vec<(f64, f64)>, silence_ms: f64 },
    /// A continuous tone whose phase is reversed every `every_ms` (ANS/).
    Reversing { freq: f64, every_ms: f64 },
}

#[derive(Clone, Debug)]
pub struct ToneSpec {
    pub name: ToneName,
    pub rule: Rule,
    pub generation: Generation,
    pub level_dbm0: f64,
}

impl ToneSpec {
    /// The longest off-period of the tone (ms): an occurrence ends when its cadence
    /// has been broken for 1.5 times this. Continuous tones use 200 ms so that a
    /// short drop-out does not split an occurrence.
    pub fn longest_off_ms(&self) -> f64 {
        let off = match &self.rule {
            Rule::Continuous { .. } | Rule::Plain { .. } => 0.0,
            Rule::Cadence { pattern, .. } => {
                pattern.iter().skip(1).step_by(2).map(|s| s.max).fold(0.0, f64::max)
            }
            // The longest silence the period and ratio allow: period max at the lowest ratio.
            Rule::Periodic { period, ratio, .. } => period.max / (1.0 + ratio.min),
            // E.180 (special information tone; research notes 3.2): the three tones are
            // followed by 1000 +- 250 ms of silence.
            Rule::Sequence { .. } => 1250.0,
            Rule::Reversals { interval, .. } => interval.max,
        };
        off.max(200.0)
    }
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub name: &'static str,
    pub bands: Vec<Band>,
    pub tones: Vec<ToneSpec>,
}

impl Plan {
    pub fn tone(&self, name: ToneName) -> Option<&ToneSpec> {
        self.tones.iter().find(|t| t.name == name)
    }
}

/// Names of the available plans.
pub const PLAN_NAMES: [&str; 3] = ["cn", "e180", "eu425"];

/// Call-progress band half-width (Hz): the +-25 Hz tolerance of the CN and EU
/// plans plus the frequency estimate's worst error at -36 dBm0 in line noise
/// (1.8 Hz, see `cn`).
const CP_TOL: f64 = 27.0;

/// Band indices shared by every plan: 0 is the plan's call-progress band.
const CP: usize = 0;
const SIT1: usize = 1;
const SIT2: usize = 2;
const SIT3: usize = 3;
const CNG: usize = 4;
const ANS: usize = 5;

/// Bands and tones common to every plan: SIT, fax and answer tones.
fn common_bands(cp: Band) -> Vec<Band> {
    let b = |f: f64, tol: f64, steady: bool| Band { lo: f - tol, hi: f + tol, bins: vec![f], steady };
    // +-50 Hz is beyond one bin's trusted range: two bins 50 Hz apart.
    let wide = |f: f64| Band { lo: f - 50.0, hi: f + 50.0, bins: vec![f - 25.0, f + 25.0], steady: true };
    vec![
        cp,
        // E.180 special information tone (research notes 3.2): 950, 1400, 1800 Hz +- 50 Hz.
        wide(950.0),
        wide(1400.0),
        wide(1800.0),
        // T.30 CNG (research notes 3.3): 1100 Hz +- 38 Hz.
        b(1100.0, 38.0, true),
        // 2100 Hz +- 21 Hz: V.25 lets the sender be 15 Hz off, and the G.164/G.165
        // tone disabler's receiver works over 2100 +- 21 Hz (the extra 6 Hz allows
        // for frequency shift on the connection). Plus the estimate's error at
        // this bin, at most 0.9 Hz at -36 dBm0 with line noise 24 dB down
        // (measured as for `cn`): 2122 Hz is still taken, 2130 Hz refused.
        b(2100.0, 22.0, false),
    ]
}

fn common_tones() -> Vec<ToneSpec> {
    vec![
        ToneSpec {
            name: ToneName::Sit,
            // E.180 SIT: each tone 330 +- 70 ms, gaps up to 30 ms. The range
            // covers the North American SIT segments (274 and 380 ms, Telcordia).
            rule: Rule::Sequence { bands: [SIT1, SIT2, SIT3], each: Span::new(260.0, 400.0), gap_ms: 30.0 },
            generation: Generation::Sequence {
                parts: vec![(950.0, 330.0), (1400.0, 330.0), (1800.0, 330.0)],
                silence_ms: 1000.0,
            },
            // Nominal sending level taken as -24 dBm0 (not from the notes; any level from
            // -36 dBm0 up is recognised).
            level_dbm0: -24.0,
        },
        ToneSpec {
            name: ToneName::FaxCng,
            // T.30 CNG: 0.5 s on, 3 s off, +-15 %. One on-period is
            // enough to recognise it (a fax must be answered quickly).
            rule: Rule::Cadence { band: CNG, pattern: vec![Span::tol(500.0, 0.15), Span::tol(3000.0, 0.15)], window: 1 },
            generation: Generation::Keyed { freq: 1100.0, cadence: vec![(500.0, 3000.0)] },
            level_dbm0: -12.0,
        },
        ToneSpec {
            name: ToneName::FaxCed,
            // T.30 / V.25: CED is 2100 Hz lasting 3.3 +- 0.7 s (2.6 to 4.0 s).
            rule: Rule::Plain { band: ANS, min_ms: 2600.0 },
            generation: Generation::Keyed { freq: 2100.0, cadence: vec![] },
            level_dbm0: -12.0,
        },
        ToneSpec {
            name: ToneName::AnsPr,
            // V.25 ANS/ and the G.165/G.168 tone disabler: phase reversals of 180 deg
            // every 450 +- 25 ms (V.25). The detector times each reversal to a
            // fraction of a ms (see `detector::check_reversal`), so 415 and 485 ms fail.
            rule: Rule::Reversals { band: ANS, interval: Span::new(425.0, 475.0) },
            generation: Generation::Reversing { freq: 2100.0, every_ms: 450.0 },
            level_dbm0: -12.0,
        },
    ]
}

fn keyed(name: ToneName, freq: f64, cadence: &[(f64, f64)], rel: f64, window: usize, level: f64) -> ToneSpec {
    let pattern = cadence.iter().flat_map(|&(on, off)| [Span::tol(on, rel), Span::tol(off, rel)]).collect();
    ToneSpec {
        name,
        rule: Rule::Cadence { band: CP, pattern, window },
        generation: Generation::Keyed { freq, cadence: cadence.to_vec() },
        level_dbm0: level,
    }
}

fn dial(freq: f64, min_ms: f64, level: f64) -> ToneSpec {
    ToneSpec {
        name: ToneName::Dial,
        rule: Rule::Continuous { band: CP, min_ms },
        generation: Generation::Keyed { freq, cadence: vec![] },
        level_dbm0: level,
    }
}

/// China (YD/T 1043 call-progress tones, as listed in ITU E.180 Suppl. 2 and the
/// research notes section 3.1): 450 +- 25 Hz, -10 +- 3 dBm0, cadences +-10 %.
pub fn cn() -> Plan {
    // The sender's 450 +- 25 Hz, plus the frequency estimate's error so that a
    // tone at the limit is not lost: the phase-step estimate over 10 ms blocks
    // (`detector::pair`) is off by at most 1.8 Hz at -36 dBm0 with white line
    // noise 24 dB down through A-law (1.0 Hz clean; measured on 12,000 block
    // pairs at 425, 450 and 475 Hz). So 450 +- 27 Hz: 35 Hz off is refused.
    let cp = Band { lo: 450.0 - CP_TOL, hi: 450.0 + CP_TOL, bins: vec![450.0], steady: true };
    let f = 450.0;
    let lv = -10.0;
    let rel = 0.10;
    let mut tones = vec![
        // Continuous: recognised once it outlasts the longest on-period of the
        // cadenced tones (ringback 1 s + 10 %) with margin.
        dial(f, 1300.0, lv),
        // Busy and congestion must be recognised within two cadence cycles of
        // the start of the first complete on-period: on, off, on is matched at
        // the end of the second on-period (1.05 s for busy, 1.16 s at +10 %).
        keyed(ToneName::Busy, f, &[(350.0, 350.0)], rel, 3, lv),
        keyed(ToneName::Congestion, f, &[(700.0, 700.0)], rel, 3, lv),
        // Ringback within one cycle: matched once the off-period after a valid
        // on-period has lasted its minimum (1.1 + 3.6 s at +10 %, under 5 s).
        keyed(ToneName::Ringback, f, &[(1000.0, 4000.0)], rel, 2, lv),
        keyed(ToneName::CallWaiting, f, &[(400.0, 4000.0)], rel, 2, lv),
        keyed(
            ToneName::Vacant,
            f,
            &[(100.0, 100.0), (100.0, 100.0), (100.0, 100.0), (400.0, 400.0)],
            rel,
            8,
            lv,
        ),
    ];
    tones.extend(common_tones());
    Plan { name: "cn", bands: common_bands(cp), tones }
}

/// ITU-T E.180/Q.35 limits. Frequencies: 400-450 Hz recommended, 340-500 Hz
/// accepted (E.180). Ringing tone: 0.67-1.5 s on, 3-5 s off. Busy and
/// congestion: period 300-1100 ms with tone/silence ratio 0.67-1.5 (both
/// checked, which bounds each part to 120-660 ms); E.180 lets congestion share
/// busy's cadence, so the two cannot be told apart.
/// The cadence limits are quoted from memory of E.180 (the research notes
/// mark them [M]); the Recommendation's text could not be opened here.
pub fn e180() -> Plan {
    let cp = Band { lo: 340.0, hi: 500.0, bins: vec![350.0, 400.0, 450.0, 500.0], steady: true };
    let f = 425.0;
    let lv = -10.0;
    let mut tones = vec![
        // Longer than the longest ringing on-period (1.5 s).
        dial(f, 1800.0, lv),
        ToneSpec {
            name: ToneName::BusyOrCongestion,
            // The ratio's 0.67 is 2:3, the mirror of 1.5 = 3:2 (taken exactly).
            rule: Rule::Periodic { band: CP, period: Span::new(300.0, 1100.0), ratio: Span::new(2.0 / 3.0, 1.5), window: 3 },
            generation: Generation::Keyed { freq: f, cadence: vec![(500.0, 500.0)] },
            level_dbm0: lv,
        },
        ToneSpec {
            name: ToneName::Ringback,
            rule: Rule::Cadence { band: CP, pattern: vec![Span::new(670.0, 1500.0), Span::new(3000.0, 5000.0)], window: 2 },
            generation: Generation::Keyed { freq: f, cadence: vec![(1000.0, 4000.0)] },
            level_dbm0: lv,
        },
    ];
    tones.extend(common_tones());
    Plan { name: "e180", bands: common_bands(cp), tones }
}

/// European 425 Hz plan: ETSI TR 101 041-2 (harmonised tones, referring to CEPT
/// T/CS 20-15 and ETSI ES 201 970): dial continuous, busy 0.5/0.5 s, congestion
/// 0.25/0.25 s, ringing 1/4 s; 425 Hz, tolerances taken as +-25 Hz and +-10 %.
pub fn eu425() -> Plan {
    // 425 +- 25 Hz, plus the estimate's error as for China.
    let cp = Band { lo: 425.0 - CP_TOL, hi: 425.0 + CP_TOL, bins: vec![425.0], steady: true };
    let f = 425.0;
    let lv = -10.0;
    let rel = 0.10;
    let mut tones = vec![
        dial(f, 1300.0, lv),
        keyed(ToneName::Busy, f, &[(500.0, 500.0)], rel, 3, lv),
        keyed(ToneName::Congestion, f, &[(250.0, 250.0)], rel, 3, lv),
        keyed(ToneName::Ringback, f, &[(1000.0, 4000.0)], rel, 2, lv),
    ];
    tones.extend(common_tones());
    Plan { name: "eu425", bands: common_bands(cp), tones }
}

/// A plan by name.
pub fn plan(name: &str) -> Option<Plan> {
    match name {
        "cn" => Some(cn()),
        "e180" => Some(e180()),
        "eu425" => Some(eu425()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_has_fax_answer_and_sit() {
        for p in PLAN_NAMES {
            let plan = plan(p).unwrap();
            for n in [ToneName::FaxCng, ToneName::FaxCed, ToneName::AnsPr, ToneName::Sit, ToneName::Dial, ToneName::Ringback] {
                assert!(plan.tone(n).is_some(), "{p} lacks {}", n.as_str());
            }
            for band in &plan.bands {
                // Every frequency of a band within 50 Hz of one of its bins.
                let mut f = band.lo;
                while f <= band.hi {
                    assert!(band.bins.iter().any(|b| (b - f).abs() <= MAX_BIN_OFFSET));
                    f += 1.0;
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for n in ToneName::ALL {
            assert_eq!(ToneName::parse(n.as_str()), Some(n));
        }
        assert_eq!(ToneName::parse("nope"), None);
    }
}
