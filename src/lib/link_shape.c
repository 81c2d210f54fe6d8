/*
 * link_shape.c - WAN emulation for benchmarks (docs/wire.md, "WAN
 * emulation"), for machines without netem: each direction of each
 * connection gets a one-way latency and a bandwidth.
 *
 * Bandwidth is the sender's: a token bucket per peer caps how many frame
 * bytes each write may carry.  Latency is the receiver's: a frame read
 * whole is held back until it has been "in flight" for the latency,
 * counted from when its first bytes were first seen (plus the time the
 * sender's pacing needed for the rest).  Nothing changes on the wire.
 * The round loop in link.c calls these and sleeps until the next bucket
 * refill or release.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "link_int.h"

#define BUCKET_US	4000	/* a full bucket holds 4 ms of traffic */
#define BUCKET_MIN	1500.0	/* and at least one Ethernet frame */
#define LATENCY_MAX	3600e3	/* ms */

void
spu_link_set_shaping(struct spu_link *l, double latency_ms, double mbit)
{
	int64_t now = link_now_us();
	int j;

	if (l == NULL)
		return;
	if (!isfinite(latency_ms) || latency_ms < 0)
		latency_ms = 0;
	if (latency_ms > LATENCY_MAX)
		latency_ms = LATENCY_MAX;
	if (!isfinite(mbit) || mbit < 0)
		mbit = 0;
	l->lat_us = (int64_t)(latency_ms * 1000 + 0.5);
	l->rate = mbit / 8;	/* 10^6 bits/s = 1/8 byte per microsecond */
	l->burst = l->rate * BUCKET_US;
	if (l->rate > 0 && l->burst < BUCKET_MIN)
		l->burst = BUCKET_MIN;
	for (j = 0; j < l->n; j++) {
		l->peer[j].tokens = l->burst;
		l->peer[j].tlast = now;
		l->peer[j].seen = 0;
	}
}

size_t
link_shape_allow(struct spu_link *l, int j, size_t want, int64_t now,
    int64_t *wake)
{
	struct link_peer *p = &l->peer[j];
	double quantum = l->burst / 4;

	if (l->rate <= 0 || l->closing)
		return SIZE_MAX;
	if (now > p->tlast) {
		p->tokens += (double)(now - p->tlast) * l->rate;
		if (p->tokens > l->burst)
			p->tokens = l->burst;
		p->tlast = now;
	}
	/* Wait for a quarter bucket (or the rest of the frame) rather than
	 * dribbling out a few bytes a wakeup. */
	if ((double)want < quantum)
		quantum = (double)want;
	if (p->tokens >= quantum && p->tokens >= 1)
		return (size_t)p->tokens;
	*wake = now + (int64_t)((quantum - p->tokens) / l->rate) + 1;
	return 0;
}

void
link_shape_spend(struct spu_link *l, int j, size_t n)
{
	if (l->rate > 0 && !l->closing)
		l->peer[j].tokens -= (double)n;
}

int64_t
link_shape_release(struct spu_link *l, int j, size_t wire, int64_t now)
{
	int64_t arr = l->peer[j].seen != 0 ? l->peer[j].seen : now;

	/* The last byte left the sender no earlier than its bucket allowed;
	 * and it was here no later than now. */
	if (l->rate > 0 && (double)wire > l->burst)
		arr += (int64_t)(((double)wire - l->burst) / l->rate);
	if (arr > now)
		arr = now;
	return arr + l->lat_us + 1;	/* clocks are read truncated */
}
