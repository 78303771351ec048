//! The hw-sim protocol: every message survives a round trip, and the decoders
//! never panic on arbitrary bytes but return a clear error.

use cti_drivers::sim::protocol::*;
use cti_drivers::sim::{EchoPath, Impairments, SlipKind};
use cti_drivers::*;
use proptest::prelude::*;

fn span() -> SpanStatus {
    SpanStatus {
        span: 2,
        name: "cardB/1".into(),
        alarms: AlarmBits(AlarmBits::RED | AlarmBits::LOS),
        counters: SpanCounters { crc4: 7, timingslips: 3, ..Default::default() },
        clock_source: ClockSource::Line(1),
        law: Law::ALaw,
        first_channel: 32,
        channels: 31,
        time: 123456,
    }
}

fn client_samples() -> Vec<ClientMessage> {
    let reqs = vec![
        Request::Hello { version: PROTOCOL_VERSION },
        Request::ListSpans,
        Request::SpanStatus { span: 3 },
        Request::Open { channel: 47 },
        Request::Close { channel: 47 },
        Request::SetBlockSize { channel: 1, samples: 160 },
        Request::SetBuffers { channel: 16, count: 32, size: 1024 },
        Request::SetTxBits { channel: 5, bits: 0b1011 },
        Request::Ping,
        Request::Control(Control::CutPatch { patch: 0, direction: Direction::AToB }),
        Request::Control(Control::RestorePatch { patch: 1, direction: Direction::Both }),
        Request::Control(Control::RemoveCard { card: "cardB".into() }),
        Request::Control(Control::AddCard { card: "cardB".into() }),
        Request::Control(Control::Step { frames: 20000 }),
        Request::Control(Control::SetSpeed { speed_milli: 50000 }),
        Request::Control(Control::LineCounters),
        Request::Control(Control::SetImpairments { patch: 2, direction: Direction::BToA, impairments: Impairments::default() }),
        Request::Control(Control::SetImpairments {
            patch: 0,
            direction: Direction::Both,
            impairments: Impairments {
                echo: Some(EchoPath { model: 5, delay_frames: 80, erl_db: 12.5 }),
                noise_dbm0: Some(-55.0),
                gain_db: -3.0,
                dchan_ber: 1e-4,
                blackout: Some(16),
                crc4_error_rate: 0.01,
                remote_alarm: true,
                ais_on_cut: true,
            },
        }),
        Request::Control(Control::Slip { patch: 1, direction: Direction::AToB, kind: SlipKind::Delete }),
        Request::Control(Control::SetClockOffset { card: "west".into(), ppm: -50.0 }),
    ];
    let mut all: Vec<ClientMessage> =
        reqs.into_iter().enumerate().map(|(i, request)| ClientMessage::Request { id: i as u32, request }).collect();
    all.push(ClientMessage::Write { channel: 1, data: vec![0xD5; 160] });
    all
}

fn server_samples() -> Vec<ServerMessage> {
    vec![
        ServerMessage::Reply { id: 1, result: Ok(Reply::Hello { version: 1, time: 5 }) },
        ServerMessage::Reply { id: 2, result: Ok(Reply::Spans(vec![span(), span()])) },
        ServerMessage::Reply { id: 3, result: Ok(Reply::Span(span())) },
        ServerMessage::Reply {
            id: 4,
            result: Ok(Reply::Opened(ChannelParams {
                channel: 16,
                span: 1,
                timeslot: 16,
                kind: ChannelKind::Hdlc,
                law: Law::MuLaw,
                idle_bits: 0b1101,
                rx_bits: 1,
                tx_bits: 2,
                block_size: 160,
                num_buffers: 32,
                buffer_size: 1024,
            })),
        },
        ServerMessage::Reply { id: 5, result: Ok(Reply::Done { time: 99 }) },
        ServerMessage::Reply {
            id: 6,
            result: Ok(Reply::Counters(LineCounters {
                time: 8,
                underruns: 1,
                late_blocks: 2,
                idle_frames: 3,
                late_ticks: 4,
                channels: vec![ChannelLineCounters { channel: 1, underruns: 1, late_blocks: 2, idle_frames: 3 }],
            })),
        },
        ServerMessage::Reply { id: 7, result: Err(WireError { errno: 16, message: "channel 1 is open".into() }) },
        ServerMessage::RxBlock { channel: 1, time: 160, tx_done: 3, data: vec![1, 2, 3] },
        ServerMessage::RxFrame { channel: 16, time: 200, data: vec![0, 1, 0x7f, 9, 9] },
        ServerMessage::TxDone { channel: 16, time: 201, tx_done: 4 },
        ServerMessage::Event { channel: 5, event: ChannelEvent { kind: EventKind::BitsChanged, time: 36, value: 0xB } },
        ServerMessage::SpanAlarms { span: 1, time: 20000, alarms: AlarmBits(AlarmBits::RED) },
        ServerMessage::Hotplug(HotplugEvent::CardRemoved { card: "cardB".into(), spans: vec![3, 4], time: 7 }),
        ServerMessage::Hotplug(HotplugEvent::CardAdded { card: "cardB".into(), spans: vec![3, 4], time: 8 }),
    ]
}

#[test]
fn every_client_message_round_trips() {
    for msg in client_samples() {
        let bytes = msg.encode();
        assert_eq!(u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize, bytes.len() - 4);
        let body = read_frame(&mut &bytes[..]).unwrap();
        assert_eq!(ClientMessage::decode(&body).unwrap(), msg);
    }
}

#[test]
fn every_server_message_round_trips() {
    for msg in server_samples() {
        let bytes = msg.encode();
        let body = read_frame(&mut &bytes[..]).unwrap();
        assert_eq!(ServerMessage::decode(&body).unwrap(), msg);
    }
}

#[test]
fn another_version_is_refused_by_name() {
    let mut bytes = ClientMessage::Request { id: 1, request: Request::Ping }.encode();
    bytes[4] = 9;
    let err = ClientMessage::decode(&bytes[4..]).unwrap_err();
    assert_eq!(err, ProtocolError::UnsupportedVersion { got: 9, supported: PROTOCOL_VERSION });
    assert!(err.to_string().contains("version 9"));
}

#[test]
fn truncated_message_names_the_field() {
    let bytes = ClientMessage::Request { id: 1, request: Request::SetTxBits { channel: 5, bits: 3 } }.encode();
    let err = ClientMessage::decode(&bytes[4..bytes.len() - 1]).unwrap_err();
    assert_eq!(err, ProtocolError::Truncated { field: "bits" });
}

#[test]
fn oversized_length_prefix_is_refused_without_allocating() {
    let bytes = [0xFF, 0xFF, 0xFF, 0x7F, 1, 1];
    match read_frame(&mut &bytes[..]) {
        Err(ReadError::Protocol(ProtocolError::FrameTooLong { length, .. })) => assert_eq!(length, 0x7FFF_FFFF),
        other => panic!("expected FrameTooLong, got {other:?}"),
    }
}

#[test]
fn hostile_element_count_is_refused() {
    // A Spans reply announcing 4 billion spans in a 20-byte frame.
    let mut body = vec![PROTOCOL_VERSION, 3];
    body.extend_from_slice(&1u32.to_le_bytes());
    body.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(ServerMessage::decode(&body).unwrap_err(), ProtocolError::Truncated { field: "span count" });
}

#[test]
fn impairments_with_nan_or_unknown_flags_are_refused() {
    let msg = ClientMessage::Request {
        id: 1,
        request: Request::Control(Control::SetImpairments { patch: 0, direction: Direction::Both, impairments: Impairments::default() }),
    };
    let bytes = msg.encode();
    // Body: version, tag, id(4), patch(4), direction(1), flags(1), gain(8), ber(8), crc4(8).
    let mut nan = bytes.clone();
    nan[4 + 12..4 + 20].copy_from_slice(&f64::NAN.to_bits().to_le_bytes());
    let err = ClientMessage::decode(&nan[4..]).unwrap_err();
    assert!(matches!(err, ProtocolError::BadValue { field: "gain", .. }), "{err:?}");
    let mut flags = bytes.clone();
    flags[4 + 11] = 0x80;
    let err = ClientMessage::decode(&flags[4..]).unwrap_err();
    assert_eq!(err.to_string(), "field `impairment flags` has invalid value 128");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn random_bytes_never_panic_the_decoders(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = ClientMessage::decode(&body);
        let _ = ServerMessage::decode(&body);
        let _ = read_frame(&mut &body[..]);
    }

    #[test]
    fn random_bytes_after_a_valid_header_give_errors_not_panics(
        tag in any::<u8>(), rest in proptest::collection::vec(any::<u8>(), 0..120)
    ) {
        let mut body = vec![PROTOCOL_VERSION, tag];
        body.extend_from_slice(&rest);
        if let Err(e) = ClientMessage::decode(&body) { prop_assert!(!e.to_string().is_empty()); }
        if let Err(e) = ServerMessage::decode(&body) { prop_assert!(!e.to_string().is_empty()); }
    }

    #[test]
    fn every_truncation_of_a_valid_message_is_an_error(which in 0usize..40, cut in 0usize..1000) {
        let clients = client_samples();
        let servers = server_samples();
        if which < clients.len() {
            let bytes = clients[which].encode();
            let end = 4 + cut % (bytes.len() - 4);
            prop_assert!(ClientMessage::decode(&bytes[4..end]).is_err());
        } else {
            let bytes = servers[(which - clients.len()) % servers.len()].encode();
            let end = 4 + cut % (bytes.len() - 4);
            prop_assert!(ServerMessage::decode(&bytes[4..end]).is_err());
        }
    }
}
