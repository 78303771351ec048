"""libpri as an independent far end for our ISDN stack (test harness).

`peer.c` runs Debian's libpri (switch type EuroISDN E1, PRI point-to-point) in a
subprocess; this module builds it, carries frames between it and one of our sans-I/O
D-channel endpoints, and records every frame in a pcap for tshark.

    build_peer(directory) -> path of the compiled peer (gcc against libpri-dev)
    LibpriPeer(binary, "network" | "cpe", timers={"T203": 700})
        .send_frame(frame)  .receive_frame()  .command("call 95511")  .events
    Interop(endpoint, peer, trace=PcapWriter)
        .do(action)  .run_for(seconds)  .run_until(predicate, timeout)
        .indications  .received_frames  .sent_frames  .peer.events

Frames: libpri reads a frame with its 2 FCS octets (and discards them unchecked) and
writes a frame with 2 placeholder octets appended (docs/research/signalling.md 1.8). We
append a real FCS (CRC-16/X.25, as an HDLC controller would) and strip the last 2 octets
of everything libpri writes. Frames are one datagram each on a SOCK_SEQPACKET socketpair.

Time: libpri runs on the real clock, so this harness is the one place that feeds our
stack `now` from time.monotonic() (seconds since the harness started). Keep tests short.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cti_daemon.signalling.isdn.q921.frames import Side
from cti_daemon.signalling.sansio import Output
from cti_daemon.signalling.trace.pcap import Direction, PcapWriter

PEER_SOURCE = Path(__file__).with_name("peer.c")
LIBPRI_HEADER = Path("/usr/include/libpri.h")
FCS_LENGTH = 2  # HDLC FCS-16 (ISO/IEC 13239), what libpri expects after each frame


def missing_requirements() -> str | None:
    """Why the libpri peer cannot be built here, or None when it can."""
    if shutil.which("gcc") is None:
        return "gcc not installed"
    if not LIBPRI_HEADER.exists():
        return "libpri-dev not installed (scripts/setup.sh installs it)"
    return None


def build_peer(directory: Path) -> Path:
    """Compile peer.c against libpri-dev into `directory` (never into the source tree)."""
    missing = missing_requirements()
    if missing is not None:  # setup installs both; a missing one is a broken setup, not a skip
        raise RuntimeError(f"cannot build the libpri peer: {missing}")
    binary = Path(directory) / "libpri_peer"
    # No -Werror: a warning from another gcc or libpri version must not stop the tests
    # (the source builds warning-free with gcc 12 and libpri 1.6 here).
    done = subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-O1", "-o", str(binary),
                           str(PEER_SOURCE), "-lpri"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"gcc could not build {PEER_SOURCE.name}:\n{done.stderr}")
    return binary


def fcs16(data: bytes) -> bytes:
    """The HDLC frame check sequence (CRC-16/X.25, ISO/IEC 13239 / Q.921 2.7), least
    significant octet first as it goes on the line."""
    crc = 0xFFFF
    for octet in data:
        crc ^= octet
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    crc ^= 0xFFFF
    return bytes([crc & 0xFF, crc >> 8])


@dataclass(frozen=True)
class PeerEvent:
    """One line from the peer's event channel, e.g. `hangup 1 1 17` ->
    PeerEvent(at, "hangup", ("1", "1", "17"))."""

    at: float  # harness seconds when it was read
    name: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int:
        return int(self.args[index])


class LibpriPeer:
    """The libpri peer process: frames on a SOCK_SEQPACKET socket, commands on its stdin,
    events from its stdout. `role` is libpri's node type: "network" or "cpe"; `bri`
    "ptp" or "ptmp" makes it a basic rate D-channel (default: primary rate)."""

    def __init__(self, binary: Path, role: str, *, timers: dict[str, int] | None = None, debug: bool = False,
                 bri: str | None = None, clock: Callable[[], float] = time.monotonic):
        if role not in ("network", "cpe"):
            raise ValueError(f"libpri role is 'network' or 'cpe', not {role!r}")
        if bri not in (None, "ptp", "ptmp"):
            raise ValueError(f"basic rate mode is 'ptp' or 'ptmp', not {bri!r}")
        self.role = role
        self._clock = clock
        self._origin = clock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        args = [str(binary), role, str(theirs.fileno())]
        if debug:
            args.append("-d")
        if bri is not None:  # a basic rate D-channel (pri_new_bri_cb) instead of PRI
            args += ["-b", bri]
        for name, value in (timers or {}).items():  # libpri timers in milliseconds
            args += ["-t", f"{name}={value}"]
        self.process = subprocess.Popen(args, pass_fds=[theirs.fileno()], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL,
                                        text=True, bufsize=1)
        theirs.close()
        self.socket = ours
        self.events: list[PeerEvent] = []
        self._partial = ""

    @property
    def now(self) -> float:
        return self._clock() - self._origin

    # ---------------------------------------------------------------- frames
    def send_frame(self, frame: bytes) -> None:
        """A Q.921 frame (address field first, no FCS) to libpri, with its FCS."""
        self.socket.send(bytes(frame) + fcs16(frame))

    def receive_frame(self) -> bytes | None:
        """The next frame libpri wrote, without its 2 placeholder octets, or None."""
        try:
            data = self.socket.recv(4096, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return None
        if len(data) < FCS_LENGTH:
            raise ValueError(f"libpri wrote a {len(data)}-octet frame, shorter than its FCS placeholder")
        return data[:-FCS_LENGTH]

    # ---------------------------------------------------------------- control
    def command(self, line: str) -> None:
        """A control line, e.g. "call 95511", "answer 1", "hangup 1 16", "restart"."""
        if "\n" in line:
            raise ValueError("one command per line")
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def read_events(self) -> list[PeerEvent]:
        """Events that are waiting (non-blocking); they are also kept in `events`."""
        fd = self.process.stdout.fileno()
        new: list[PeerEvent] = []
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 65536).decode()
            if not chunk:
                break
            self._partial += chunk
            *lines, self._partial = self._partial.split("\n")
            for line in lines:
                if line.strip():
                    name, *args = line.split(" ")
                    new.append(PeerEvent(self.now, name, tuple(args)))
        self.events.extend(new)
        return new

    def events_named(self, name: str) -> list[PeerEvent]:
        return [e for e in self.events if e.name == name]

    def errors(self) -> list[PeerEvent]:
        """What libpri complained about: its error messages, configuration errors and
        commands it could not carry out."""
        return [e for e in self.events if e.name in ("error", "anomaly", "config_err", "bad_command")]

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.command("quit")
                self.process.wait(timeout=2)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.socket.close()
        self.process.stdin.close()
        self.process.stdout.close()

    def __enter__(self) -> LibpriPeer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class TracedFrame:
    at: float
    frame: bytes


class Interop:
    """One of our sans-I/O endpoints (anything with `receive(octets, now)` and
    `expire(name, now)` returning an `Output`, e.g. a q921 `DataLink`, or later a D-channel
    with Q.931 call control on top) joined to a libpri peer in real time.

    `on_indication(indication, now)` is called for every primitive the endpoint passes up
    (the place to put layer 3: decode a DL-DATA-INDICATION, answer with `do(...)`).

    `lose(to_peer, n, frame)` -> True loses a frame on the way (to_peer: we sent it; n:
    1-based count of frames in that direction), as a D-channel bit error does once HDLC
    drops the frame for its bad FCS. A frame we send is traced even when lost; a frame
    libpri sends that is lost never reaches us and is not traced."""

    def __init__(self, endpoint: Any, peer: LibpriPeer, *, side: Side, trace: PcapWriter | None = None,
                 on_indication: Callable[[Any, float], None] | None = None,
                 lose: Callable[[bool, int, bytes], bool] | None = None):
        self.endpoint = endpoint
        self.lose = lose
        self.lost_to_peer: list[TracedFrame] = []
        self.lost_from_peer: list[TracedFrame] = []
        self.peer = peer
        self.side = side
        self.trace = trace
        self.on_indication = on_indication
        self.indications: list[tuple[float, Any]] = []
        self.sent_frames: list[TracedFrame] = []
        self.received_frames: list[TracedFrame] = []
        self.timer_expiries: list[tuple[float, str]] = []
        self._deadlines: dict[str, float] = {}

    @property
    def now(self) -> float:
        return self.peer.now

    # ------------------------------------------------------------------ driving
    def do(self, action: Callable[[float], Output]) -> Output:
        """Run `action(now)` (a request on the endpoint) and carry out its output."""
        out = action(self.now)
        self.apply(out)
        return out

    def apply(self, out: Output) -> None:
        now = self.now
        for frame in out.transmit:
            self.sent_frames.append(TracedFrame(now, frame))
            if self.trace is not None:
                self.trace.write_lapd(now, frame, Direction.SENT, self.side is Side.NETWORK)
            if self.lose is not None and self.lose(True, len(self.sent_frames), frame):
                self.lost_to_peer.append(TracedFrame(now, frame))
            else:
                self.peer.send_frame(frame)
        for name, deadline in out.timers.items():
            if deadline is None:
                self._deadlines.pop(name, None)
            else:
                self._deadlines[name] = deadline
        for primitive in out.indications:
            self.indications.append((now, primitive))
            if self.on_indication is not None:
                self.on_indication(primitive, now)

    def run_for(self, seconds: float) -> None:
        end = self.now + seconds
        self.run_until(lambda: False, timeout=seconds, deadline=end)

    def run_until(self, predicate: Callable[[], bool], timeout: float, *, deadline: float | None = None) -> bool:
        """Carry frames, timers and events until `predicate()` holds (True) or `timeout`
        seconds pass (False)."""
        end = deadline if deadline is not None else self.now + timeout
        fds = [self.peer.socket.fileno(), self.peer.process.stdout.fileno()]
        while True:
            self._poll_once()
            if predicate():
                return True
            now = self.now
            if now >= end:
                return False
            wake = min([end, *self._deadlines.values()])
            select.select(fds, [], [], max(0.0, min(wake - now, 0.05)))

    def _poll_once(self) -> None:
        while (frame := self.peer.receive_frame()) is not None:
            now = self.now
            if self.lose is not None:
                arrived = len(self.received_frames) + len(self.lost_from_peer) + 1
                if self.lose(False, arrived, frame):
                    self.lost_from_peer.append(TracedFrame(now, frame))
                    continue
            self.received_frames.append(TracedFrame(now, frame))
            if self.trace is not None:
                self.trace.write_lapd(now, frame, Direction.RECEIVED, self.side is Side.NETWORK)
            self.apply(self.endpoint.receive(frame, now))
        self.peer.read_events()
        if self.peer.process.poll() is not None:
            raise RuntimeError(f"the libpri peer exited with code {self.peer.process.returncode}; "
                               f"last events: {self.peer.events[-5:]}")
        now = self.now
        for name, deadline in sorted(self._deadlines.items(), key=lambda item: item[1]):
            if deadline <= now and self._deadlines.get(name) == deadline:
                del self._deadlines[name]
                self.timer_expiries.append((now, name))
                self.apply(self.endpoint.expire(name, now))

    # ------------------------------------------------------------------ queries
    def received(self, kind: type) -> list:
        """The primitives of class `kind` the endpoint passed up, in order."""
        return [prim for _, prim in self.indications if isinstance(prim, kind)]
