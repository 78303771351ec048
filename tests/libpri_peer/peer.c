/*
 * libpri as an independent far end for our ISDN stack (test code, never shipped).
 *
 * Usage: peer network|cpe FD [-d] [-b ptp|ptmp] [-t NAME=VALUE]...
 *
 * Runs one libpri D-channel (switch type EuroISDN E1, PRI point-to-point, TEI 0; with -b
 * a basic rate D-channel, point-to-point or point-to-multipoint with TEI management) over
 * custom I/O on FD, a SOCK_SEQPACKET socket the test inherits to us: one datagram is one
 * HDLC frame from the Q.921 address field to the 2 FCS octets. libpri reads a frame with
 * its FCS (it discards the last 2 octets unchecked) and writes a frame with 2 placeholder
 * octets appended (docs/research/signalling.md 1.8); the test harness strips and adds them.
 *
 * Control channel, one line each way:
 *   stdin (commands):
 *     call NUMBER [CHANNEL [exclusive]]   SETUP (speech, A-law, sending complete; channel 1)
 *     proceeding CALL | alerting CALL | answer CALL | hangup CALL CAUSE | busy CALL
 *     reset CHANNEL      RESTART of one B-channel (pri_reset; what Asterisk sends at start)
 *     restart            pri_restart (libpri 1.6 returns 0 and sends nothing: seen, not assumed)
 *     auto off|answer|busy   what to do with every incoming SETUP from now on
 *     timer NAME VALUE   pri_set_timer (names of pri_timer2idx, milliseconds)
 *     quit
 *   stdout (events):
 *     ready | dchan_up | dchan_down | restart CHANNEL | restart_ack CHANNEL
 *     ring CALL CREF CHANNEL CALLED CALLING COMPLETE | calling CALL
 *     ringing|proceeding|progress|setup_ack|answer|connect_ack CALL CREF CHANNEL
 *     hangup_req|hangup|hangup_ack CALL CREF CHANNEL CAUSE
 *     error TEXT | anomaly TEXT | config_err TEXT | bad_command TEXT | event NUMBER NAME
 *   stderr: libpri's own dumps (Q.921 states, Q.931 messages) when -d is given.
 * CALL is our handle of a call (1, 2, ...), CREF libpri's call reference value (-1 where
 * libpri's event does not say), CHANNEL the B-channel (the E1 timeslot), -1 for none/any.
 * libpri's DISCONNECT (hangup_req) and RELEASE (hangup) events are answered with
 * pri_hangup, as Asterisk does. "busy" (and "auto busy") is CALL PROCEEDING then
 * DISCONNECT cause 17: libpri 1.6 sends no DISCONNECT for a call it has not answered, so
 * "hangup" of an incoming call needs "proceeding", "alerting" or "answer" first. "anomaly" is libpri's "!!" messages (e.g. an unanswered
 * RESTART), reported whatever the debug setting.
 *
 * Time is libpri's own schedule (pri_schedule_next / pri_schedule_run) on the real clock.
 */
#include <errno.h>
#include <libpri.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_CALLS 256

static int debug_to_stderr;
static enum { AUTO_OFF, AUTO_ANSWER, AUTO_BUSY } auto_mode = AUTO_OFF;

/* Calls libpri knows, by a handle of ours (1, 2, ...: the slot + 1), so that commands
 * can name a call before its call reference is known to the test. */
static struct known_call {
	q931_call *call;
	int channel;
} calls[MAX_CALLS];

static int handle_of(q931_call *call, int channel)
{
	int free_slot = -1;
	for (int i = 0; i < MAX_CALLS; i++) {
		if (calls[i].call == call) {
			if (channel > 0)
				calls[i].channel = channel;
			return i + 1;
		}
		if (!calls[i].call && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return 0;
	calls[free_slot].call = call;
	calls[free_slot].channel = channel;
	return free_slot + 1;
}

static struct known_call *find(int handle)
{
	return handle >= 1 && handle <= MAX_CALLS && calls[handle - 1].call ? &calls[handle - 1] : NULL;
}

static void forget(q931_call *call)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (calls[i].call == call)
			calls[i].call = NULL;
}

static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* One frame per datagram. libpri gives a 1024-octet buffer; nothing waiting = 0. */
static int io_read(struct pri *pri, void *buf, int buflen)
{
	ssize_t n = recv(pri_fd(pri), buf, buflen, MSG_DONTWAIT);
	return n < 0 ? 0 : (int)n;
}

static int io_write(struct pri *pri, void *buf, int buflen)
{
	ssize_t n = send(pri_fd(pri), buf, buflen, 0);
	return n < 0 ? -1 : (int)n;
}

/* One event line: newlines inside the text become spaces. */
static void emit_text(const char *kind, const char *text)
{
	char line[1024];
	snprintf(line, sizeof line, "%s", text);
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	size_t len = strlen(line);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	emit("%s %s", kind, line);
}

/* libpri marks what it finds wrong with "!!" (anomalies, unanswered RESTART, ...):
 * those become events whether or not debugging is on. */
static void on_message(struct pri *pri, char *text)
{
	(void)pri;
	if (!strncmp(text, "!!", 2))
		emit_text("anomaly", text + 2 + strspn(text + 2, " "));
	if (debug_to_stderr)
		fputs(text, stderr);
}

static void on_error(struct pri *pri, char *text)
{
	(void)pri;
	emit_text("error", text);
	if (debug_to_stderr)
		fputs(text, stderr);
}

static int bchannel(int channel)
{
	return channel < 0 ? -1 : (channel & 0xff) == 0xff ? -1 : channel & 0xff;
}

/* libpri 1.6 sends DISCONNECT only for a call it has answered in some way (the call is
 * "alive" after CALL PROCEEDING, ALERTING or CONNECT); pri_hangup on an unanswered
 * incoming call sends nothing. So busy is CALL PROCEEDING, then DISCONNECT cause 17. */
static void refuse_busy(struct pri *pri, q931_call *call, int channel)
{
	pri_proceeding(pri, call, channel, 0);
	pri_hangup(pri, call, PRI_CAUSE_USER_BUSY);
}

static void handle_event(struct pri *pri, pri_event *e)
{
	int channel, call;
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		emit("dchan_up");
		break;
	case PRI_EVENT_DCHAN_DOWN:
		emit("dchan_down");
		break;
	case PRI_EVENT_RESTART:
		emit("restart %d", bchannel(e->restart.channel));
		break;
	case PRI_EVENT_RESTART_ACK:
		emit("restart_ack %d", bchannel(e->restartack.channel));
		break;
	case PRI_EVENT_CONFIG_ERR:
		emit_text("config_err", e->err.err);
		break;
	case PRI_EVENT_RING:
		channel = bchannel(e->ring.channel);
		call = handle_of(e->ring.call, channel);
		emit("ring %d %d %d %s %s %d", call, e->ring.cref, channel,
		     e->ring.callednum[0] ? e->ring.callednum : "-",
		     e->ring.callingnum[0] ? e->ring.callingnum : "-", e->ring.complete);
		if (auto_mode == AUTO_ANSWER) {
			pri_proceeding(pri, e->ring.call, e->ring.channel, 0);
			pri_answer(pri, e->ring.call, e->ring.channel, 0);
		} else if (auto_mode == AUTO_BUSY) {
			refuse_busy(pri, e->ring.call, e->ring.channel);
		}
		break;
	case PRI_EVENT_RINGING:
		channel = bchannel(e->ringing.channel);
		emit("ringing %d %d %d", handle_of(e->ringing.call, channel), e->ringing.cref, channel);
		break;
	case PRI_EVENT_PROCEEDING:
		channel = bchannel(e->proceeding.channel);
		emit("proceeding %d %d %d", handle_of(e->proceeding.call, channel), e->proceeding.cref, channel);
		break;
	case PRI_EVENT_PROGRESS:
		channel = bchannel(e->proceeding.channel);
		emit("progress %d %d %d", handle_of(e->proceeding.call, channel), e->proceeding.cref, channel);
		break;
	case PRI_EVENT_SETUP_ACK:
		channel = bchannel(e->setup_ack.channel);
		emit("setup_ack %d -1 %d", handle_of(e->setup_ack.call, channel), channel);
		break;
	case PRI_EVENT_ANSWER:
		channel = bchannel(e->answer.channel);
		emit("answer %d %d %d", handle_of(e->answer.call, channel), e->answer.cref, channel);
		break;
	case PRI_EVENT_CONNECT_ACK:
		channel = bchannel(e->connect_ack.channel);
		emit("connect_ack %d -1 %d", handle_of(e->connect_ack.call, channel), channel);
		break;
	case PRI_EVENT_HANGUP_REQ:
		/* DISCONNECT received: answer with RELEASE, as Asterisk does. */
		channel = bchannel(e->hangup.channel);
		emit("hangup_req %d %d %d %d", handle_of(e->hangup.call, channel), e->hangup.cref, channel,
		     e->hangup.cause);
		pri_hangup(pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		/* RELEASE / RELEASE COMPLETE received: the call is over; let libpri free it. */
		channel = bchannel(e->hangup.channel);
		emit("hangup %d %d %d %d", handle_of(e->hangup.call, channel), e->hangup.cref, channel,
		     e->hangup.cause);
		forget(e->hangup.call);
		pri_hangup(pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP_ACK:
		channel = bchannel(e->hangup.channel);
		emit("hangup_ack %d %d %d %d", handle_of(e->hangup.call, channel), e->hangup.cref, channel,
		     e->hangup.cause);
		forget(e->hangup.call);
		break;
	default:
		emit("event %d %s", e->e, pri_event2str(e->e));
		break;
	}
}

static void command(struct pri *pri, char *line)
{
	char verb[32] = "", arg1[128] = "", arg2[128] = "", arg3[32] = "";
	int n = sscanf(line, "%31s %127s %127s %31s", verb, arg1, arg2, arg3);
	if (n < 1)
		return;
	if (!strcmp(verb, "call") && n >= 2) {
		q931_call *call = pri_new_call(pri);
		struct pri_sr *sr = pri_sr_new();
		int channel = n >= 3 ? atoi(arg2) : 1;
		if (!call || !sr) {
			emit("bad_command no call could be made");
			return;
		}
		pri_sr_set_channel(sr, channel, !strcmp(arg3, "exclusive"), 0);
		pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
		pri_sr_set_called(sr, arg1, PRI_UNKNOWN, 1);
		pri_sr_set_caller(sr, "8888", NULL, PRI_UNKNOWN, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
		if (pri_setup(pri, call, sr))
			emit("bad_command pri_setup refused %s", arg1);
		else
			emit("calling %d", handle_of(call, channel));
		pri_sr_free(sr);
	} else if (!strcmp(verb, "restart")) {
		if (pri_restart(pri))
			emit("bad_command pri_restart refused");
	} else if (!strcmp(verb, "reset") && n >= 2) {
		pri_reset(pri, atoi(arg1));
	} else if (!strcmp(verb, "auto") && n >= 2) {
		auto_mode = !strcmp(arg1, "answer") ? AUTO_ANSWER : !strcmp(arg1, "busy") ? AUTO_BUSY : AUTO_OFF;
	} else if (!strcmp(verb, "timer") && n >= 3) {
		int idx = pri_timer2idx(arg1);
		if (idx < 0 || pri_set_timer(pri, idx, atoi(arg2)))
			emit("bad_command timer %s", arg1);
	} else if (!strcmp(verb, "quit")) {
		exit(0);
	} else if (n >= 2) {
		struct known_call *c = find(atoi(arg1));
		if (!c) {
			emit("bad_command no call %s", arg1);
		} else if (!strcmp(verb, "proceeding")) {
			pri_proceeding(pri, c->call, c->channel, 0);
		} else if (!strcmp(verb, "alerting")) {
			pri_acknowledge(pri, c->call, c->channel, 0);
		} else if (!strcmp(verb, "answer")) {
			pri_answer(pri, c->call, c->channel, 0);
		} else if (!strcmp(verb, "hangup") && n >= 3) {
			pri_hangup(pri, c->call, atoi(arg2));
		} else if (!strcmp(verb, "busy")) {
			refuse_busy(pri, c->call, c->channel);
		} else {
			emit("bad_command %s", line);
		}
	} else {
		emit("bad_command %s", line);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "network") && strcmp(argv[1], "cpe"))) {
		fprintf(stderr, "usage: %s network|cpe FD [-d] [-b ptp|ptmp] [-t NAME=VALUE]...\n", argv[0]);
		return 2;
	}
	int nodetype = !strcmp(argv[1], "network") ? PRI_NETWORK : PRI_CPE;
	int fd = atoi(argv[2]);
	pri_set_message(on_message);
	pri_set_error(on_error);
	int bri = 0, ptp = 0;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "-d"))
			debug_to_stderr = 1;
		if (!strcmp(argv[i], "-b") && i + 1 < argc) {
			bri = 1;
			ptp = !strcmp(argv[i + 1], "ptp");
		}
	}
	struct pri *pri = bri ? pri_new_bri_cb(fd, ptp, nodetype, PRI_SWITCH_EUROISDN_E1, io_read, io_write, NULL)
	                      : pri_new_cb(fd, nodetype, PRI_SWITCH_EUROISDN_E1, io_read, io_write, NULL);
	if (!pri) {
		fprintf(stderr, "pri_new_cb failed\n");
		return 1;
	}
	/* Anomalies always (they become events); the dumps only when asked for. */
	pri_set_debug(pri, PRI_DEBUG_Q931_ANOMALY | (debug_to_stderr ? PRI_DEBUG_Q921_STATE | PRI_DEBUG_Q931_DUMP
	                                                                | PRI_DEBUG_Q931_STATE : 0));
	for (int i = 3; i + 1 < argc; i++) {
		if (strcmp(argv[i], "-t"))
			continue;
		char name[64];
		int value;
		if (sscanf(argv[i + 1], "%63[^=]=%d", name, &value) != 2 || pri_timer2idx(name) < 0
		    || pri_set_timer(pri, pri_timer2idx(name), value)) {
			fprintf(stderr, "bad timer %s\n", argv[i + 1]);
			return 2;
		}
	}
	emit("ready");

	char pending[4096];
	size_t used = 0;
	for (;;) {
		int timeout = -1;
		struct timeval *next = pri_schedule_next(pri);
		if (next) {
			struct timeval now;
			gettimeofday(&now, NULL);
			long ms = (next->tv_sec - now.tv_sec) * 1000 + (next->tv_usec - now.tv_usec) / 1000;
			timeout = ms < 0 ? 0 : (int)ms + 1;
		}
		struct pollfd fds[2] = { { .fd = fd, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
		int ready = poll(fds, 2, timeout);
		if (ready < 0 && errno != EINTR)
			return 1;
		/* Commands first: a command the test wrote before a frame it sent then applies
		 * to that frame (e.g. "auto answer" before our SETUP). */
		if (ready > 0 && fds[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(0, pending + used, sizeof pending - used - 1);
			if (n <= 0)
				return 0;
			used += n;
			char *start = pending, *nl;
			pending[used] = '\0';
			while ((nl = strchr(start, '\n'))) {
				*nl = '\0';
				command(pri, start);
				start = nl + 1;
			}
			used -= start - pending;
			memmove(pending, start, used);
		}
		if (ready > 0 && fds[0].revents & POLLIN) {
			pri_event *e = pri_check_event(pri);
			if (e)
				handle_event(pri, e);
		} else if (ready > 0 && fds[0].revents & (POLLHUP | POLLERR)) {
			return 0; /* the harness went away */
		}
		if (next) {
			struct timeval now;
			gettimeofday(&now, NULL);
			if (now.tv_sec > next->tv_sec || (now.tv_sec == next->tv_sec && now.tv_usec >= next->tv_usec)) {
				pri_event *e = pri_schedule_run(pri);
				if (e)
					handle_event(pri, e);
			}
		}
	}
}
