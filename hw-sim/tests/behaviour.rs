//! The backend behaviour suite against the sim backend, hw-sim running as a real
//! subprocess (a fresh one per case).

use std::path::Path;

use cti_drivers::behaviour::{cases, TestBench};
use cti_drivers::sim::bench::SimBench;

fn run(name: &str) {
    let case = cases().into_iter().find(|(n, _)| *n == name).expect("case exists").1;
    let mut bench = SimBench::start(Path::new(env!("CARGO_BIN_EXE_hw-sim"))).expect("hw-sim starts");
    if let Err(why) = case(&mut bench as &mut dyn TestBench) {
        panic!("{name}: {why}");
    }
}

macro_rules! behaviour_tests {
    ($($name:ident),* $(,)?) => {
        $( #[test] fn $name() { run(stringify!($name)); } )*

        #[test]
        fn every_case_has_a_test() {
            let listed = [$(stringify!($name)),*];
            for (name, _) in cases() {
                assert!(listed.contains(&name), "behaviour case {name} has no test here");
            }
        }
    };
}

behaviour_tests!(
    open_errors_and_exclusive_open,
    spans_list_status_law_and_clock,
    block_size_limits,
    bearer_audio_bit_exact_both_ways,
    hdlc_frames_carry_fcs_both_ways,
    hdlc_overrun_event_and_elast,
    cas_bits_change_events_with_time,
    cut_cable_red_after_debounce_and_recovery,
    one_way_cut_gives_far_end_yellow,
    write_underrun_sends_idle_code,
    read_overrun_when_not_reading,
    card_removed_and_added,
    hardware_killed_goes_red_and_recovers,
    dchan_bit_errors_give_badfcs_at_the_binomial_rate,
    clock_offset_of_100_ppm_slips_every_1_25_s,
    controlled_slip_drops_or_repeats_one_octet,
    controlled_slip_corrupts_a_frame_in_flight,
    ts16_blackout_cuts_signalling_not_voice,
    echo_path_erl_measured_on_returned_audio,
    noise_level_measured_on_received_audio,
    ais_on_cut_gives_blue_and_far_end_yellow,
    remote_alarm_gives_yellow_after_half_a_second,
    crc4_errors_counted_here_and_as_far_end_ebits,
    bri_bus_d_channel_broadcast_and_merge,
    bri_bus_b_channels_broadcast_and_merge,
    bri_d_channel_runs_at_16_kbit_s,
);
