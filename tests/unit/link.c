/*
 * link.c - unit tests of the link data path on in-process meshes
 * (socketpairs): all-to-all rounds among 3 and 5 threads, a 64 MB
 * exchange both ways at once, a peer answering 200 ms late (the wait
 * spins briefly, then sleeps), frame checks (length, sequence), a closed
 * peer, a silent peer, the statistics, and abort frames (a waiting
 * peer, a peer outside the round, a half-sent frame finished first, an
 * abort behind a queued frame, hostile reason text, and sealed aborts on
 * a version 2 TCP pair).  TCP meshes and peer lists are tested in
 * link_tcp.c, WAN emulation in link_shape.c.
 */
#include "config.h"

#include <sys/socket.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../tap.h"
#include "link.h"
#include "link_int.h"
#include "link_util.h"

static void
test_mesh(int n, int rounds)
{
	struct spu_link *links[8];
	struct a2a a[8];
	pthread_t th[8];
	struct spu_diag d;
	int i, rc, allok = 1;

	rc = spu_link_local(n, 5000, links, &d);
	if (!ok(rc == 0, "local mesh of %d: created", n)) {
		diag("%s", d.msg);
		return;
	}
	for (i = 0; i < n; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].l = links[i];
		a[i].rounds = rounds;
		ok(spu_link_party(links[i]) == i &&
		    spu_link_nparties(links[i]) == n,
		    "mesh of %d: link %d knows its party and count", n, i);
	}
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, a2a_run, &a[i]);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++) {
		const struct spu_link_stats *st = spu_link_stats(links[i]);

		if (a[i].rc != 0 || a[i].bad != 0) {
			allok = 0;
			diag("party %d: rc %d, %d bad messages: %s", i, a[i].rc,
			    a[i].bad, a[i].d.msg);
		}
		ok(st->bytes_sent == a[i].want_sent &&
		    st->bytes_recv == a[i].want_recv &&
		    st->msgs_sent == a[i].want_msgs &&
		    st->rounds == a[i].want_rounds,
		    "mesh of %d: party %d stats (sent %llu/%llu, recv %llu/%llu,"
		    " msgs %llu/%llu, rounds %llu/%llu)", n, i,
		    (unsigned long long)st->bytes_sent,
		    (unsigned long long)a[i].want_sent,
		    (unsigned long long)st->bytes_recv,
		    (unsigned long long)a[i].want_recv,
		    (unsigned long long)st->msgs_sent,
		    (unsigned long long)a[i].want_msgs,
		    (unsigned long long)st->rounds,
		    (unsigned long long)a[i].want_rounds);
	}
	ok(allok, "mesh of %d: %d all-to-all rounds, every byte checked", n,
	    rounds);
	for (i = 0; i < n; i++)
		spu_link_free(links[i]);
}

struct big {
	struct spu_link *l;
	unsigned char *out, *in;
	size_t len;
	int rc;
	struct spu_diag d;
};

static void *
big_run(void *arg)
{
	struct big *b = arg;
	int me = spu_link_party(b->l), peer = 1 - me;
	const void *sb[2] = { NULL, NULL };
	void *rb[2] = { NULL, NULL };
	size_t sl[2] = { 0, 0 }, rl[2] = { 0, 0 };

	sb[peer] = b->out;
	rb[peer] = b->in;
	sl[peer] = rl[peer] = b->len;
	b->rc = spu_link_exchange(b->l, sb, sl, rb, rl, &b->d);
	return NULL;
}

static void
test_big(void)
{
	struct spu_link *links[2];
	struct big b[2];
	pthread_t th[2];
	unsigned char h_out[2][32], h_in[2][32];
	size_t len = (size_t)64 << 20;
	struct spu_diag d;
	double t0;
	int i;

	if (spu_link_local(2, 10000, links, &d) != 0) {
		ok(0, "64 MB: mesh: %s", d.msg);
		return;
	}
	for (i = 0; i < 2; i++) {
		b[i].l = links[i];
		b[i].len = len;
		b[i].out = malloc(len);
		b[i].in = malloc(len);
		if (b[i].out == NULL || b[i].in == NULL) {
			ok(0, "64 MB: allocate");
			return;
		}
		msg_fill(b[i].out, len, i, 1 - i, 0);
		crypto_generichash(h_out[i], 32, b[i].out, len, NULL, 0);
	}
	t0 = now_s();
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, big_run, &b[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ok(b[0].rc == 0 && b[1].rc == 0,
	    "64 MB each way at once: no deadlock (%.2f s)", now_s() - t0);
	if (b[0].rc || b[1].rc)
		diag("%s / %s", b[0].d.msg, b[1].d.msg);
	for (i = 0; i < 2; i++)
		crypto_generichash(h_in[i], 32, b[i].in, len, NULL, 0);
	ok(memcmp(h_in[0], h_out[1], 32) == 0 &&
	    memcmp(h_in[1], h_out[0], 32) == 0,
	    "64 MB each way: bytes arrive intact");
	ok(spu_link_stats(links[0])->bytes_sent == len + 8 &&
	    spu_link_stats(links[1])->bytes_recv == len + 8 &&
	    spu_link_stats(links[0])->rounds == 1,
	    "64 MB: stats count one frame and one round");
	for (i = 0; i < 2; i++) {
		free(b[i].out);
		free(b[i].in);
		spu_link_free(links[i]);
	}
}

/* A peer that answers long after the round began: the waiting party
 * polls without blocking only for LINK_SPIN_US, then sleeps in poll, so
 * its thread's CPU time stays far below the wait. */
struct late {
	struct spu_link *l;
	unsigned delay_ms;
	unsigned char out[64], in[64];
	double cpu;
	int rc;
	struct spu_diag d;
};

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *
late_run(void *arg)
{
	struct late *p = arg;
	int me = spu_link_party(p->l), peer = 1 - me;
	const void *sb[2] = { NULL, NULL };
	void *rb[2] = { NULL, NULL };
	size_t sl[2] = { 0, 0 }, rl[2] = { 0, 0 };
	double c0;

	if (p->delay_ms)
		usleep(p->delay_ms * 1000);
	sb[peer] = p->out;
	rb[peer] = p->in;
	sl[peer] = rl[peer] = sizeof(p->out);
	c0 = thread_cpu_s();
	p->rc = spu_link_exchange(p->l, sb, sl, rb, rl, &p->d);
	p->cpu = thread_cpu_s() - c0;
	return NULL;
}

static void
test_late_peer(void)
{
	struct spu_link *links[2];
	struct late p[2];
	pthread_t th[2];
	struct spu_diag d;
	int i;

	if (spu_link_local(2, 5000, links, &d) != 0) {
		ok(0, "late peer: mesh: %s", d.msg);
		return;
	}
	for (i = 0; i < 2; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].l = links[i];
		p[i].delay_ms = i == 1 ? 200 : 0;
		msg_fill(p[i].out, sizeof(p[i].out), i, 1 - i, 0);
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, late_run, &p[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ok(p[0].rc == 0 && p[1].rc == 0 &&
	    memcmp(p[0].in, p[1].out, sizeof(p[0].in)) == 0 &&
	    memcmp(p[1].in, p[0].out, sizeof(p[1].in)) == 0,
	    "late peer: the round completes, bytes intact");
	/* 200 ms of waiting; the spin may use LINK_SPIN_US of it */
	ok(p[0].cpu < 0.05, "late peer: the waiting party sleeps after its "
	    "spin (%.1f ms CPU over a 200 ms wait)", p[0].cpu * 1e3);
	for (i = 0; i < 2; i++)
		spu_link_free(links[i]);
}

static void
test_mismatch(void)
{
	struct spu_link *links[2];
	unsigned char buf[100], in[100];
	unsigned char hdr[8] = { 4, 0, 0, 0, 5, 0, 0, 0 };
	struct spu_diag d;
	int rc;

	memset(buf, 7, sizeof(buf));
	if (spu_link_local(2, 2000, links, &d) != 0) {
		ok(0, "mismatch: mesh: %s", d.msg);
		return;
	}
	/* A right-sized message first, to get the sequence past 0. */
	rc = spu_link_send(links[0], 1, buf, 10, &d);
	ok(rc == 0, "send 10 bytes");
	rc = spu_link_recv(links[1], 0, in, 10, &d);
	ok(rc == 0 && memcmp(in, buf, 10) == 0, "receive those 10 bytes");

	rc = spu_link_send(links[0], 1, buf, 100, &d);
	ok(rc == 0, "send 100 bytes");
	spu_link_set_phase(links[1], "mul");
	memset(&d, 0, sizeof(d));
	rc = spu_link_recv(links[1], 0, in, 96, &d);
	ok(rc == SPU_EPROTO, "expecting 96 bytes, got 100: SPU_EPROTO (%d)",
	    rc);
	ok(strstr(d.msg, "party 1: party 0 sent a message of 100 bytes, "
	    "expected 96 bytes (phase: mul)") != NULL, "message: %s", d.msg);
	rc = spu_link_recv(links[1], 0, in, 96, &d);
	ok(rc == SPU_ENET && strstr(d.msg, "earlier round") != NULL,
	    "a failed link stays failed: %s", d.msg);
	spu_link_free(links[0]);
	spu_link_free(links[1]);

	/* A frame with a wrong sequence number, written by hand. */
	if (spu_link_local(2, 2000, links, &d) != 0)
		return;
	ok(send(links[0]->peer[1].fd, hdr, 8, 0) == 8 &&
	    send(links[0]->peer[1].fd, buf, 4, 0) == 4,
	    "write a frame with sequence number 5");
	rc = spu_link_recv(links[1], 0, in, 4, &d);
	ok(rc == SPU_EPROTO && strstr(d.msg, "party 0 sent frame 5, "
	    "expected frame 0") != NULL, "wrong sequence: %s", d.msg);
	spu_link_free(links[0]);
	spu_link_free(links[1]);
}

static void
test_closed(void)
{
	struct spu_link *links[3];
	unsigned char *buf;
	size_t big = (size_t)8 << 20;
	struct spu_diag d;
	int rc;

	if (spu_link_local(3, 2000, links, &d) != 0 ||
	    (buf = calloc(1, big)) == NULL) {
		ok(0, "closed: setup");
		return;
	}
	spu_link_free(links[2]);
	spu_link_set_phase(links[0], "mul");
	rc = spu_link_recv(links[0], 2, buf, 16, &d);
	ok(rc == SPU_ENET, "receive from a closed peer: SPU_ENET (%d)", rc);
	ok(strstr(d.msg, "party 0: party 2 closed the connection") != NULL &&
	    strstr(d.msg, "(phase: mul)") != NULL, "message: %s", d.msg);

	/* Sending into a closed socket must fail, not raise SIGPIPE (which
	 * would end this test). */
	rc = spu_link_send(links[1], 2, buf, big, &d);
	ok(rc == SPU_ENET && strstr(d.msg, "party 1: party 2 closed the "
	    "connection") != NULL, "send 8 MB to a closed peer: %s", d.msg);

	spu_link_free(links[0]);
	spu_link_free(links[1]);

	/* A peer closing in the middle of a frame. */
	if (spu_link_local(2, 2000, links, &d) != 0) {
		free(buf);
		return;
	}
	rc = send(links[1]->peer[0].fd, "\x10\0\0\0\0\0\0\0abc", 11, 0);
	spu_link_free(links[1]);
	rc = spu_link_recv(links[0], 1, buf, 16, &d);
	ok(rc == SPU_ENET && strstr(d.msg, "party 1 closed the connection in "
	    "the middle of a message") != NULL, "closed mid-frame: %s", d.msg);
	spu_link_free(links[0]);
	free(buf);
}

static void
test_timeout(void)
{
	struct spu_link *links[3];
	unsigned char buf[64], *big;
	size_t blen = (size_t)64 << 20;
	const void *sb[3];
	void *rb[3];
	size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };
	struct spu_diag d;
	double t0, dt;
	int rc;

	if (spu_link_local(3, 300, links, &d) != 0) {
		ok(0, "timeout: mesh: %s", d.msg);
		return;
	}
	spu_link_set_phase(links[1], "silent");
	t0 = now_s();
	rc = spu_link_recv(links[1], 0, buf, sizeof(buf), &d);
	dt = now_s() - t0;
	ok(rc == SPU_ETIMEOUT, "silent peer: SPU_ETIMEOUT (%d)", rc);
	ok(dt >= 0.28 && dt < 1.5, "after the 300 ms timeout (%.3f s)", dt);
	ok(strcmp(d.msg, "party 1: timeout after 0.3 s waiting for party 0 "
	    "(phase: silent)") == 0, "message: %s", d.msg);

	/* Two silent peers are both named. */
	rb[0] = rb[1] = buf;
	rl[0] = rl[1] = 8;
	rc = spu_link_exchange(links[2], NULL, NULL, rb, rl, &d);
	ok(rc == SPU_ETIMEOUT && strstr(d.msg, "waiting for parties 0, 1") !=
	    NULL, "two silent peers: %s", d.msg);
	spu_link_free(links[0]);
	spu_link_free(links[1]);
	spu_link_free(links[2]);

	/* A peer that does not read: sending stalls, then times out. */
	if (spu_link_local(2, 300, links, &d) != 0 ||
	    (big = calloc(1, blen)) == NULL)
		return;
	sb[1] = big;
	sl[1] = blen;
	t0 = now_s();
	rc = spu_link_exchange(links[0], sb, sl, NULL, NULL, &d);
	dt = now_s() - t0;
	ok(rc == SPU_ETIMEOUT && dt < 1.5 && strstr(d.msg, "waiting for "
	    "party 1") != NULL, "peer not reading: %s (%.3f s)", d.msg, dt);
	free(big);
	spu_link_free(links[0]);
	spu_link_free(links[1]);
}

static void
test_args(void)
{
	struct spu_link *links[2];
	unsigned char buf[8] = "abcdefg";
	const void *sb[2] = { buf, buf };
	size_t sl[2] = { 4, 0 };
	struct spu_diag d;
	int rc;

	ok(spu_link_local(0, 100, links, &d) == SPU_EINVAL,
	    "local mesh of 0: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_local(2, 0, links, &d) == SPU_EINVAL,
	    "zero timeout: SPU_EINVAL (%s)", d.msg);
	if (spu_link_local(2, 500, links, &d) != 0)
		return;
	rc = spu_link_exchange(links[0], NULL, NULL, NULL, NULL, &d);
	ok(rc == 0 && spu_link_stats(links[0])->rounds == 0,
	    "an empty round succeeds and is not counted");
	rc = spu_link_exchange(links[0], sb, sl, NULL, NULL, &d);
	ok(rc == 0 && spu_link_stats(links[0])->msgs_sent == 0,
	    "the entry for self is ignored");
	ok(spu_link_send(links[0], 0, buf, 4, &d) == SPU_EINVAL,
	    "send to self: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_send(links[0], 2, buf, 4, &d) == SPU_EINVAL,
	    "send to party 2 of 2: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_send(links[0], 1, NULL, 4, &d) == SPU_EINVAL,
	    "send from NULL: SPU_EINVAL (%s)", d.msg);
	ok(spu_link_send(links[0], 1, buf, 0, &d) == 0 &&
	    spu_link_stats(links[0])->msgs_sent == 0,
	    "sending 0 bytes sends nothing");
	ok(spu_link_send(links[0], 1, buf, (size_t)UINT32_MAX + 1, &d) ==
	    SPU_ELIMIT, "4 GiB message: SPU_ELIMIT (%s)", d.msg);
	ok(spu_link_send(links[0], 1, buf, 5, &d) == 0,
	    "argument errors do not break the link");
	spu_link_free(links[0]);
	spu_link_free(links[1]);
	spu_link_free(NULL);
}

/* Party 1 gives up; party 0, waiting for it, learns why. */
static void
test_abort_plain(void)
{
	struct spu_link *links[3];
	unsigned char buf[64];
	struct spu_diag d;
	double t0, dt;
	int rc;

	if (spu_link_local(3, 5000, links, &d) != 0) {
		ok(0, "abort: mesh: %s", d.msg);
		return;
	}
	/* A round first, so the abort is not frame 0. */
	memset(buf, 1, sizeof(buf));
	ok(spu_link_send(links[1], 0, buf, 10, &d) == 0 &&
	    spu_link_recv(links[0], 1, buf, 10, &d) == 0, "abort: a round");
	spu_link_abort(links[1], "party 1: party 2 closed the connection "
	    "(phase: mul)");
	spu_link_free(links[1]);
	spu_link_set_phase(links[0], "mul");
	t0 = now_s();
	rc = spu_link_recv(links[0], 1, buf, sizeof(buf), &d);
	dt = now_s() - t0;
	ok(rc == SPU_ENET && dt < 1.0, "abort: the waiting party fails at "
	    "once with SPU_ENET (%d, %.3f s)", rc, dt);
	ok(strcmp(d.msg, "party 0: party 1 aborted: party 2 closed the "
	    "connection (phase: mul)") == 0, "abort: message: %s", d.msg);
	ok(spu_link_recv(links[0], 2, buf, 1, &d) == SPU_ENET &&
	    strstr(d.msg, "earlier round") != NULL,
	    "abort: the link stays failed");
	/* It forwards the cause, not the caller's words. */
	spu_link_abort(links[0], "ignored");
	spu_link_free(links[0]);
	rc = spu_link_recv(links[2], 0, buf, sizeof(buf), &d);
	ok(rc == SPU_ENET && strcmp(d.msg, "party 2: party 0 aborted: party 1 "
	    "aborted: party 2 closed the connection (phase: mul)") == 0,
	    "abort: forwarded with the first cause: %s", d.msg);
	spu_link_free(links[2]);
}

/* Party 0 waits on party 2 only; party 1 (not in the round) aborts.
 * A frame party 1 sent earlier for a later round must not be taken for
 * it, nor consumed. */
static void
test_abort_watch(void)
{
	struct spu_link *links[3];
	unsigned char out[300], in[300];
	struct spu_diag d;
	double t0, dt;
	int rc;

	if (spu_link_local(3, 5000, links, &d) != 0) {
		ok(0, "abort watch: mesh: %s", d.msg);
		return;
	}
	msg_fill(out, sizeof(out), 1, 0, 7);
	ok(spu_link_send(links[1], 0, out, sizeof(out), &d) == 0,
	    "watch: party 1 sends early for a later round");
	ok(spu_link_send(links[2], 0, "abcd", 4, &d) == 0 &&
	    spu_link_recv(links[0], 2, in, 4, &d) == 0 &&
	    memcmp(in, "abcd", 4) == 0,
	    "watch: a round with party 2 leaves party 1's frame alone");
	memset(in, 0, sizeof(in));
	rc = spu_link_recv(links[0], 1, in, sizeof(in), &d);
	ok(rc == 0 && memcmp(in, out, sizeof(out)) == 0,
	    "watch: that frame arrives intact in its round");
	ok(spu_link_stats(links[0])->bytes_recv == 8 + 4 + 8 + 300,
	    "watch: peeking counts no bytes");

	spu_link_abort(links[1], "disk full");
	spu_link_free(links[1]);
	t0 = now_s();
	rc = spu_link_recv(links[0], 2, in, 16, &d);
	dt = now_s() - t0;
	ok(rc == SPU_ENET && dt < 1.0 && strcmp(d.msg, "party 0: party 1 "
	    "aborted: disk full") == 0, "watch: an abort from a party outside "
	    "the round ends it (%.3f s): %s", dt, d.msg);
	spu_link_free(links[0]);
	spu_link_free(links[2]);
}

struct reader {
	struct spu_link *l;
	unsigned char *buf;
	size_t len;
	int rc, rc2;
	struct spu_diag d, d2;
};

static void *
reader_run(void *arg)
{
	struct reader *r = arg;
	unsigned char b[16];

	r->rc = spu_link_recv(r->l, 0, r->buf, r->len, &r->d);
	r->rc2 = spu_link_recv(r->l, 0, b, sizeof(b), &r->d2);
	return NULL;
}

/* A round fails with a frame half sent: the abort finishes that frame
 * first (from a copy: the caller's buffer is gone) and then tells. */
static void
test_abort_partial(void)
{
	struct spu_link *links[2];
	struct reader r;
	pthread_t th;
	size_t len = (size_t)8 << 20;
	unsigned char *out, *want;
	struct spu_diag d;
	int rc;

	out = malloc(len);
	want = malloc(len);
	memset(&r, 0, sizeof(r));
	r.len = len;
	r.buf = malloc(len);
	if (out == NULL || want == NULL || r.buf == NULL ||
	    spu_link_local(2, 300, links, &d) != 0) {
		ok(0, "partial: setup");
		goto out;
	}
	msg_fill(out, len, 0, 1, 3);
	memcpy(want, out, len);
	spu_link_set_phase(links[0], "open");
	rc = spu_link_send(links[0], 1, out, len, &d);
	ok(rc == SPU_ETIMEOUT, "partial: 8 MB to a peer that does not read "
	    "times out (%d)", rc);
	memset(out, 0xee, len);	/* the caller reuses its buffer */
	r.l = links[1];
	pthread_create(&th, NULL, reader_run, &r);
	spu_link_abort(links[0], NULL);
	spu_link_free(links[0]);
	pthread_join(th, NULL);
	ok(r.rc == 0 && memcmp(r.buf, want, len) == 0,
	    "partial: the half-sent frame arrives whole and intact");
	ok(r.rc2 == SPU_ENET && strcmp(r.d2.msg, "party 1: party 0 aborted: "
	    "timeout after 0.3 s waiting for party 1 (phase: open)") == 0,
	    "partial: then the abort, with the link's own cause: %s",
	    r.d2.msg);
	spu_link_free(links[1]);
out:
	free(out);
	free(want);
	free(r.buf);
}

/* Party 1 sent a frame for a later round, then aborted and left; party
 * 0 only sends to it, so the send fails first: the abort behind the
 * queued frame is still found. */
static void
test_abort_salvage(void)
{
	struct spu_link *links[2];
	unsigned char buf[1000];
	size_t big = (size_t)1 << 20;
	unsigned char *b;
	struct spu_diag d;
	int rc;

	if ((b = calloc(1, big)) == NULL || spu_link_local(2, 2000, links,
	    &d) != 0) {
		ok(0, "salvage: setup");
		free(b);
		return;
	}
	memset(buf, 5, sizeof(buf));
	ok(spu_link_send(links[1], 0, buf, sizeof(buf), &d) == 0,
	    "salvage: party 1 sends ahead");
	spu_link_abort(links[1], "out of memory");
	spu_link_free(links[1]);
	rc = spu_link_send(links[0], 1, b, big, &d);
	ok(rc == SPU_ENET && strcmp(d.msg, "party 0: party 1 aborted: out of "
	    "memory") == 0, "salvage: sending to a party that aborted: %s",
	    d.msg);
	spu_link_free(links[0]);
	free(b);
}

/* Reason text from a peer is data: control bytes are replaced, length
 * is bounded, a missing NUL does no harm. */
static void
test_abort_hostile(void)
{
	struct spu_link *links[2];
	unsigned char frame[8 + 256], in[8];
	struct spu_diag d;
	int rc, i, clean = 1;

	if (spu_link_local(2, 2000, links, &d) != 0)
		return;
	memset(frame, 'A', sizeof(frame));
	memcpy(frame, "\xff\xff\xff\xff\0\0\0\0", 8);
	memcpy(frame + 8, "bad\033[2Jtext\n", 12);
	ok(send(links[1]->peer[0].fd, frame, sizeof(frame), 0) ==
	    (ssize_t)sizeof(frame), "hostile: write an abort frame by hand");
	rc = spu_link_recv(links[0], 1, in, sizeof(in), &d);
	for (i = 0; d.msg[i] != '\0'; i++)
		if ((unsigned char)d.msg[i] < 0x20 ||
		    (unsigned char)d.msg[i] >= 0x7f)
			clean = 0;
	ok(rc == SPU_ENET && clean && strncmp(d.msg, "party 0: party 1 "
	    "aborted: bad?[2Jtext?AAA", 37) == 0 &&
	    strlen(d.msg) == strlen("party 0: party 1 aborted: ") + 255,
	    "hostile: printable, at most 255 characters: %.60s...", d.msg);
	spu_link_free(links[0]);
	spu_link_free(links[1]);
}

/* Version 2: abort frames are sealed like any frame; an unsealed one is
 * a forgery. */
struct sp {
	int party;
	const struct spu_peer_addr *pa;
	const unsigned char *pk, *sk, *pks;
	struct spu_link *l;
	int rc;
	struct spu_diag d;
};

static void *
sp_run(void *arg)
{
	struct sp *p = arg;

	p->rc = spu_link_tcp_secure(p->party, 2, p->pa, p->pk, p->sk, p->pks,
	    5000, &p->l, &p->d);
	return NULL;
}

static int
secure_pair(struct sp *p, int base)
{
	static unsigned char pk[2][32], sk[2][32], pks[64];
	static struct spu_peer_addr pa[2];
	pthread_t th[2];
	int i;

	set_peers(pa, 2, base);
	for (i = 0; i < 2; i++) {
		crypto_kx_keypair(pk[i], sk[i]);
		memcpy(pks + 32 * i, pk[i], 32);
	}
	for (i = 0; i < 2; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].party = i;
		p[i].pa = pa;
		p[i].pk = pk[i];
		p[i].sk = sk[i];
		p[i].pks = pks;
		pthread_create(&th[i], NULL, sp_run, &p[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	if (p[0].rc == 0 && p[1].rc == 0)
		return 0;
	diag("%s / %s", p[0].d.msg, p[1].d.msg);
	return -1;
}

static void
test_abort_secure(int base)
{
	struct sp p[2];
	unsigned char buf[300], wire[8 + 256 + 16];
	unsigned char fake[8 + 256] = { 0xff, 0xff, 0xff, 0xff, 1 };
	struct spu_diag d;
	size_t got = 0;
	ssize_t r;
	int rc, k, plain = 0;

	if (!ok(secure_pair(p, base) == 0, "secure abort: pair connected"))
		return;
	spu_link_abort(p[1].l, "party 1: no space left on device");
	/* What went over the wire: header, ciphertext, tag. */
	for (k = 0; k < 100 && got < sizeof(wire); k++) {
		r = recv(p[0].l->peer[1].fd, wire + got, sizeof(wire) - got,
		    MSG_PEEK);
		if (r > 0)
			got = (size_t)r;
		else
			usleep(5000);
	}
	plain = memmem(wire, got, "no space", 8) != NULL;
	ok(got == sizeof(wire) && memcmp(wire, "\xff\xff\xff\xff\1\0\0\0",
	    8) == 0 && !plain, "secure abort: frame 1, %zu bytes, no "
	    "plaintext", got);
	spu_link_free(p[1].l);
	rc = spu_link_recv(p[0].l, 1, buf, sizeof(buf), &d);
	ok(rc == SPU_ENET && strcmp(d.msg, "party 0: party 1 aborted: no space "
	    "left on device") == 0, "secure abort: opened: %s", d.msg);
	spu_link_free(p[0].l);

	/* An unsealed abort frame on a secure link is a forgery. */
	if (secure_pair(p, base) != 0)
		return;
	memcpy(fake + 8, "trust me", 8);
	(void)send(p[1].l->peer[0].fd, fake, sizeof(fake), 0);
	(void)send(p[1].l->peer[0].fd, buf, 16, 0);	/* as if a tag */
	rc = spu_link_recv(p[0].l, 1, buf, sizeof(buf), &d);
	ok(rc == SPU_EPROTO && strstr(d.msg, "party 0: message 1 from party 1 "
	    "failed authentication") != NULL && strstr(d.msg, "trust") ==
	    NULL, "secure abort: forged: %s", d.msg);
	spu_link_free(p[0].l);
	spu_link_free(p[1].l);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	test_args();
	test_mesh(3, 12);
	test_mesh(5, 8);
	test_big();
	test_late_peer();
	test_mismatch();
	test_closed();
	test_timeout();
	test_abort_plain();
	test_abort_watch();
	test_abort_partial();
	test_abort_salvage();
	test_abort_hostile();
	test_abort_secure(pick_ports(2));
	return done_testing();
}
