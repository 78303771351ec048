//! Behaviour cases of a BRI passive bus (I.430: one NT, up to 8 TEs): what the
//! NT sends reaches every TE, what TEs send merges toward the NT, and the
//! D-channel runs at 16 kbit/s. They run on benches with a bus (`TestBench::bri`).

use super::*;

pub fn cases() -> Vec<(&'static str, Case)> {
    vec![
        ("bri_bus_d_channel_broadcast_and_merge", bri_bus_d_channel_broadcast_and_merge),
        ("bri_bus_b_channels_broadcast_and_merge", bri_bus_b_channels_broadcast_and_merge),
        ("bri_d_channel_runs_at_16_kbit_s", bri_d_channel_runs_at_16_kbit_s),
    ]
}

fn bus(bench: &dyn TestBench) -> Result<BriTopology, String> {
    let bri = bench.bri().ok_or("this bench has no BRI bus")?;
    check(bri.tes.len() >= 2, || "the BRI cases need a bus with two terminals".into())?;
    Ok(bri)
}

/// Frames from the NT reach every TE; frames from two TEs written at once both
/// reach the NT whole (one terminal at a time holds the D-channel, I.430 6.1).
fn bri_bus_d_channel_broadcast_and_merge(bench: &mut dyn TestBench) -> CaseResult {
    let bri = bus(bench)?;
    let mut nt = open(bench.backend(), bri.nt.d)?;
    let mut tes = Vec::new();
    for te in &bri.tes {
        tes.push(open(bench.backend(), te.d)?);
    }
    nt.write_frame(b"\x02\x01\x7f to every terminal").map_err(e("NT write"))?;
    bench.advance(8 * 40)?;
    for (k, te) in tes.iter_mut().enumerate() {
        check(drain(te.as_mut())?.is_empty(), || format!("events at TE {k}"))?;
        let got = read_all(te.as_mut())?;
        check(got.len() == 1 && &got[0][..got[0].len() - 2] == b"\x02\x01\x7f to every terminal", || {
            format!("TE {k} read {got:?}")
        })?;
    }
    for (k, te) in tes.iter_mut().enumerate() {
        te.write_frame(format!("from terminal {k}").as_bytes()).map_err(e("TE write"))?;
    }
    bench.advance(8 * 40 * tes.len() as u64)?;
    check(drain(nt.as_mut())?.is_empty(), || "events at the NT: frames collided".into())?;
    let mut got: Vec<Vec<u8>> = read_all(nt.as_mut())?.into_iter().map(|f| f[..f.len() - 2].to_vec()).collect();
    got.sort();
    let mut want: Vec<Vec<u8>> = (0..tes.len()).map(|k| format!("from terminal {k}").into_bytes()).collect();
    want.sort();
    check(got == want, || format!("NT read {got:?}"))?;
    for te in tes.iter_mut() {
        check(read_all(te.as_mut())?.is_empty(), || "a TE heard another TE's frame (TE frames go to the NT)".into())?;
    }
    Ok(())
}

/// The NT's B-channel audio reaches every TE holding that channel; TEs on
/// different B-channels reach the NT each on its own, bit for bit.
fn bri_bus_b_channels_broadcast_and_merge(bench: &mut dyn TestBench) -> CaseResult {
    let bri = bus(bench)?;
    let (te1, te2) = (bri.tes[0], bri.tes[1]);
    let mut nt_b1 = open(bench.backend(), bri.nt.b1)?;
    let mut nt_b2 = open(bench.backend(), bri.nt.b2)?;
    let mut t1_b1 = open(bench.backend(), te1.b1)?;
    let mut t2_b1 = open(bench.backend(), te2.b1)?; // listens only
    let mut t2_b2 = open(bench.backend(), te2.b2)?;
    let blocks = 6;
    let block = |tag: u8, k: usize| -> Vec<u8> { (0..160).map(|i| (i as u8).wrapping_add(tag).wrapping_add(k as u8 * 3) | 0x01).collect() };
    let (mut from_nt, mut q, mut r) = (Vec::new(), Vec::new(), Vec::new());
    let mut got: [Vec<u8>; 5] = Default::default();
    for k in 0..blocks {
        let (p, qq, rr) = (block(0x10, k), block(0x40, k), block(0x80, k));
        nt_b1.write(&p).map_err(e("NT B1 write"))?;
        t1_b1.write(&qq).map_err(e("TE1 B1 write"))?;
        t2_b2.write(&rr).map_err(e("TE2 B2 write"))?;
        from_nt.extend(p);
        q.extend(qq);
        r.extend(rr);
        bench.advance(160)?;
        let chans: [&mut Box<dyn Channel>; 5] = [&mut t1_b1, &mut t2_b1, &mut nt_b1, &mut nt_b2, &mut t2_b2];
        for (slot, ch) in got.iter_mut().zip(chans) {
            for ev in drain(ch.as_mut())? {
                check(ev.kind == EventKind::ReadOverrun, || format!("event {ev:?}"))?;
            }
            slot.extend(read_all(ch.as_mut())?.concat());
        }
    }
    check(find(&got[0], &from_nt).is_some(), || "TE 1 did not hear the NT's B1".into())?;
    check(find(&got[1], &from_nt).is_some(), || "TE 2 did not hear the NT's B1".into())?;
    check(find(&got[2], &q).is_some(), || "the NT's B1 did not get TE 1's audio intact".into())?;
    check(find(&got[3], &r).is_some(), || "the NT's B2 did not get TE 2's audio intact".into())
}

/// I.430: the BRI D-channel carries 16 kbit/s, one octet every 4 frames: a frame
/// of 10 octets + 2 FCS + 1 flag takes 52 frames (13 on an E1 timeslot).
fn bri_d_channel_runs_at_16_kbit_s(bench: &mut dyn TestBench) -> CaseResult {
    let bri = bus(bench)?;
    let tol = bench.tolerance();
    let status = bench.backend().span_status(bri.nt.span).map_err(e("span status"))?;
    check(status.channels == 3, || format!("a BRI port has {} channels, expected 3 (B1, B2, D)", status.channels))?;
    let mut nt = open(bench.backend(), bri.nt.d)?;
    let mut te = open(bench.backend(), bri.tes[0].d)?;
    let p = te.params().map_err(e("params"))?;
    check(p.kind == ChannelKind::Hdlc && p.timeslot == 3, || format!("TE D-channel params {p:?}"))?;
    bench.advance(8)?;
    nt.write_frame(&[0x5A; 10]).map_err(e("write"))?;
    bench.advance(48 - tol)?;
    check(read_all(te.as_mut())?.is_empty(), || "frame arrived faster than 16 kbit/s".into())?;
    bench.advance(8 + 2 * tol)?;
    let got = read_all(te.as_mut())?;
    check(got.len() == 1 && got[0].len() == 12, || format!("after 56 frames the TE read {got:?}"))
}
