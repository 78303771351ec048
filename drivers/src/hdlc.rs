//! HDLC frame check sequence as DAHDI computes it on D-channels (dahdi.md 4):
//! CRC-16/X.25 (the PPP FCS, RFC 1662), complemented, sent low byte first.

/// Bytes at the end of every D-channel write (placeholder) and read (the FCS).
pub const FCS_LEN: usize = 2;

/// The complemented FCS-16 of `data`.
pub fn fcs16(data: &[u8]) -> u16 {
    let mut fcs: u16 = 0xFFFF;
    for &byte in data {
        fcs ^= byte as u16;
        for _ in 0..8 {
            fcs = if fcs & 1 != 0 { (fcs >> 1) ^ 0x8408 } else { fcs >> 1 };
        }
    }
    !fcs
}

/// Replace the last 2 bytes of `frame` (the writer's placeholder) with the FCS of
/// the bytes before them, low byte first, as soft HDLC does on transmit.
pub fn put_fcs(frame: &mut [u8]) {
    let n = frame.len();
    assert!(n >= FCS_LEN, "an HDLC write carries at least the 2 FCS placeholder bytes");
    let fcs = fcs16(&frame[..n - FCS_LEN]);
    frame[n - 2] = (fcs & 0xFF) as u8;
    frame[n - 1] = (fcs >> 8) as u8;
}

/// Whether the last 2 bytes of `frame` are the FCS of the bytes before them.
pub fn fcs_ok(frame: &[u8]) -> bool {
    let n = frame.len();
    n >= FCS_LEN && fcs16(&frame[..n - FCS_LEN]) == u16::from_le_bytes([frame[n - 2], frame[n - 1]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcs_matches_the_measured_dahdi_example() {
        // dahdi.md 4: "ABCDEF" written with no room for the FCS reached the peer
        // as 41 42 43 44 32 2d: the FCS of "ABCD" replaced the last two bytes.
        let mut frame = *b"ABCDEF";
        put_fcs(&mut frame);
        assert_eq!(frame, [0x41, 0x42, 0x43, 0x44, 0x32, 0x2d]);
        assert!(fcs_ok(&frame));
    }

    #[test]
    fn crc16_x25_check_value() {
        // CRC-16/X.25 check value for "123456789" is 0x906E.
        assert_eq!(fcs16(b"123456789"), 0x906E);
    }

    #[test]
    fn corrupted_frame_fails_the_check() {
        let mut frame = b"hello world\0\0".to_vec();
        put_fcs(&mut frame);
        frame[3] ^= 0x10;
        assert!(!fcs_ok(&frame));
    }
}
