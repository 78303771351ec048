//! The impairments of one direction of a patch as they act on the signal:
//! audio (gain, echo, noise), D-channel frames (bit errors, slips), slips from
//! clock offsets, CRC-4 block errors and a forced remote alarm. Everything is
//! computed on the trunk clock and a seeded random source, so a run repeats.

use cti_drivers::hdlc;
use cti_drivers::sim::{Impairments, SlipKind};
use cti_drivers::{g711, Law, TrunkTime};

use crate::echo::EchoFilter;
use crate::rng::Rng;

const SLOTS: usize = 31;
/// One slip per accumulated frame of offset: |delta ppm| x frames reaching 1e6
/// (dahdi.md 10: one slip every 1/(8000 x delta x 1e-6) s). Offsets are kept in
/// thousandths of a ppm, so the threshold is 1e9.
const SLIP_THRESHOLD: i64 = 1_000_000_000;
/// CRC-4 sub-multiframe: 8 frames, 1 ms (G.704 2.3.3).
const SMF_FRAMES: u64 = 8;

pub struct LineImpairments {
    pub set: Impairments,
    rng: Rng,
    gain: f32,
    noise_rms: f32,
    echo: Vec<Option<EchoFilter>>,
    /// Bits of D-channel frames left before the next bit error.
    ber_gap: u64,
    slip_offset: i64,
    pending_slip: Option<SlipKind>,
    /// An HDLC frame was in flight on this timeslot when a slip hit it.
    slipped_frame: [Option<SlipKind>; SLOTS],
    /// Since when this direction carries a forced RAI.
    pub rai_since: Option<TrunkTime>,
    /// Trunk second of the last errored second counted.
    last_errored_second: Option<u64>,
}

impl LineImpairments {
    pub fn new(seed: u64) -> LineImpairments {
        LineImpairments {
            set: Impairments::default(),
            rng: Rng::new(seed),
            gain: 1.0,
            noise_rms: 0.0,
            echo: (0..SLOTS).map(|_| None).collect(),
            ber_gap: u64::MAX,
            slip_offset: 0,
            pending_slip: None,
            slipped_frame: [None; SLOTS],
            rai_since: None,
            last_errored_second: None,
        }
    }

    /// Replace the impairments (already validated); `rx_law` is the receiver's law.
    pub fn apply(&mut self, set: Impairments, rx_law: Law, now: TrunkTime) {
        if set.echo != self.set.echo {
            self.echo.iter_mut().for_each(|e| *e = None);
        }
        self.gain = 10f64.powf(set.gain_db / 20.0) as f32;
        self.noise_rms = set.noise_dbm0.map(|l| g711::dbm0_to_power(rx_law, l).sqrt() as f32).unwrap_or(0.0);
        if set.dchan_ber != self.set.dchan_ber {
            self.ber_gap = self.rng.gap(set.dchan_ber);
        }
        self.rai_since = if set.remote_alarm { self.rai_since.or(Some(now)) } else { None };
        self.set = set;
    }

    pub fn request_slip(&mut self, kind: SlipKind) {
        self.pending_slip = Some(kind);
    }

    /// The slip (if any) at the start of a chunk of `frames`, given how much
    /// faster the transmitting card's clock runs than the receiving card's, in
    /// thousandths of a ppm. A faster source fills the elastic store: delete.
    pub fn slip(&mut self, frames: u64, faster_milli_ppm: i64) -> Option<SlipKind> {
        if let Some(k) = self.pending_slip.take() {
            return Some(k);
        }
        self.slip_offset += frames as i64 * faster_milli_ppm;
        if self.slip_offset >= SLIP_THRESHOLD {
            self.slip_offset -= SLIP_THRESHOLD;
            Some(SlipKind::Delete)
        } else if self.slip_offset <= -SLIP_THRESHOLD {
            self.slip_offset += SLIP_THRESHOLD;
            Some(SlipKind::Repeat)
        } else {
            None
        }
    }

    /// Note that a slip hit timeslot `ts` (0-based) while an HDLC frame was in flight.
    pub fn slip_hit_frame(&mut self, ts: usize, kind: SlipKind) {
        self.slipped_frame[ts] = Some(kind);
    }

    /// Received voice octets of timeslot `ts` (0-based): the far end's `far`
    /// (in `far_law`), plus the echo of this end's own `own_tx`, into `out` in `rx_law`.
    pub fn audio(&mut self, ts: usize, far: &[u8], far_law: Law, own_tx: &[u8], rx_law: Law, out: &mut Vec<u8>) {
        out.clear();
        if !self.set.touches_audio() {
            out.extend_from_slice(far);
            return;
        }
        let n = far.len();
        let mut y = [0f32; 8];
        for (k, &c) in far.iter().enumerate() {
            y[k] = g711::decode(far_law, c) as f32 * self.gain;
        }
        if let Some(path) = &self.set.echo {
            let filter = self.echo[ts].get_or_insert_with(|| EchoFilter::new(path));
            let mut x = [0f32; 8];
            for (k, &c) in own_tx.iter().enumerate() {
                x[k] = g711::decode(rx_law, c) as f32;
            }
            filter.process(&x[..n], &mut y[..n]);
        }
        if self.noise_rms > 0.0 {
            for v in &mut y[..n] {
                *v += self.noise_rms * self.rng.gaussian() as f32;
            }
        }
        out.extend(y[..n].iter().map(|&v| g711::encode_f32(rx_law, v)));
    }

    /// A whole HDLC frame (with FCS) crossing this direction on timeslot `ts`:
    /// a slip during it adds or drops an octet, bit errors flip bits. Either way
    /// the FCS no longer matches (CRC-16 catches every 1- and 2-bit error).
    pub fn frame(&mut self, ts: usize, mut frame: Vec<u8>) -> Vec<u8> {
        if let Some(kind) = self.slipped_frame[ts].take() {
            let mid = frame.len() / 2;
            match kind {
                SlipKind::Repeat => frame.insert(mid, frame[mid]),
                SlipKind::Delete => {
                    frame.remove(mid);
                }
            }
            if hdlc::fcs_ok(&frame) {
                frame[0] ^= 1; // the 1-in-65536 case: still a corrupted frame
            }
        }
        if self.set.dchan_ber > 0.0 {
            let bits = frame.len() as u64 * 8;
            let mut at = 0u64;
            while self.ber_gap < bits - at {
                at += self.ber_gap;
                frame[(at / 8) as usize] ^= 1 << (at % 8);
                at += 1;
                self.ber_gap = self.rng.gap(self.set.dchan_ber);
            }
            self.ber_gap -= bits - at;
        }
        frame
    }

    /// Errored CRC-4 sub-multiframes among those ending in [start, end), and
    /// whether a new errored second began (G.821: a second with an error).
    pub fn crc4_errors(&mut self, start: TrunkTime, end: TrunkTime) -> (u32, u32) {
        if self.set.crc4_error_rate <= 0.0 {
            return (0, 0);
        }
        let mut errors = 0;
        let mut seconds = 0;
        for smf_end in (start / SMF_FRAMES + 1)..=(end / SMF_FRAMES) {
            if self.rng.uniform() < self.set.crc4_error_rate {
                errors += 1;
                let second = smf_end * SMF_FRAMES / cti_drivers::FRAMES_PER_SECOND;
                if self.last_errored_second != Some(second) {
                    self.last_errored_second = Some(second);
                    seconds += 1;
                }
            }
        }
        (errors, seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slip_per_10000_frames_at_100_ppm() {
        let mut l = LineImpairments::new(1);
        let slips: Vec<u64> = (0..3000u64).filter_map(|k| l.slip(8, 100_000).map(|_| k * 8)).collect();
        assert_eq!(slips, vec![9992, 19992]);
        let mut l = LineImpairments::new(1);
        assert_eq!((0..1250).filter_map(|_| l.slip(8, -100_000)).collect::<Vec<_>>(), vec![SlipKind::Repeat]);
    }

    #[test]
    fn clean_line_passes_octets_bit_for_bit() {
        let mut l = LineImpairments::new(1);
        let mut out = Vec::new();
        l.audio(0, &[1, 2, 3, 0xD5], Law::ALaw, &[9; 4], Law::ALaw, &mut out);
        assert_eq!(out, vec![1, 2, 3, 0xD5]);
    }

    #[test]
    fn gain_of_minus_6_db_halves_the_amplitude() {
        let mut l = LineImpairments::new(1);
        l.apply(Impairments { gain_db: -6.0206, ..Default::default() }, Law::ALaw, 0);
        let mut out = Vec::new();
        let code = g711::encode(Law::ALaw, 16000);
        l.audio(0, &[code], Law::ALaw, &[0xD5], Law::ALaw, &mut out);
        let got = g711::decode(Law::ALaw, out[0]);
        assert!((7600..=8400).contains(&got), "{got}");
    }

    #[test]
    fn bit_errors_hit_frames_at_the_binomial_rate() {
        let mut l = LineImpairments::new(3);
        let ber = 1e-3;
        l.apply(Impairments { dchan_ber: ber, ..Default::default() }, Law::ALaw, 0);
        let mut good = b"0123456789012345678901234567890123456789\0\0".to_vec();
        hdlc::put_fcs(&mut good);
        let n = 20_000;
        let bad = (0..n).filter(|_| !hdlc::fcs_ok(&l.frame(15, good.clone()))).count() as f64;
        let p = 1.0 - (1.0 - ber).powi(good.len() as i32 * 8);
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        assert!((bad - n as f64 * p).abs() < 4.0 * sd, "{bad} bad frames, expected {:.0} +- {sd:.0}", n as f64 * p);
    }
}
