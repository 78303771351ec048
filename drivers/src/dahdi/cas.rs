//! CAS ABCD bits on E1 TS16 (§5): the nibble is "ABCD" with A as the most significant
//! bit (A=8, B=4, C=2, D=1).

use std::fmt;

use super::abi::*;
use super::channel::Channel;
use super::device::DahdiDevice;
use super::error::DahdiError;

/// Four CAS signalling bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abcd(u8);

impl Abcd {
    /// Any nibble, as received. Bits above the nibble are dropped: dahdi_dynamic hands up
    /// the neighbouring channel's nibble too (masks with 0xff, §5 quirk).
    pub fn from_received(raw: i32) -> Self {
        Abcd((raw & DAHDI_BITS_ABCD) as u8)
    }

    /// A nibble to transmit. 0000 is refused: it must not be used for signalling on
    /// TS1-15 because it would imitate the multiframe alignment signal 0000 of TS16 frame 0
    /// (G.704 §5.1.3.2; dahdi.md §5).
    pub fn for_transmit(bits: u8) -> Option<Self> {
        (bits != 0 && bits <= 0xF).then_some(Abcd(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Abcd {
    /// "1101": A first, as system.conf `cas=...:ABCD` writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04b}", self.0)
    }
}

/// Checks that a channel is a CAS channel (SETTXBITS is refused otherwise, §5).
pub fn check_cas_channel<D: DahdiDevice>(channel: &mut Channel<D>) -> Result<(), DahdiError> {
    let sigtype = channel.params()?.sigtype;
    if sigtype == DAHDI_SIG_CAS {
        return Ok(());
    }
    Err(DahdiError::WrongSignalling {
        channo: channel.channo(),
        sigtype,
        expected: "CAS (cas= in system.conf)",
    })
}

/// DAHDI_GETRXBITS, masked to the nibble (§5, §11 item 5).
pub fn read_rx_bits<D: DahdiDevice>(channel: &mut Channel<D>) -> Result<Abcd, DahdiError> {
    channel
        .get_int(DAHDI_GETRXBITS, "DAHDI_GETRXBITS")
        .map(Abcd::from_received)
}

/// DAHDI_SETTXBITS.
pub fn write_tx_bits<D: DahdiDevice>(
    channel: &mut Channel<D>,
    bits: Abcd,
) -> Result<(), DahdiError> {
    channel.put_int(DAHDI_SETTXBITS, "DAHDI_SETTXBITS", bits.bits() as i32)
}
