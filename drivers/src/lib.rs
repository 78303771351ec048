//! Card driver backends: `dahdi` (real cards through /dev/dahdi).
pub mod dahdi;
