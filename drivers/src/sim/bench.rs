//! A [`TestBench`] over a real hw-sim process: the behaviour suite's sim half.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::protocol::{Control, Direction};
use super::{Impairments, SimBackend, SlipKind};
use crate::backend::Backend;
use crate::behaviour::{BriPort, BriTopology, Cut, Side, TestBench, Topology};

/// The BRI bus of [`BENCH_CONFIG`].
pub fn bench_bri() -> BriTopology {
    let port = |span: u32, first: u32| BriPort { span, b1: first, b2: first + 1, d: first + 2 };
    BriTopology { nt: port(6, 156), tes: vec![port(7, 159), port(8, 162)] }
}

/// Patch 0 (the CCS link) direction toward `side`.
fn toward(side: Side) -> Direction {
    match side {
        Side::A => Direction::BToA,
        Side::B => Direction::AToB,
    }
}

/// The bench's hardware: two cards, each with a CCS span (B-channels and a
/// D-channel on TS16) and a CAS span, patched east/N <-> west/N; east has a
/// third span with only TS1-10 configured. A BRI passive bus follows: the NT
/// port pbx/1 with two terminals phone1/1 and phone2/1.
///
/// Span numbers: east/1 = 1 (channels 1-31), east/2 = 2 (32-62),
/// east/3 = 3 (63-93), west/1 = 4 (94-124), west/2 = 5 (125-155),
/// pbx/1 = 6 (156-158: B1, B2, D), phone1/1 = 7 (159-161), phone2/1 = 8 (162-164).
pub const BENCH_CONFIG: &str = r#"
[clock]
speed = 0

[[card]]
name = "east"
[[card.span]]
bchan = "1-15,17-31"
dchan = "16"
[[card.span]]
framing = "cas"
cas = "1-15,17-31"
idle = "1101"
[[card.span]]
bchan = "1-10"

[[card]]
name = "west"
[[card.span]]
bchan = "1-15,17-31"
dchan = "16"
[[card.span]]
framing = "cas"
cas = "1-15,17-31"
idle = "1001"

[[patch]]
a = "east/1"
b = "west/1"
[[patch]]
a = "east/2"
b = "west/2"

[[card]]
name = "pbx"
[[card.span]]
type = "bri"
mode = "nt"

[[card]]
name = "phone1"
[[card.span]]
type = "bri"
mode = "te"

[[card]]
name = "phone2"
[[card.span]]
type = "bri"
mode = "te"

[[bus]]
nt = "pbx/1"
te = ["phone1/1", "phone2/1"]
"#;

pub fn bench_topology() -> Topology {
    Topology {
        ccs_spans: (1, 4),
        cas_spans: (2, 5),
        bearer_pair: (1, 94),
        hdlc_pair: (16, 109),
        cas_pair: (32, 125),
        unconfigured: 63 + 19,
        nonexistent: 165,
    }
}

pub struct SimBench {
    hw_sim: PathBuf,
    dir: PathBuf,
    socket: PathBuf,
    child: Option<Child>,
    backend: SimBackend,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn spawn(hw_sim: &Path, config: &Path, socket: &Path) -> Result<Child, String> {
    let _ = std::fs::remove_file(socket);
    let child = Command::new(hw_sim)
        .args(["run", "--config"])
        .arg(config)
        .arg("--socket")
        .arg(socket)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", hw_sim.display()))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        if Instant::now() > deadline {
            return Err(format!("hw-sim did not open {} within 10 s", socket.display()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(child)
}

impl SimBench {
    /// Start hw-sim (the binary at `hw_sim`) with [`BENCH_CONFIG`], paused, and connect.
    pub fn start(hw_sim: &Path) -> Result<SimBench, String> {
        Self::start_with(hw_sim, BENCH_CONFIG)
    }

    pub fn start_with(hw_sim: &Path, config: &str) -> Result<SimBench, String> {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hw-sim-bench-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let config_path = dir.join("sim.toml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
        let socket = dir.join("hw-sim.sock");
        let child = spawn(hw_sim, &config_path, &socket)?;
        let backend = SimBackend::connect(&socket).map_err(|e| e.to_string())?;
        Ok(SimBench { hw_sim: hw_sim.to_path_buf(), dir, socket, child: Some(child), backend })
    }

    pub fn sim(&self) -> &SimBackend {
        &self.backend
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn control(&self, c: Control) -> Result<(), String> {
        self.backend.control(c).map(|_| ()).map_err(|e| e.to_string())
    }
}

impl Drop for SimBench {
    fn drop(&mut self) {
        self.backend.shutdown();
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl TestBench for SimBench {
    fn backend(&self) -> &dyn Backend {
        &self.backend
    }
    fn second_backend(&self) -> Result<Box<dyn Backend>, String> {
        SimBackend::connect(&self.socket).map(|b| Box::new(b) as Box<dyn Backend>).map_err(|e| e.to_string())
    }
    fn topology(&self) -> Topology {
        bench_topology()
    }
    fn advance(&mut self, frames: u64) -> Result<(), String> {
        self.control(Control::Step { frames })
    }
    fn cut(&mut self, how: Cut) -> Result<(), String> {
        let direction = match how {
            Cut::Both => Direction::Both,
            Cut::AToB => Direction::AToB,
        };
        self.control(Control::CutPatch { patch: 0, direction })
    }
    fn restore(&mut self) -> Result<(), String> {
        self.control(Control::RestorePatch { patch: 0, direction: Direction::Both })
    }
    fn remove_far_card(&mut self) -> Result<(), String> {
        self.control(Control::RemoveCard { card: "west".into() })
    }
    fn add_far_card(&mut self) -> Result<(), String> {
        self.control(Control::AddCard { card: "west".into() })
    }
    fn kill_hardware(&mut self) -> Result<(), String> {
        let mut c = self.child.take().ok_or("hw-sim is not running")?;
        c.kill().map_err(|e| e.to_string())?;
        c.wait().map_err(|e| e.to_string())?;
        Ok(())
    }
    fn restart_hardware(&mut self) -> Result<(), String> {
        let config = self.dir.join("sim.toml");
        self.child = Some(spawn(&self.hw_sim, &config, &self.socket)?);
        // Wait until the backend has reconnected (wall time: nothing else to wait on).
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.backend.is_connected() || self.backend.sync().is_err() {
            if Instant::now() > deadline {
                return Err("the backend did not reconnect within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
    fn tolerance(&self) -> u64 {
        0
    }
    fn can_impair(&self) -> bool {
        true
    }
    fn impair(&mut self, side: Side, impairments: Impairments) -> Result<(), String> {
        self.control(Control::SetImpairments { patch: 0, direction: toward(side), impairments })
    }
    fn slip(&mut self, side: Side, kind: SlipKind) -> Result<(), String> {
        self.control(Control::Slip { patch: 0, direction: toward(side), kind })
    }
    fn clock_offset(&mut self, side: Side, ppm: f64) -> Result<(), String> {
        let card = if side == Side::A { "east" } else { "west" };
        self.control(Control::SetClockOffset { card: card.into(), ppm })
    }
    fn bri(&self) -> Option<BriTopology> {
        Some(bench_bri())
    }
}
