//! Bad input never panics: the /proc and sysfs parsers get random texts (random bytes,
//! and mutations of a real /proc/dahdi/N text) and must return a value or a Parse error
//! naming the source. A fixed-seed xorshift keeps the run reproducible.

use cti_drivers::dahdi::procfs::parse_proc_span;
use cti_drivers::dahdi::sysfs::{parse_channel_alarms, parse_span_alarms};
use cti_drivers::dahdi::DahdiError;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const REAL: &str =
    "Span 1: TE4/0/1 \"T4XXP (PCI) Card 0 Span 1\" (MASTER) CCS/HDB3/CRC4 RED ClockSource \n\
\tBPV count: 3\n\tTiming slips: 2\n\n\t   1 TE4/0/1/1 Clear (In use) RED (EC: OSLEC - ACTIVE) \n\
\t  16 TE4/0/1/16 HDLCFCS (In use) RED \n";

const PIECES: [&str; 14] = [
    "Span ",
    ":",
    " ",
    "\"",
    "\n",
    "\t",
    "(EC: ",
    " - ",
    ")",
    "(In use)",
    "RED",
    "Timing slips: ",
    "-1",
    "99999999999999999999",
];

fn check(text: &str) {
    match parse_proc_span(text, "fuzz") {
        Ok(_) => {}
        Err(DahdiError::Parse { source, .. }) => assert_eq!(source, "fuzz"),
        Err(other) => panic!("unexpected error kind {other:?} for {text:?}"),
    }
    for result in [
        parse_span_alarms(text, "fuzz"),
        parse_channel_alarms(text, "fuzz"),
    ] {
        if let Err(error) = result {
            assert!(matches!(error, DahdiError::Parse { .. }));
        }
    }
}

#[test]
fn random_bytes_never_panic_the_parsers() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let len = rng.below(120);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        check(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn mutated_proc_texts_never_panic_the_parser() {
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    assert!(parse_proc_span(REAL, "fuzz").is_ok());
    for _ in 0..20_000 {
        let mut text: Vec<char> = REAL.chars().collect();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 => text
                    .splice(at..at, PIECES[rng.below(PIECES.len())].chars())
                    .for_each(drop),
                _ if at < text.len() => text.truncate(at),
                _ => {}
            }
        }
        check(&text.into_iter().collect::<String>());
    }
}
