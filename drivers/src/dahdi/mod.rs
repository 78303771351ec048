//! The `dahdi` backend: real E1/BRI cards through the DAHDI kernel driver.
//! Section numbers (§) refer to shared/docs/research/dahdi.md.

pub mod abi;
pub mod abi_macros;
