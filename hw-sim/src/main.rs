//! hw-sim: virtual E1 cards for CI and the demo. See `config.rs` for the file
//! format and `cti_drivers::sim::protocol` for the socket protocol.

mod alarms;
mod channel;
mod config;
mod server;
mod world;
mod echo;
mod line;
mod rng;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use cti_drivers::sim::protocol::*;
use cti_drivers::sim::{EchoPath, Impairments, SlipKind};

#[derive(Parser)]
#[command(name = "hw-sim", about = "Simulated E1 cards, patched back to back, clocked at the trunk rate")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Dir {
    Both,
    AToB,
    BToA,
}

#[derive(Subcommand)]
enum Command {
    /// Run the simulator.
    Run {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        socket: PathBuf,
        /// Clock speed, a multiple of real time (overrides the config); 0 = paused.
        #[arg(long)]
        speed: Option<f64>,
    },
    /// Check a config file and exit.
    Check {
        #[arg(long)]
        config: PathBuf,
    },
    /// Send one control request to a running simulator.
    Ctl {
        #[arg(long)]
        socket: PathBuf,
        #[command(subcommand)]
        request: Ctl,
    },
}

#[derive(Subcommand)]
enum Ctl {
    /// Cut a patch (0-based index in config order).
    Cut { patch: u32, #[arg(long, value_enum, default_value = "both")] direction: Dir },
    Restore { patch: u32, #[arg(long, value_enum, default_value = "both")] direction: Dir },
    RemoveCard { card: String },
    AddCard { card: String },
    /// Advance the clock by this many frames (8000 per second).
    Step { frames: u64 },
    /// Set the clock speed (multiple of real time; 0 = paused).
    Speed { speed: f64 },
    /// Print the line-side counters (underruns, late blocks).
    Counters,
    /// Print the spans and their alarms.
    Spans,
    /// Replace the impairments of a patch direction (all unnamed ones clear).
    Impair {
        patch: u32,
        #[arg(long, value_enum, default_value = "both")]
        direction: Dir,
        #[command(flatten)]
        set: ImpairArgs,
    },
    /// One controlled slip now at the receiver(s) of a patch direction.
    Slip {
        patch: u32,
        #[arg(long, value_enum, default_value = "both")]
        direction: Dir,
        #[arg(long, value_enum, default_value = "delete")]
        kind: Slip,
    },
    /// Set a card's clock offset from the trunk clock, in ppm.
    Ppm {
        card: String,
        #[arg(allow_negative_numbers = true)]
        ppm: f64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Slip {
    Repeat,
    Delete,
}

/// Impairments as command-line options (see `config.rs` for their meaning).
#[derive(Args)]
struct ImpairArgs {
    /// G.168 Annex D echo model, "D.2" to "D.9".
    #[arg(long)]
    echo_model: Option<String>,
    #[arg(long, default_value_t = 0.0)]
    echo_delay_ms: f64,
    #[arg(long, default_value_t = 6.0)]
    echo_erl_db: f64,
    #[arg(long, allow_negative_numbers = true)]
    noise_dbm0: Option<f64>,
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    gain_db: f64,
    #[arg(long, default_value_t = 0.0)]
    dchan_ber: f64,
    #[arg(long)]
    blackout: Option<u32>,
    #[arg(long, default_value_t = 0.0)]
    crc4_error_rate: f64,
    #[arg(long)]
    remote_alarm: bool,
    #[arg(long)]
    ais_on_cut: bool,
}

impl ImpairArgs {
    fn impairments(&self) -> Result<Impairments, String> {
        let echo = match &self.echo_model {
            None => None,
            Some(m) => {
                let model = m
                    .strip_prefix("D.")
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("echo model `{m}`: \"D.2\" to \"D.9\""))?;
                if !(0.0..=1000.0).contains(&self.echo_delay_ms) {
                    return Err(format!("echo delay {} ms: 0 to 1000", self.echo_delay_ms));
                }
                Some(EchoPath { model, delay_frames: (self.echo_delay_ms * 8.0).round() as u32, erl_db: self.echo_erl_db })
            }
        };
        let i = Impairments {
            echo,
            noise_dbm0: self.noise_dbm0,
            gain_db: self.gain_db,
            dchan_ber: self.dchan_ber,
            blackout: self.blackout,
            crc4_error_rate: self.crc4_error_rate,
            remote_alarm: self.remote_alarm,
            ais_on_cut: self.ais_on_cut,
        };
        i.validate()?;
        Ok(i)
    }
}

fn direction(d: Dir) -> Direction {
    match d {
        Dir::Both => Direction::Both,
        Dir::AToB => Direction::AToB,
        Dir::BToA => Direction::BToA,
    }
}

fn ctl(socket: &PathBuf, request: Ctl) -> Result<String, String> {
    let req = match request {
        Ctl::Cut { patch, direction: d } => Request::Control(Control::CutPatch { patch, direction: direction(d) }),
        Ctl::Restore { patch, direction: d } => Request::Control(Control::RestorePatch { patch, direction: direction(d) }),
        Ctl::RemoveCard { card } => Request::Control(Control::RemoveCard { card }),
        Ctl::AddCard { card } => Request::Control(Control::AddCard { card }),
        Ctl::Step { frames } => Request::Control(Control::Step { frames }),
        Ctl::Speed { speed } => {
            if !(0.0..=10000.0).contains(&speed) {
                return Err(format!("speed {speed}: 0 to 10000"));
            }
            Request::Control(Control::SetSpeed { speed_milli: (speed * 1000.0).round() as u32 })
        }
        Ctl::Counters => Request::Control(Control::LineCounters),
        Ctl::Spans => Request::ListSpans,
        Ctl::Impair { patch, direction: d, set } => {
            Request::Control(Control::SetImpairments { patch, direction: direction(d), impairments: set.impairments()? })
        }
        Ctl::Slip { patch, direction: d, kind } => Request::Control(Control::Slip {
            patch,
            direction: direction(d),
            kind: match kind {
                Slip::Repeat => SlipKind::Repeat,
                Slip::Delete => SlipKind::Delete,
            },
        }),
        Ctl::Ppm { card, ppm } => Request::Control(Control::SetClockOffset { card, ppm }),
    };
    let mut stream = UnixStream::connect(socket).map_err(|e| format!("{}: {e}", socket.display()))?;
    stream
        .write_all(&ClientMessage::Request { id: 1, request: req }.encode())
        .map_err(|e| e.to_string())?;
    loop {
        let body = read_frame(&mut stream).map_err(|e| e.to_string())?;
        match ServerMessage::decode(&body).map_err(|e| e.to_string())? {
            ServerMessage::Reply { id: 1, result } => {
                return match result {
                    Ok(Reply::Done { time }) => Ok(format!("ok, trunk time {time}")),
                    Ok(Reply::Counters(c)) => Ok(format!(
                        "time {} underruns {} late_blocks {} idle_frames {} late_ticks {}",
                        c.time, c.underruns, c.late_blocks, c.idle_frames, c.late_ticks
                    )),
                    Ok(Reply::Spans(spans)) => Ok(spans
                        .iter()
                        .map(|s| {
                            let c = &s.counters;
                            format!(
                                "span {} {} alarms 0x{:x} slips {} crc4 {} ebit {} errsec {}",
                                s.span, s.name, s.alarms.0, c.timingslips, c.crc4, c.ebit, c.errsec
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")),
                    Ok(other) => Ok(format!("{other:?}")),
                    Err(e) => Err(e.message),
                };
            }
            _ => continue,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check { config } => config::load(&config).map(|_| "config ok".to_string()).map_err(|e| e.to_string()),
        Command::Run { config, socket, speed } => match config::load(&config) {
            Err(e) => Err(e.to_string()),
            Ok(cfg) => {
                let speed = speed.unwrap_or(cfg.speed);
                if !(0.0..=10000.0).contains(&speed) {
                    Err(format!("speed {speed}: 0 to 10000"))
                } else {
                    let world = world::World::new(&cfg);
                    server::serve(world, speed, &socket).map(|_| String::new()).map_err(|e| format!("{}: {e}", socket.display()))
                }
            }
        },
        Command::Ctl { socket, request } => ctl(&socket, request),
    };
    match result {
        Ok(out) => {
            if !out.is_empty() {
                println!("{out}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hw-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
