/*
 * link_util.h - helpers shared by the link unit tests: deterministic
 * per-message test data, message lengths, elapsed time, an all-to-all
 * round runner that checks every byte received, and free local ports.
 */
#ifndef SPU_TEST_LINK_UTIL_H
#define SPU_TEST_LINK_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <sodium.h>

#include "link.h"

/* The bytes party `from` sends to party `to` in round r: a ChaCha20
 * stream keyed by (from, to, r), so the receiver can recompute them. */
static inline void
msg_fill(unsigned char *buf, size_t len, int from, int to, int r)
{
	unsigned char seed[randombytes_SEEDBYTES];

	memset(seed, 0, sizeof(seed));
	seed[0] = (unsigned char)from;
	seed[1] = (unsigned char)to;
	seed[2] = (unsigned char)r;
	seed[3] = (unsigned char)(r >> 8);
	randombytes_buf_deterministic(buf, len, seed);
}

/* Length of that message; 0 (nothing sent) for some pairs in some
 * rounds, and a large one now and then to force partial writes. */
static inline size_t
msg_len(int from, int to, int r)
{
	uint32_t h = (uint32_t)(from * 7919 + to * 104729 + r * 1299709);

	h ^= h >> 13;
	h *= 0x5bd1e995u;
	h ^= h >> 15;
	if (r % 5 == 3 && (from + to) % 2 == 0)
		return 0;
	if (r % 4 == 1)
		return 100000 + h % 400000;
	return 1 + h % 3000;
}

static inline double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Result of one party's all-to-all run. */
struct a2a {
	struct spu_link *l;
	int rounds;
	int rc;			/* first error */
	int bad;		/* messages with wrong bytes */
	uint64_t want_sent;	/* bytes incl. frame headers */
	uint64_t want_recv;
	uint64_t want_msgs;
	uint64_t want_rounds;
	struct spu_diag d;
};

/* Run a->rounds all-to-all rounds on a->l and check what arrives. */
static inline void *
a2a_run(void *arg)
{
	struct a2a *a = arg;
	int me = spu_link_party(a->l), n = spu_link_nparties(a->l), r, j;
	const void **sb = calloc(n, sizeof(*sb));
	void **rb = calloc(n, sizeof(*rb));
	size_t *sl = calloc(n, sizeof(*sl)), *rl = calloc(n, sizeof(*rl));
	unsigned char *want = malloc(600000);

	a->rc = 0;
	a->bad = 0;
	if (sb == NULL || rb == NULL || sl == NULL || rl == NULL ||
	    want == NULL) {
		a->rc = -1;
		goto out;
	}
	for (r = 0; r < a->rounds && a->rc == 0; r++) {
		int sends = 0;

		for (j = 0; j < n; j++) {
			sl[j] = j == me ? 0 : msg_len(me, j, r);
			rl[j] = j == me ? 0 : msg_len(j, me, r);
			sb[j] = sl[j] ? malloc(sl[j]) : NULL;
			rb[j] = rl[j] ? malloc(rl[j]) : NULL;
			if (sl[j]) {
				msg_fill((unsigned char *)sb[j], sl[j], me, j,
				    r);
				a->want_sent += 8 + sl[j];
				a->want_msgs++;
				sends = 1;
			}
			if (rl[j])
				a->want_recv += 8 + rl[j];
		}
		a->want_rounds += sends;
		a->rc = spu_link_exchange(a->l, (const void *const *)sb, sl,
		    (void *const *)rb, rl, &a->d);
		for (j = 0; j < n; j++) {
			if (a->rc == 0 && rl[j]) {
				msg_fill(want, rl[j], j, me, r);
				if (memcmp(want, rb[j], rl[j]) != 0)
					a->bad++;
			}
			free((void *)sb[j]);
			free(rb[j]);
		}
	}
out:
	free(sb);
	free(rb);
	free(sl);
	free(rl);
	free(want);
	return NULL;
}

/* A socket listening on 127.0.0.1:port, or -1. */
static inline int
listen_local(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 4) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A base port with `count` free ports above it, from the PID. */
static inline int
pick_ports(int count)
{
	int base, k, i, fds[16], good;

	for (k = 0; k < 50; k++) {
		base = 20000 + ((int)getpid() * 16 + k * 97 * 16) % 40000;
		good = 1;
		for (i = 0; i < count; i++)
			if ((fds[i] = listen_local(base + i)) == -1) {
				good = 0;
				break;
			}
		while (i-- > 0)
			close(fds[i]);
		if (good)
			return base;
	}
	return 20000 + (int)getpid() % 40000;
}

static inline void
set_peers(struct spu_peer_addr *pa, int n, int base)
{
	int i;

	for (i = 0; i < n; i++) {
		snprintf(pa[i].host, sizeof(pa[i].host), "127.0.0.1");
		pa[i].port = base + i;
	}
}

#endif
