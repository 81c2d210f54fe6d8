/*
 * link_shape.c - unit tests of the WAN emulation (spu_link_set_shaping)
 * on in-process meshes: a small round trip takes at least twice the
 * one-way latency, 10 MiB at 100 Mbit/s take at least 0.8 s, both
 * together add up, bytes arrive intact, and an unshaped link stays
 * fast.  Timing bounds are generous: lower bounds as specified, upper
 * bounds at 5x, so a loaded machine does not make them flaky.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../tap.h"
#include "link.h"
#include "link_util.h"

struct side {
	struct spu_link *l;
	unsigned char *buf;
	size_t len;
	int echo;		/* 1: receive, send back; 0: send, receive */
	int rc;
	double secs;
	struct spu_diag d;
};

/* Ping-pong: the pinger sends, then waits for the echo. */
static void *
pingpong(void *arg)
{
	struct side *s = arg;
	int peer = 1 - spu_link_party(s->l);
	double t0 = now_s();

	if (s->echo) {
		s->rc = spu_link_recv(s->l, peer, s->buf, s->len, &s->d);
		if (s->rc == 0)
			s->rc = spu_link_send(s->l, peer, s->buf, s->len,
			    &s->d);
	} else {
		s->rc = spu_link_send(s->l, peer, s->buf, s->len, &s->d);
		if (s->rc == 0)
			s->rc = spu_link_recv(s->l, peer, s->buf, s->len,
			    &s->d);
	}
	s->secs = now_s() - t0;
	return NULL;
}

/* One way: party 0 sends, party 1 receives (timed there). */
static void *
oneway(void *arg)
{
	struct side *s = arg;
	double t0 = now_s();

	if (spu_link_party(s->l) == 0)
		s->rc = spu_link_send(s->l, 1, s->buf, s->len, &s->d);
	else
		s->rc = spu_link_recv(s->l, 0, s->buf, s->len, &s->d);
	s->secs = now_s() - t0;
	return NULL;
}

/* Run fn on both parties of a fresh shaped pair; s[1].secs is what
 * party 1 saw. */
static int
run_pair(void *(*fn)(void *), struct side *s, double lat, double mbit,
    size_t len)
{
	struct spu_link *links[2];
	pthread_t th[2];
	struct spu_diag d;
	int i;

	if (spu_link_local(2, 20000, links, &d) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		spu_link_set_shaping(links[i], lat, mbit);
		memset(&s[i], 0, sizeof(s[i]));
		s[i].l = links[i];
		s[i].len = len;
		s[i].echo = i;
		if ((s[i].buf = malloc(len)) == NULL)
			return -1;
		msg_fill(s[i].buf, len, i, 1 - i, 0);
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, fn, &s[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++)
		spu_link_free(links[i]);
	if (s[0].rc || s[1].rc)
		diag("%s / %s", s[0].d.msg, s[1].d.msg);
	return s[0].rc || s[1].rc ? -1 : 0;
}

static int
intact(const struct side *s, int from, size_t len)
{
	unsigned char *want = malloc(len);
	int same;

	if (want == NULL)
		return 0;
	msg_fill(want, len, from, 1 - from, 0);
	same = memcmp(want, s->buf, len) == 0;
	free(want);
	return same;
}

static void
test_latency(void)
{
	struct side s[2];
	int rc;

	rc = run_pair(pingpong, s, 50, 0, 64);
	ok(rc == 0 && s[0].secs >= 0.100 && s[0].secs <= 0.5,
	    "50 ms latency: a round trip takes %.3f s (>= 0.1, <= 0.5)",
	    s[0].secs);
	ok(rc == 0 && intact(&s[0], 0, 64),
	    "50 ms latency: the echo comes back intact");
	free(s[0].buf);
	free(s[1].buf);

	/* Fractions of a millisecond count too. */
	rc = run_pair(pingpong, s, 2.5, 0, 8);
	ok(rc == 0 && s[0].secs >= 0.005 && s[0].secs <= 0.025,
	    "2.5 ms latency: a round trip takes %.4f s (>= 0.005)",
	    s[0].secs);
	free(s[0].buf);
	free(s[1].buf);
}

static void
test_bandwidth(void)
{
	struct side s[2];
	size_t len = (size_t)10 << 20;
	int rc;

	rc = run_pair(oneway, s, 0, 100, len);
	ok(rc == 0 && s[1].secs >= 0.8 && s[1].secs <= 4.0,
	    "100 Mbit/s: 10 MiB arrive in %.3f s (>= 0.8, <= 4)", s[1].secs);
	ok(rc == 0 && intact(&s[1], 0, len), "100 Mbit/s: bytes intact");
	free(s[0].buf);
	free(s[1].buf);

	/* Latency adds to the time on the wire: 1 MiB at 100 Mbit/s is
	 * 84 ms (80 after the bucket's 4 ms head start), plus 100 ms. */
	rc = run_pair(oneway, s, 100, 100, (size_t)1 << 20);
	ok(rc == 0 && s[1].secs >= 0.15 && s[1].secs <= 0.92,
	    "100 ms + 100 Mbit/s: 1 MiB arrives in %.3f s (>= 0.15: latency plus most of the transfer)",
	    s[1].secs);
	free(s[0].buf);
	free(s[1].buf);
}

static void
test_off(void)
{
	struct side s[2];
	int rc;

	/* Turned off (0), and nonsense values that count as 0. */
	rc = run_pair(pingpong, s, 0, 0, 64);
	ok(rc == 0 && s[0].secs < 0.25, "no shaping: a round trip takes "
	    "%.4f s", s[0].secs);
	free(s[0].buf);
	free(s[1].buf);
	rc = run_pair(pingpong, s, -5, -1, 64);
	ok(rc == 0 && s[0].secs < 0.25, "negative values: no shaping (%.4f "
	    "s)", s[0].secs);
	free(s[0].buf);
	free(s[1].buf);
	spu_link_set_shaping(NULL, 10, 10);
	ok(1, "a NULL link is ignored");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	test_latency();
	test_bandwidth();
	test_off();
	return done_testing();
}
