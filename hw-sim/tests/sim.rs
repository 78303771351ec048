//! hw-sim's own behaviour: its clock in real and faster-than-real time, its
//! line-side counters, its control CLI, and bad input (malformed messages,
//! bad config, clients that vanish).

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cti_drivers::sim::bench::{SimBench, BENCH_CONFIG};
use cti_drivers::sim::protocol::*;
use cti_drivers::sim::{Impairments, SimBackend};
use cti_drivers::{Backend, Channel, Error, EventKind};

const HW_SIM: &str = env!("CARGO_BIN_EXE_hw-sim");

fn bench_at(speed: &str) -> SimBench {
    SimBench::start_with(Path::new(HW_SIM), &BENCH_CONFIG.replace("speed = 0", &format!("speed = {speed}"))).unwrap()
}

/// Read `blocks` blocks from a channel as they come; returns the wall time taken.
fn receive_blocks(ch: &mut dyn Channel, blocks: usize) -> Duration {
    let start = Instant::now();
    let mut got = 0;
    let mut buf = [0u8; 160];
    while got < blocks {
        match ch.read(&mut buf) {
            Ok(n) => {
                assert_eq!(n, 160);
                got += 1;
            }
            Err(Error::WouldBlock) => {
                ch.wait(true, false, Duration::from_millis(100)).unwrap();
            }
            Err(Error::EventsPending) => {
                ch.drain_events().unwrap();
            }
            Err(e) => panic!("read: {e}"),
        }
        assert!(start.elapsed() < Duration::from_secs(10), "blocks stopped coming");
    }
    start.elapsed()
}

/// Trunk frames per wall second while reading blocks for `wall`, measured by
/// hw-sim's own time at both ends (Ping answers carry it).
fn measured_rate(bench: &SimBench, ch: &mut dyn Channel, wall: Duration) -> f64 {
    let t0 = bench.sim().sync().unwrap();
    let start = Instant::now();
    let mut buf = [0u8; 160];
    while start.elapsed() < wall {
        match ch.read(&mut buf) {
            Ok(n) => assert_eq!(n, 160),
            Err(Error::WouldBlock) => {
                ch.wait(true, false, Duration::from_millis(5)).unwrap();
            }
            Err(Error::EventsPending) => {
                // READ_OVERRUN only, if this thread was descheduled on a busy machine.
                for ev in ch.drain_events().unwrap() {
                    assert_eq!(ev.kind, EventKind::ReadOverrun);
                }
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    let t1 = bench.sim().sync().unwrap();
    (t1 - t0) as f64 / start.elapsed().as_secs_f64()
}

#[test]
fn real_time_clock_runs_at_8000_frames_per_second_in_160_sample_blocks() {
    let bench = bench_at("1.0");
    let mut ch = bench.sim().open(94).unwrap();
    receive_blocks(ch.as_mut(), 2);
    let rate = measured_rate(&bench, ch.as_mut(), Duration::from_millis(400));
    // Never faster than real time; a loaded machine may make it lag a little.
    assert!((7400.0..=8100.0).contains(&rate), "{rate:.0} frames/s");
}

#[test]
fn fast_clock_runs_twenty_times_real_time_and_can_pause() {
    let bench = bench_at("20");
    let mut ch = bench.sim().open(94).unwrap();
    receive_blocks(ch.as_mut(), 2);
    let rate = measured_rate(&bench, ch.as_mut(), Duration::from_millis(200));
    // Upper bound: the clock catches up in bursts, so the first sample may lag by a few chunks.
    assert!((20.0 * 8000.0 * 0.85..=20.0 * 8000.0 * 1.03).contains(&rate), "{rate:.0} frames/s at speed 20");
    // Paused: time stands still until stepped.
    bench.sim().control(Control::SetSpeed { speed_milli: 0 }).unwrap();
    let paused_at = bench.sim().sync().unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(bench.sim().sync().unwrap(), paused_at);
    assert_eq!(bench.sim().control(Control::Step { frames: 800 }).unwrap(), Reply::Done { time: paused_at + 800 });
}

#[test]
fn line_counters_count_underruns_late_blocks_and_idle_frames() {
    let bench = bench_at("0");
    let mut ch = bench.sim().open(1).unwrap();
    ch.write(&[0x11; 160]).unwrap();
    bench.sim().control(Control::Step { frames: 480 }).unwrap(); // 320 frames of idle code
    assert_eq!(ch.drain_events().unwrap().iter().filter(|e| e.kind == EventKind::WriteUnderrun).count(), 1);
    ch.write(&[0x22; 160]).unwrap(); // late: its slot already went out as idle code
    bench.sim().control(Control::Step { frames: 160 }).unwrap();
    let Reply::Counters(c) = bench.sim().control(Control::LineCounters).unwrap() else { panic!() };
    assert_eq!((c.underruns, c.late_blocks, c.idle_frames), (1, 1, 320));
    assert_eq!(c.channels.len(), 1);
    assert_eq!(c.channels[0].channel, 1);
    assert_eq!(c.time, 640);
}

fn raw_exchange(socket: &Path, bytes: &[u8]) -> (Option<ServerMessage>, bool) {
    let mut s = UnixStream::connect(socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(bytes).unwrap();
    let reply = read_frame(&mut s).ok().map(|b| ServerMessage::decode(&b).unwrap());
    let closed = matches!(read_frame(&mut s), Err(ReadError::Closed) | Err(ReadError::Io(_)));
    (reply, closed)
}

fn error_text(reply: Option<ServerMessage>) -> String {
    match reply {
        Some(ServerMessage::Reply { result: Err(e), .. }) => {
            assert_eq!(e.errno, 22);
            e.message
        }
        other => panic!("expected an error reply, got {other:?}"),
    }
}

#[test]
fn malformed_messages_get_a_clear_error_and_disturb_nobody() {
    let bench = bench_at("0");
    let mut keeper = bench.sim().open(1).unwrap();
    // Unknown message type.
    let (reply, closed) = raw_exchange(bench.socket(), &[3, 0, 0, 0, PROTOCOL_VERSION, 99, 0]);
    assert!(error_text(reply).contains("unknown client message type 99"));
    assert!(closed, "the connection is closed after a malformed message");
    // Another protocol version.
    let (reply, _) = raw_exchange(bench.socket(), &[6, 0, 0, 0, 7, 18, 1, 0, 0, 0]);
    assert!(error_text(reply).contains("protocol version 7 not supported"));
    // A length prefix of 2 GB.
    let (reply, _) = raw_exchange(bench.socket(), &[0, 0, 0, 0x80, 1, 1]);
    assert!(error_text(reply).contains("exceeds the maximum"));
    // A truncated request.
    let (reply, _) = raw_exchange(bench.socket(), &[4, 0, 0, 0, PROTOCOL_VERSION, 13, 1, 0]);
    assert!(error_text(reply).contains("truncated"));
    // A peer that sends half a frame and vanishes.
    {
        let mut s = UnixStream::connect(bench.socket()).unwrap();
        s.write_all(&[50, 0, 0, 0, 1, 1, 2]).unwrap();
    }
    // Requests that would wedge the clock are refused.
    let err = bench.sim().control(Control::Step { frames: u64::MAX }).unwrap_err();
    assert!(err.to_string().contains("at most 28800000"), "{err}");
    assert_eq!(bench.sim().control(Control::SetSpeed { speed_milli: u32::MAX }).unwrap_err().errno(), 22);
    // hw-sim and its other client carry on.
    keeper.write(&[0x42; 160]).unwrap();
    bench.sim().control(Control::Step { frames: 160 }).unwrap();
    let mut buf = [0u8; 160];
    assert_eq!(keeper.read(&mut buf).unwrap(), 160);
}

#[test]
fn a_vanished_client_frees_its_channels() {
    let bench = bench_at("0");
    let other = SimBackend::connect(bench.socket()).unwrap();
    let held = other.open(5).unwrap();
    assert_eq!(bench.sim().open(5).err().unwrap().errno(), 16);
    std::mem::forget(held); // the program dies without closing
    drop(other);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match bench.sim().open(5) {
            Ok(_) => break,
            Err(e) if e.errno() == 16 && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("channel 5 still held after its program vanished: {e}"),
        }
    }
}

#[test]
fn bad_config_is_reported_with_file_and_line() {
    let dir = std::env::temp_dir().join(format!("hw-sim-badcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(&path, BENCH_CONFIG.replace("b = \"west/2\"", "b = \"west/7\"")).unwrap();
    for args in [vec!["check", "--config"], vec!["run", "--socket", "/nonexistent/s", "--config"]] {
        let out = Command::new(HW_SIM).args(&args).arg(&path).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("{}:32: `west/7`: card `west` has spans 1 to 2", path.display())),
            "stderr: {err}"
        );
    }
    std::fs::write(&path, BENCH_CONFIG).unwrap();
    let out = Command::new(HW_SIM).args(["check", "--config"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctl_command_cuts_a_patch_and_steps_the_clock() {
    let bench = bench_at("0");
    let ctl = |args: &[&str]| {
        let out = Command::new(HW_SIM).arg("ctl").arg("--socket").arg(bench.socket()).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(ctl(&["cut", "0"]), "ok, trunk time 0\n");
    assert_eq!(ctl(&["step", "20008"]), "ok, trunk time 20008\n");
    let spans = ctl(&["spans"]);
    assert!(spans.contains("span 1 east/1 alarms 0x108"), "{spans}");
    assert!(spans.contains("span 2 east/2 alarms 0x0"), "{spans}");
    assert!(spans.contains("span 3 east/3 alarms 0x108"), "unpatched span is red: {spans}");
    let out = Command::new(HW_SIM).arg("ctl").arg("--socket").arg(bench.socket()).args(["cut", "9"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no patch 9"));
}

#[test]
fn cut_in_the_middle_of_a_frame_gives_abort_at_the_receiver() {
    let bench = bench_at("0");
    let mut a = bench.sim().open(16).unwrap();
    let mut b = bench.sim().open(109).unwrap();
    // 1000 octets at one octet per frame take 1001 frames (with the flag).
    a.write_frame(&[0x7E; 998]).unwrap();
    bench.sim().control(Control::Step { frames: 400 }).unwrap();
    bench.sim().control(Control::CutPatch { patch: 0, direction: Direction::AToB }).unwrap();
    bench.sim().control(Control::Step { frames: 8 }).unwrap();
    let events = b.drain_events().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((events[0].kind, events[0].time), (EventKind::HdlcAbort, 400));
    assert_eq!(events[0].kind.dahdi_code(), 6);
    assert!(matches!(b.read(&mut [0u8; 1100]), Err(Error::WouldBlock)), "the aborted frame is not delivered");
    assert!(a.drain_events().unwrap().is_empty());
}

#[test]
fn two_programs_talk_across_a_patch() {
    // As in the end-to-end tests: an "exchange" program on one card, the program
    // under test on the other, each with its own connection.
    let bench = bench_at("0");
    let exchange = SimBackend::connect(bench.socket()).unwrap();
    let mut near = exchange.open(16).unwrap();
    let mut far = bench.sim().open(109).unwrap();
    near.write_frame(b"SABME").unwrap();
    exchange.control(Control::Step { frames: 80 }).unwrap();
    bench.sim().sync().unwrap(); // the stepping connection is not this one: wait for its pushes
    let mut buf = [0u8; 64];
    let n = far.read_frame(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"SABME");
    far.write_frame(b"UA").unwrap();
    bench.sim().control(Control::Step { frames: 80 }).unwrap();
    exchange.sync().unwrap();
    let n = near.read_frame(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"UA");
    assert_eq!(exchange.now(), bench.sim().now());
}

#[test]
fn mu_law_span_underruns_to_0xff() {
    let config = r#"
[clock]
speed = 0
[[card]]
name = "a"
[[card.span]]
law = "mulaw"
bchan = "1-31"
[[card]]
name = "b"
[[card.span]]
law = "mulaw"
bchan = "1-31"
[[patch]]
a = "a/1"
b = "b/1"
"#;
    let bench = SimBench::start_with(Path::new(HW_SIM), config).unwrap();
    let mut tx = bench.sim().open(3).unwrap();
    let mut rx = bench.sim().open(34).unwrap();
    assert_eq!(tx.params().unwrap().law, cti_drivers::Law::MuLaw);
    tx.write(&[0x12; 160]).unwrap();
    bench.sim().control(Control::Step { frames: 320 }).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 160];
    while let Ok(n) = rx.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got[..160], [0x12; 160]);
    assert_eq!(got[160..], [0xFF; 160]);
    let events = tx.drain_events().unwrap();
    assert_eq!((events[0].kind, events[0].time), (EventKind::WriteUnderrun, 160));
}

#[test]
fn event_queue_keeps_64_and_drops_newer_ones() {
    // dahdi.md 3.2: a ring of 64 events per channel; when full, new events are dropped.
    let bench = bench_at("0");
    let mut tx = bench.sim().open(32).unwrap();
    let mut rx = bench.sim().open(125).unwrap();
    rx.set_block_size(8192).unwrap(); // no audio block (or overrun) within the test
    for k in 0..70u64 {
        tx.set_tx_bits(if k % 2 == 0 { 0b0101 } else { 0b1001 }).unwrap();
        bench.sim().control(Control::Step { frames: 40 }).unwrap();
    }
    let events = rx.drain_events().unwrap();
    assert_eq!(events.len(), 64);
    assert!(events.iter().all(|e| e.kind == EventKind::BitsChanged));
    assert_eq!(events[0].value, 0b0101);
    assert_eq!(events[63].value, 0b1001);
    assert_eq!(events[63].time, 63 * 40 + 36);
}

#[test]
fn a_second_hw_sim_on_a_live_socket_is_refused() {
    let bench = bench_at("0");
    let dir = std::env::temp_dir().join(format!("hw-sim-second-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("sim.toml");
    std::fs::write(&cfg, BENCH_CONFIG).unwrap();
    let out = Command::new(HW_SIM).args(["run", "--config"]).arg(&cfg).arg("--socket").arg(bench.socket()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another hw-sim is listening there"));
    bench.sim().sync().unwrap(); // the first one is untouched
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctl_sets_impairments_slips_and_clock_offsets_and_refuses_bad_values() {
    let bench = bench_at("0");
    let run = |args: &[&str]| Command::new(HW_SIM).arg("ctl").arg("--socket").arg(bench.socket()).args(args).output().unwrap();
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["impair", "0", "--direction", "a-to-b", "--echo-model", "D.3", "--echo-delay-ms", "8", "--echo-erl-db", "10",
         "--noise-dbm0", "-60", "--gain-db", "-3", "--crc4-error-rate", "0.5"]);
    ok(&["ppm", "west", "-100"]);
    ok(&["step", "10000"]);
    let spans = ok(&["spans"]);
    assert!(spans.contains("span 1 east/1 alarms 0x0 slips 1 crc4 0 ebit "), "{spans}");
    let west = spans.lines().find(|l| l.starts_with("span 4 west/1")).unwrap().to_string();
    let crc4: u32 = west.split_whitespace().nth(8).unwrap().parse().unwrap();
    // 1250 sub-multiframes at a rate of 0.5.
    assert!((550..=700).contains(&crc4), "{west}");
    ok(&["slip", "0", "--kind", "repeat"]);
    ok(&["step", "8"]);
    assert!(ok(&["spans"]).contains("span 1 east/1 alarms 0x0 slips 2 "));
    for (args, msg) in [
        (vec!["impair", "0", "--blackout", "40"], "blackout timeslot 40: 1 to 31"),
        (vec!["impair", "0", "--echo-model", "D.1"], "echo model D.1: G.168 Annex D has models D.2 to D.9"),
        (vec!["impair", "3", "--gain-db", "1"], "no patch 3"),
        (vec!["ppm", "nowhere", "5"], "no card `nowhere`"),
        (vec!["ppm", "west", "2000"], "clock offset 2000 ppm: at most 1000 either way"),
    ] {
        let out = run(&args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{args:?}: {err}");
    }
    // Values the CLI would refuse are refused by hw-sim too (a client of its own).
    let r = bench.sim().control(Control::SetImpairments {
        patch: 0,
        direction: Direction::Both,
        impairments: Impairments { dchan_ber: 2.0, ..Default::default() },
    });
    let err = r.unwrap_err();
    assert_eq!(err.errno(), 22);
    assert!(err.to_string().contains("D-channel bit error rate 2: 0 to 1"), "{err}");
}

#[test]
fn bri_port_patched_to_an_e1_span_is_refused_naming_file_and_line() {
    let dir = std::env::temp_dir().join(format!("hw-sim-bri-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bri.toml");
    let text = BENCH_CONFIG.replace("[[bus]]\nnt = \"pbx/1\"\nte = [\"phone1/1\", \"phone2/1\"]\n", "[[patch]]\na = \"pbx/1\"\nb = \"east/3\"\n");
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l == "b = \"east/3\"").unwrap(); // 0-based: the [[patch]] line is 1-based `line`
    let out = Command::new(HW_SIM).args(["check", "--config"]).arg(&path).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let want = format!("{}:{}: pbx/1 is a BRI port and east/3 an E1 span: a BRI port is patched to a BRI port", path.display(), line - 1);
    assert!(err.contains(&want), "stderr: {err}\nwanted: {want}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bri_point_to_point_nt_te_patch_carries_b_and_d() {
    let config = r#"
[clock]
speed = 0
[[card]]
name = "nt"
[[card.span]]
type = "bri"
mode = "nt"
[[card]]
name = "te"
[[card.span]]
type = "bri"
mode = "te"
law = "mulaw"
[[patch]]
a = "nt/1"
b = "te/1"
"#;
    let bench = SimBench::start_with(Path::new(HW_SIM), config).unwrap();
    let spans = bench.sim().spans().unwrap();
    assert_eq!(spans.iter().map(|s| (s.first_channel, s.channels)).collect::<Vec<_>>(), vec![(1, 3), (4, 3)]);
    let mut d_nt = bench.sim().open(3).unwrap();
    let mut d_te = bench.sim().open(6).unwrap();
    let mut b2_te = bench.sim().open(5).unwrap();
    assert!(matches!(bench.sim().open(7), Err(Error::Invalid(_))), "channel 7 does not exist");
    d_te.write_frame(b"SABME").unwrap();
    bench.sim().control(Control::Step { frames: 8 * 4 }).unwrap(); // 5 + 2 + 1 octets x 4 frames
    let mut buf = [0u8; 64];
    let n = d_nt.read_frame(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"SABME");
    // A clean line passes octets bit for bit: the TE hears the NT's A-law idle code.
    bench.sim().control(Control::Step { frames: 160 }).unwrap();
    let mut blk = [0u8; 160];
    let n = b2_te.read(&mut blk).unwrap();
    assert_eq!((n, blk[0]), (160, 0xD5));
}

#[test]
fn impairments_from_the_config_file_act_from_the_start() {
    // Every D-channel bit toward west/1 in error: every frame fails its FCS;
    // the other direction is clean.
    let config = BENCH_CONFIG.replacen("b = \"west/1\"\n", "b = \"west/1\"\n[patch.to_b]\ndchan_ber = 1.0\n", 1);
    let bench = SimBench::start_with(Path::new(HW_SIM), &config).unwrap();
    let mut a = bench.sim().open(16).unwrap();
    let mut b = bench.sim().open(109).unwrap();
    a.write_frame(b"lost").unwrap();
    b.write_frame(b"kept").unwrap();
    bench.sim().control(Control::Step { frames: 80 }).unwrap();
    let eb = b.drain_events().unwrap();
    assert_eq!(eb.iter().map(|e| (e.kind, e.time)).collect::<Vec<_>>(), vec![(EventKind::BadFcs, 7)]);
    assert!(a.drain_events().unwrap().is_empty());
    let mut buf = [0u8; 16];
    let n = a.read_frame(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"kept");
}

#[test]
fn blackout_starting_mid_frame_aborts_it_without_alarm() {
    let bench = bench_at("0");
    let mut a = bench.sim().open(16).unwrap();
    let mut b = bench.sim().open(109).unwrap();
    a.write_frame(&[0x11; 500]).unwrap();
    bench.sim().control(Control::Step { frames: 200 }).unwrap();
    let blackout = Impairments { blackout: Some(16), ..Default::default() };
    bench.sim().control(Control::SetImpairments { patch: 0, direction: Direction::AToB, impairments: blackout }).unwrap();
    bench.sim().control(Control::Step { frames: 800 }).unwrap();
    let eb = b.drain_events().unwrap();
    assert_eq!(eb.iter().map(|e| (e.kind, e.time)).collect::<Vec<_>>(), vec![(EventKind::HdlcAbort, 200)]);
    assert!(matches!(b.read(&mut [0u8; 600]), Err(Error::WouldBlock)));
    assert_eq!(bench.sim().span_status(4).unwrap().alarms.0, 0, "a timeslot blackout raises no alarm");
}
