/*
 * libpri as an independent far end for our ISDN stack (test code, never shipped).
 *
 * Usage: peer network|cpe FD [-d] [-t NAME=VALUE]...
 *
 * Runs one libpri D-channel (switch type EuroISDN E1, PRI point-to-point, TEI 0) over
 * custom I/O on FD, a SOCK_SEQPACKET socket the test inherits to us: one datagram is one
 * HDLC frame from the Q.921 address field to the 2 FCS octets. libpri reads a frame with
 * its FCS (it discards the last 2 octets unchecked) and writes a frame with 2 placeholder
 * octets appended (docs/research/signalling.md 1.8); the test harness strips and adds them.
 *
 * Control channel, one line each way:
 *   stdin  (commands): call NUMBER [CHANNEL] | proceeding CREF | alerting CREF |
 *                      answer CREF | hangup CREF CAUSE | busy CREF | restart |
 *                      reset CHANNEL | auto off|answer|busy | timer NAME VALUE | quit
 *   stdout (events):   ready | dchan_up | dchan_down | restart CHANNEL | restart_ack CHANNEL |
 *                      ring CREF CHANNEL CALLED CALLING COMPLETE | ringing CREF CHANNEL |
 *                      proceeding CREF CHANNEL | setup_ack CREF CHANNEL | progress CREF CHANNEL |
 *                      answer CREF CHANNEL | connect_ack CREF CHANNEL |
 *                      hangup_req CREF CHANNEL CAUSE | hangup CREF CHANNEL CAUSE |
 *                      hangup_ack CREF CHANNEL CAUSE | calling CREF | config_err TEXT |
 *                      error TEXT | event NUMBER NAME | bad_command TEXT
 *   stderr: libpri's own messages when -d is given (Q.921/Q.931 dumps).
 * CREF is libpri's call reference value; an outgoing call reports it with "calling CREF".
 * CHANNEL is the B-channel number (the E1 timeslot for EuroISDN E1), -1 for "any".
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

/* Calls libpri knows, by call reference, so that commands can name them. */
static struct known_call {
	int cref;
	q931_call *call;
	int channel;
} calls[MAX_CALLS];

static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void remember(int cref, q931_call *call, int channel)
{
	int free_slot = -1;
	for (int i = 0; i < MAX_CALLS; i++) {
		if (calls[i].call == call || (calls[i].call && calls[i].cref == cref)) {
			calls[i].cref = cref;
			calls[i].call = call;
			if (channel >= 0)
				calls[i].channel = channel;
			return;
		}
		if (!calls[i].call && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		calls[free_slot].cref = cref;
		calls[free_slot].call = call;
		calls[free_slot].channel = channel;
	}
}

static struct known_call *find(int cref)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (calls[i].call && calls[i].cref == cref)
			return &calls[i];
	return NULL;
}

static void forget(q931_call *call)
{
	for (int i = 0; i < MAX_CALLS; i++)
		if (calls[i].call == call)
			calls[i].call = NULL;
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

static void on_message(struct pri *pri, char *text)
{
	(void)pri;
	if (debug_to_stderr)
		fputs(text, stderr);
}

static void on_error(struct pri *pri, char *text)
{
	(void)pri;
	/* One event line per message: newlines inside become spaces. */
	char line[1024];
	snprintf(line, sizeof line, "%s", text);
	for (char *c = line; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	size_t len = strlen(line);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	emit("error %s", line);
	if (debug_to_stderr)
		fputs(text, stderr);
}

static int bchannel(int channel)
{
	return channel < 0 ? -1 : (channel & 0xff) == 0xff ? -1 : channel & 0xff;
}

static void handle_event(struct pri *pri, pri_event *e)
{
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
		emit("config_err %s", e->err.err);
		break;
	case PRI_EVENT_RING: {
		int channel = bchannel(e->ring.channel);
		remember(e->ring.cref, e->ring.call, channel);
		emit("ring %d %d %s %s %d", e->ring.cref, channel,
		     e->ring.callednum[0] ? e->ring.callednum : "-",
		     e->ring.callingnum[0] ? e->ring.callingnum : "-", e->ring.complete);
		if (auto_mode == AUTO_ANSWER) {
			pri_proceeding(pri, e->ring.call, e->ring.channel, 0);
			pri_answer(pri, e->ring.call, e->ring.channel, 0);
		} else if (auto_mode == AUTO_BUSY) {
			pri_hangup(pri, e->ring.call, PRI_CAUSE_USER_BUSY);
		}
		break;
	}
	case PRI_EVENT_RINGING:
		remember(e->ringing.cref, e->ringing.call, bchannel(e->ringing.channel));
		emit("ringing %d %d", e->ringing.cref, bchannel(e->ringing.channel));
		break;
	case PRI_EVENT_PROCEEDING:
		remember(e->proceeding.cref, e->proceeding.call, bchannel(e->proceeding.channel));
		emit("proceeding %d %d", e->proceeding.cref, bchannel(e->proceeding.channel));
		break;
	case PRI_EVENT_PROGRESS:
		emit("progress %d %d", e->proceeding.cref, bchannel(e->proceeding.channel));
		break;
	case PRI_EVENT_SETUP_ACK: {
		int mode = 0;
		int crv = pri_get_crv(pri, e->setup_ack.call, &mode);
		emit("setup_ack %d %d", crv, bchannel(e->setup_ack.channel));
		break;
	}
	case PRI_EVENT_ANSWER:
		remember(e->answer.cref, e->answer.call, bchannel(e->answer.channel));
		emit("answer %d %d", e->answer.cref, bchannel(e->answer.channel));
		break;
	case PRI_EVENT_CONNECT_ACK: {
		int mode = 0;
		int crv = pri_get_crv(pri, e->connect_ack.call, &mode);
		emit("connect_ack %d %d", crv, bchannel(e->connect_ack.channel));
		break;
	}
	case PRI_EVENT_HANGUP_REQ:
		/* DISCONNECT received: answer with RELEASE, as Asterisk does. */
		emit("hangup_req %d %d %d", e->hangup.cref, bchannel(e->hangup.channel), e->hangup.cause);
		pri_hangup(pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		/* RELEASE / RELEASE COMPLETE received: the call is over; let libpri free it. */
		emit("hangup %d %d %d", e->hangup.cref, bchannel(e->hangup.channel), e->hangup.cause);
		forget(e->hangup.call);
		pri_hangup(pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP_ACK:
		emit("hangup_ack %d %d %d", e->hangup.cref, bchannel(e->hangup.channel), e->hangup.cause);
		forget(e->hangup.call);
		break;
	default:
		emit("event %d %s", e->e, pri_event2str(e->e));
		break;
	}
}

static void command(struct pri *pri, char *line)
{
	char verb[32] = "", arg1[128] = "", arg2[128] = "";
	int n = sscanf(line, "%31s %127s %127s", verb, arg1, arg2);
	if (n < 1)
		return;
	if (!strcmp(verb, "call") && n >= 2) {
		q931_call *call = pri_new_call(pri);
		struct pri_sr *sr = pri_sr_new();
		int channel = n >= 3 ? atoi(arg2) : -1;
		if (!call || !sr) {
			emit("bad_command no call could be made");
			return;
		}
		pri_sr_set_channel(sr, channel < 0 ? 0 : channel, channel >= 0, 0);
		pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
		pri_sr_set_called(sr, arg1, PRI_UNKNOWN, 1);
		pri_sr_set_caller(sr, "8888", NULL, PRI_UNKNOWN, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
		if (pri_setup(pri, call, sr)) {
			emit("bad_command pri_setup refused %s", arg1);
		} else {
			int mode = 0;
			int crv = pri_get_crv(pri, call, &mode);
			remember(crv, call, channel);
			emit("calling %d", crv);
		}
		pri_sr_free(sr);
	} else if (!strcmp(verb, "restart")) {
		pri_restart(pri);
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
			pri_hangup(pri, c->call, PRI_CAUSE_USER_BUSY);
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
		fprintf(stderr, "usage: %s network|cpe FD [-d] [-t NAME=VALUE]...\n", argv[0]);
		return 2;
	}
	int nodetype = !strcmp(argv[1], "network") ? PRI_NETWORK : PRI_CPE;
	int fd = atoi(argv[2]);
	pri_set_message(on_message);
	pri_set_error(on_error);
	for (int i = 3; i < argc; i++)
		if (!strcmp(argv[i], "-d"))
			debug_to_stderr = 1;
	struct pri *pri = pri_new_cb(fd, nodetype, PRI_SWITCH_EUROISDN_E1, io_read, io_write, NULL);
	if (!pri) {
		fprintf(stderr, "pri_new_cb failed\n");
		return 1;
	}
	if (debug_to_stderr)
		pri_set_debug(pri, PRI_DEBUG_Q921_STATE | PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q931_STATE | PRI_DEBUG_Q931_ANOMALY);
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
		if (ready > 0 && fds[0].revents & POLLIN) {
			pri_event *e = pri_check_event(pri);
			if (e)
				handle_event(pri, e);
		} else if (ready > 0 && fds[0].revents & (POLLHUP | POLLERR)) {
			return 0; /* the harness went away */
		}
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
