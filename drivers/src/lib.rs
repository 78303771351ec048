//! Card driver backends behind one interface: `dahdi` (real cards through
//! /dev/dahdi, `dahdi::backend::DahdiBackend`) and `sim` (the hw-sim client).
//!
//! [`Backend`] and [`Channel`] are what the media engine and the daemon program
//! against; `sim` is a client of the hw-sim process. The interface shows DAHDI's
//! userspace behaviour (research notes `dahdi.md`, sections 1.3, 3, 4, 5) so that
//! a program that works on the simulator works on a real card.

pub mod backend;
pub mod dahdi;
pub mod behaviour;
pub mod error;
pub mod g711;
pub mod hdlc;
pub mod sim;
pub mod types;

pub use backend::{Backend, Channel};
pub use error::{Error, Result};
pub use types::*;
