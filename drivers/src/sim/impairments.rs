//! What hw-sim can do to one direction of a patch, between the far end's
//! transmitter and this end's receiver. Set in hw-sim's config file and changed
//! live through the control interface (`Control::SetImpairments`); the values
//! are checked here, in one place, for both.

/// A G.168 Annex D echo path: the hybrid at the far end returns part of this
/// end's own transmitted audio, delayed and filtered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EchoPath {
    /// G.168 Annex D model number: 2 to 9 (models D.2 to D.9).
    pub model: u8,
    /// Pure delay before the model's impulse response, in frames (125 us each).
    pub delay_frames: u32,
    /// Echo return loss on white noise, dB.
    pub erl_db: f64,
}

/// How a controlled slip acts (dahdi.md 10: the receive elastic store repeats or
/// deletes one whole 125-us frame on every timeslot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlipKind {
    Repeat,
    Delete,
}

/// Impairments of one direction of a patch. The default is a clean line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Impairments {
    /// Echo of the receiving side's own transmitted audio, added to what it receives.
    pub echo: Option<EchoPath>,
    /// White Gaussian noise added to the received audio, level in dBm0.
    pub noise_dbm0: Option<f64>,
    /// Gain on the far end's audio, dB (negative = loss).
    pub gain_db: f64,
    /// Bit error rate on D-channel (HDLC) timeslots: errored frames fail their FCS.
    pub dchan_ber: f64,
    /// One timeslot (1-31) carrying nothing: voice gets the idle code, HDLC frames
    /// are lost (a frame in flight ends in an abort); the span stays without alarm.
    pub blackout: Option<u32>,
    /// Fraction of CRC-4 sub-multiframes (1 ms each, G.704 2.3.3) received in error:
    /// counted in this end's `crc4`, and in the far end's `ebit` (E bits, G.704 Table 5b).
    pub crc4_error_rate: f64,
    /// The line carries RAI (the A bit, G.704 2.3.2) as if the far end sent it:
    /// this end reports yellow after 0.5 s.
    pub remote_alarm: bool,
    /// While this direction is cut, the receiver gets AIS (all ones, G.775) from
    /// transmission equipment in between instead of no signal: blue, not red.
    pub ais_on_cut: bool,
}

/// Largest pure echo delay: 1 s (G.168 tests use up to 64-128 ms of tail).
pub const MAX_ECHO_DELAY_FRAMES: u32 = 8000;

impl Impairments {
    /// Whether any impairment touches the voice samples (then they are decoded,
    /// changed and re-encoded; otherwise octets pass bit for bit).
    pub fn touches_audio(&self) -> bool {
        self.echo.is_some() || self.noise_dbm0.is_some() || self.gain_db != 0.0
    }

    /// Check every value; the message names the field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(e) = &self.echo {
            if !(2..=9).contains(&e.model) {
                return Err(format!("echo model D.{}: G.168 Annex D has models D.2 to D.9", e.model));
            }
            if e.delay_frames > MAX_ECHO_DELAY_FRAMES {
                return Err(format!("echo delay {} frames: at most {MAX_ECHO_DELAY_FRAMES} (1 s)", e.delay_frames));
            }
            if !(0.0..=90.0).contains(&e.erl_db) {
                return Err(format!("echo return loss {} dB: 0 to 90", e.erl_db));
            }
        }
        if let Some(n) = self.noise_dbm0 {
            if !(-120.0..=0.0).contains(&n) {
                return Err(format!("noise level {n} dBm0: -120 to 0"));
            }
        }
        if !(-60.0..=20.0).contains(&self.gain_db) {
            return Err(format!("gain {} dB: -60 to +20", self.gain_db));
        }
        if !(0.0..=1.0).contains(&self.dchan_ber) {
            return Err(format!("D-channel bit error rate {}: 0 to 1", self.dchan_ber));
        }
        if let Some(ts) = self.blackout {
            if !(1..=31).contains(&ts) {
                return Err(format!("blackout timeslot {ts}: 1 to 31"));
            }
        }
        if !(0.0..=1.0).contains(&self.crc4_error_rate) {
            return Err(format!("CRC-4 error rate {}: 0 to 1", self.crc4_error_rate));
        }
        Ok(())
    }
}

/// Largest clock offset of a card: 1000 ppm (G.703 allows 50; more is a broken card).
pub const MAX_PPM: f64 = 1000.0;
