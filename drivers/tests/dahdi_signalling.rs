//! D-channel frames (2 FCS bytes added on write, dropped on read, dahdi.md §4), B-channel
//! set-up (§1.4; never SETLINEAR; one echo canceller) and CAS bits (§5), against the fake
//! fd of dahdi_support.

mod dahdi_support;

use cti_drivers::dahdi::abi::*;
use cti_drivers::dahdi::bchan::{BChannel, BChannelConfig, BearerUse, EchoCanceller};
use cti_drivers::dahdi::cas::{check_cas_channel, read_rx_bits, write_tx_bits, Abcd};
use cti_drivers::dahdi::dchan::{
    frame_for_write, frame_from_read, DChannel, DChannelConfig, HdlcMode,
};
use cti_drivers::dahdi::fd::echocancel_buffer;
use cti_drivers::dahdi::{Channel, DahdiError, DahdiEvent};
use dahdi_support::FakeDevice;

fn channel(device: FakeDevice, channo: i32) -> Channel<FakeDevice> {
    Channel::specify(device, channo).unwrap()
}

// ----- D-channel -------------------------------------------------------------------------

#[test]
fn fcs_placeholder_is_appended_on_write_and_dropped_on_read() {
    let mut out = Vec::new();
    frame_for_write(&[0x00, 0x01, 0x7F], &mut out);
    assert_eq!(out, [0x00, 0x01, 0x7F, 0x00, 0x00]);
    // The measured read of §4: payload then the complemented FCS-16, low byte first.
    assert_eq!(
        frame_from_read(&[0x41, 0x42, 0xDA, 0x41]),
        Some(&[0x41, 0x42][..])
    );
    assert_eq!(frame_from_read(&[0xDA, 0x41]), Some(&[][..]));
    assert_eq!(frame_from_read(&[0xDA]), None);
}

#[test]
fn d_channel_setup_checks_hdlc_and_sets_isdn_buffers() {
    for (sigtype, mode) in [
        (DAHDI_SIG_HDLCFCS, HdlcMode::SoftFcs),
        (DAHDI_SIG_HARDHDLC, HdlcMode::Hardware),
        (DAHDI_SIG_MTP2, HdlcMode::Mtp2),
    ] {
        let dchan = DChannel::setup(
            channel(FakeDevice::with_sigtype(sigtype), 16),
            DChannelConfig::ISDN,
        )
        .unwrap();
        assert_eq!(dchan.mode(), mode);
        let info = dchan.channel().device().bufinfo.unwrap();
        assert_eq!(
            (
                info.txbufpolicy,
                info.rxbufpolicy,
                info.numbufs,
                info.bufsize
            ),
            (DAHDI_POLICY_IMMEDIATE, DAHDI_POLICY_IMMEDIATE, 32, 1024)
        );
    }
    let ss7 = DChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_MTP2), 16),
        DChannelConfig::SS7,
    )
    .unwrap();
    assert_eq!(ss7.channel().device().bufinfo.unwrap().bufsize, 512);
}

#[test]
fn d_channel_on_a_bearer_is_refused_naming_channel_and_signalling() {
    let error = DChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 16),
        DChannelConfig::ISDN,
    )
    .unwrap_err();
    assert!(matches!(
        error,
        DahdiError::WrongSignalling {
            channo: 16,
            sigtype: DAHDI_SIG_CLEAR,
            ..
        }
    ));
    assert_eq!(
        error.to_string(),
        "DAHDI channel 16 has signalling Clear (0x80); expected HDLC (dchan=, hardhdlc= or mtp2= in system.conf)"
    );
}

#[test]
fn d_channel_buffers_outside_kernel_limits_are_refused() {
    let too_much = DChannelConfig {
        numbufs: 32,
        bufsize: 2048,
    }; // 64 KiB > 32768
    let error = DChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS), 16),
        too_much,
    )
    .unwrap_err();
    assert!(
        matches!(error, DahdiError::InvalidArgument { channo: 16, .. }),
        "{error}"
    );
}

#[test]
fn frames_go_out_with_two_placeholder_bytes_and_come_in_without_fcs() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS);
    device.rx.push_back(vec![0x02, 0x01, 0x7F, 0x4F, 0xDA]); // SABME-like frame + FCS
    device.rx.push_back(vec![0x9A]); // a runt: shorter than the FCS itself
    device.rx.push_back(vec![0x00, 0x01, 0x01, 0x12, 0x34]);
    let mut dchan = DChannel::setup(channel(device, 16), DChannelConfig::ISDN).unwrap();

    assert!(dchan.write_frame(&[0x00, 0x01, 0x7F]).unwrap());
    assert_eq!(
        dchan.channel().device().written,
        vec![vec![0x00, 0x01, 0x7F, 0x00, 0x00]]
    );

    assert_eq!(dchan.read_frame().unwrap(), Some(&[0x02, 0x01, 0x7F][..]));
    assert_eq!(dchan.read_frame().unwrap(), Some(&[0x00, 0x01, 0x01][..]));
    assert_eq!(dchan.runt_reads(), 1);
    assert_eq!(dchan.read_frame().unwrap(), None);
}

#[test]
fn frame_errors_are_counted_from_events() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS);
    device.events.extend([
        DAHDI_EVENT_BADFCS,
        DAHDI_EVENT_BADFCS,
        DAHDI_EVENT_ABORT,
        DAHDI_EVENT_OVERRUN,
    ]);
    device.rx.push_back(vec![0x01, 0x02, 0x03, 0x00, 0x00]);
    let mut dchan = DChannel::setup(channel(device, 16), DChannelConfig::ISDN).unwrap();
    assert_eq!(dchan.read_frame().unwrap(), Some(&[0x01, 0x02, 0x03][..]));
    let stats = dchan.channel().stats();
    assert_eq!(
        (stats.bad_fcs, stats.hdlc_aborts, stats.hdlc_overruns),
        (2, 1, 1)
    );
}

#[test]
fn oversized_and_empty_frames_are_refused_before_the_kernel_sees_them() {
    let mut dchan = DChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS), 16),
        DChannelConfig::SS7,
    )
    .unwrap();
    assert!(
        dchan.write_frame(&[0u8; 510]).unwrap(),
        "510 + 2 FCS fits 512"
    );
    for bad in [&[0u8; 511][..], &[][..]] {
        let error = dchan.write_frame(bad).unwrap_err();
        assert!(
            matches!(error, DahdiError::InvalidArgument { channo: 16, .. }),
            "{error}"
        );
    }
}

#[test]
fn initial_span_status_reads_alarms_of_the_channels_own_span() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS);
    device.span_info.alarms = DAHDI_ALARM_RED | DAHDI_ALARM_LOS;
    let mut dchan = DChannel::setup(channel(device, 16), DChannelConfig::ISDN).unwrap();
    let status = dchan.initial_span_status().unwrap();
    assert!(status.alarms.red() && status.alarms.loss_of_signal());
    assert!(dchan
        .channel()
        .device()
        .calls
        .contains(&"DAHDI_SPANSTAT 0".to_string()));
}

// ----- B-channel -------------------------------------------------------------------------

#[test]
fn voice_bearer_with_our_canceller_switches_dahdis_off_and_never_goes_linear() {
    let bchan = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 1),
        BChannelConfig::voice(EchoCanceller::MediaEngine),
    )
    .unwrap();
    assert_eq!(bchan.echo_canceller(), Some(EchoCanceller::MediaEngine));
    assert_eq!(
        bchan.channel().device().ioctls(),
        [
            "DAHDI_SPECIFY 1",
            "DAHDI_GET_PARAMS 1",
            "DAHDI_SET_BLOCKSIZE 160",
            "DAHDI_AUDIOMODE 1",
            "DAHDI_ECHOCANCEL_PARAMS 0",
            "DAHDI_BUFFER_EVENTS 1",
        ]
    );
    assert_eq!(bchan.channel().device().echocancel, Some((0, 0)));
}

#[test]
fn voice_bearer_with_the_cards_canceller_enables_it_with_its_taps() {
    let bchan = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 2),
        BChannelConfig::voice(EchoCanceller::CardHardware { tap_length: 128 }),
    )
    .unwrap();
    assert_eq!(
        bchan.echo_canceller(),
        Some(EchoCanceller::CardHardware { tap_length: 128 })
    );
    assert_eq!(bchan.channel().device().echocancel, Some((128, 0)));
}

#[test]
fn invalid_tap_lengths_and_block_sizes_are_refused_naming_the_channel() {
    let error = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 3),
        BChannelConfig::voice(EchoCanceller::CardHardware { tap_length: 100 }),
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("DAHDI channel 3: echo canceller tap length 100"),
        "{error}"
    );

    for block_size in [8, 15, 164, 8200] {
        let config = BChannelConfig {
            block_size,
            bearer: BearerUse::Voice(EchoCanceller::MediaEngine),
            buffer_count: None,
        };
        let error = BChannel::setup(
            channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 3),
            config,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "DAHDI channel 3: block size {block_size} samples: must be 16..=8192 in steps of 8"
            )
        );
    }
    for block_size in [16, 160, 8192] {
        let config = BChannelConfig {
            block_size,
            bearer: BearerUse::Voice(EchoCanceller::MediaEngine),
            buffer_count: None,
        };
        BChannel::setup(
            channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 3),
            config,
        )
        .unwrap();
    }
}

#[test]
fn data_bearer_stays_out_of_audio_mode_without_a_canceller() {
    let config = BChannelConfig {
        block_size: 160,
        bearer: BearerUse::UnrestrictedData,
        buffer_count: None,
    };
    let bchan = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 4),
        config,
    )
    .unwrap();
    assert_eq!(bchan.echo_canceller(), None);
    assert_eq!(
        bchan.channel().device().ioctls(),
        [
            "DAHDI_SPECIFY 4",
            "DAHDI_GET_PARAMS 4",
            "DAHDI_SET_BLOCKSIZE 160",
            "DAHDI_BUFFER_EVENTS 1"
        ]
    );
}

#[test]
fn cas_channel_carries_audio_without_audiomode() {
    let bchan = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CAS), 5),
        BChannelConfig::voice(EchoCanceller::MediaEngine),
    )
    .unwrap();
    assert!(bchan.is_cas());
    assert!(!bchan
        .channel()
        .device()
        .ioctls()
        .iter()
        .any(|c| c.starts_with("DAHDI_AUDIOMODE")));
}

#[test]
fn bearer_on_a_d_channel_is_refused() {
    let error = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_HDLCFCS), 16),
        BChannelConfig::voice(EchoCanceller::MediaEngine),
    )
    .unwrap_err();
    assert!(matches!(
        error,
        DahdiError::WrongSignalling {
            channo: 16,
            sigtype: DAHDI_SIG_HDLCFCS,
            ..
        }
    ));
}

#[test]
fn blocks_are_whole_and_underruns_are_counted() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_CLEAR);
    device.rx.push_back(vec![0x55; 160]);
    device.rx.push_back(vec![0x55; 100]);
    let mut bchan = BChannel::setup(
        channel(device, 1),
        BChannelConfig::voice(EchoCanceller::MediaEngine),
    )
    .unwrap();
    bchan
        .channel_mut()
        .device_mut()
        .events
        .extend([DAHDI_EVENT_WRITE_UNDERRUN, DAHDI_EVENT_WRITE_UNDERRUN]);

    let mut block = [0u8; 160];
    assert!(bchan.read_block(&mut block).unwrap());
    assert_eq!(
        bchan.read_block(&mut block).unwrap_err(),
        DahdiError::PartialBlock {
            channo: 1,
            got: 100,
            expected: 160
        }
    );
    assert!(bchan.write_block(&[0xD5; 160]).unwrap());
    assert!(matches!(
        bchan.write_block(&[0xD5; 80]),
        Err(DahdiError::InvalidArgument { channo: 1, .. })
    ));
    assert_eq!(bchan.channel().stats().write_underruns, 2);
    assert_eq!(
        bchan.channel_mut().take_events(),
        [DahdiEvent::WriteUnderrun, DahdiEvent::WriteUnderrun]
    );
}

#[test]
fn echocancel_argument_has_the_params_right_behind_the_header() {
    let header = DahdiEchoCanParams {
        tap_length: 256,
        param_count: 1,
    };
    let mut param = DahdiEchoCanParam::zeroed();
    for (slot, byte) in param.name.iter_mut().zip(b"aggressive") {
        *slot = *byte as libc::c_char;
    }
    param.value = -7;
    let words = echocancel_buffer(&header, &[param]);
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    assert_eq!(bytes.len(), 28);
    assert_eq!(&bytes[0..4], &256u32.to_ne_bytes());
    assert_eq!(&bytes[4..8], &1u32.to_ne_bytes());
    assert_eq!(&bytes[8..18], b"aggressive");
    assert_eq!(&bytes[24..28], &(-7i32).to_ne_bytes());
}

// ----- CAS -------------------------------------------------------------------------------

#[test]
fn received_bits_are_masked_to_the_nibble() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_CAS);
    // dahdi_dynamic hands up the neighbour's nibble too: measured 0xdb for 1011 (§5).
    device.int_values.insert(DAHDI_GETRXBITS, 0xDB);
    let mut cas = channel(device, 1);
    check_cas_channel(&mut cas).unwrap();
    let bits = read_rx_bits(&mut cas).unwrap();
    assert_eq!(bits.bits(), 0b1011);
    assert_eq!(bits.to_string(), "1011");
}

#[test]
fn transmitted_bits_go_out_and_0000_is_never_sent() {
    let mut cas = channel(FakeDevice::with_sigtype(DAHDI_SIG_CAS), 1);
    write_tx_bits(&mut cas, Abcd::for_transmit(0b1101).unwrap()).unwrap();
    assert_eq!(cas.device().ioctls().last().unwrap(), "DAHDI_SETTXBITS 13");
    assert_eq!(
        Abcd::for_transmit(0),
        None,
        "G.704 §5.1.3.2: ABCD 0000 is not used"
    );
    assert_eq!(Abcd::for_transmit(16), None);
}

#[test]
fn cas_operations_on_a_clear_channel_are_refused() {
    let mut clear = channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 7);
    let error = check_cas_channel(&mut clear).unwrap_err();
    assert_eq!(
        error.to_string(),
        "DAHDI channel 7 has signalling Clear (0x80); expected CAS (cas= in system.conf)"
    );
}

#[test]
fn kernel_refusal_of_settxbits_is_named() {
    let mut device = FakeDevice::with_sigtype(DAHDI_SIG_CAS);
    device.failing_ioctls.insert(DAHDI_SETTXBITS, libc::EINVAL);
    let mut cas = channel(device, 8);
    let error = write_tx_bits(&mut cas, Abcd::for_transmit(0b1001).unwrap()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("DAHDI channel 8: ioctl DAHDI_SETTXBITS failed: "),
        "{error}"
    );
}

#[test]
fn buffer_count_sets_bufinfo_of_whole_blocks_within_kernel_limits() {
    let config = BChannelConfig {
        buffer_count: Some(4),
        ..BChannelConfig::voice(EchoCanceller::MediaEngine)
    };
    let bchan = BChannel::setup(
        channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 6),
        config,
    )
    .unwrap();
    let info = bchan.channel().device().bufinfo.unwrap();
    assert_eq!(
        (info.numbufs, info.bufsize, info.txbufpolicy),
        (4, 160, DAHDI_POLICY_IMMEDIATE)
    );
    assert_eq!(
        bchan.channel().device().ioctls()[3],
        "DAHDI_SET_BUFINFO 4x160"
    );

    for (count, block_size) in [(1, 160), (33, 160), (5, 8192)] {
        let config = BChannelConfig {
            block_size,
            buffer_count: Some(count),
            ..BChannelConfig::voice(EchoCanceller::MediaEngine)
        };
        let error = BChannel::setup(
            channel(FakeDevice::with_sigtype(DAHDI_SIG_CLEAR), 6),
            config,
        )
        .unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "DAHDI channel 6: {count} buffers of {block_size} bytes"
            )),
            "{error}"
        );
    }
}
