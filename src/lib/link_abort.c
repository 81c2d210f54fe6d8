/*
 * link_abort.c - abort frames (docs/wire.md, "Abort frames"): a party
 * that gives up tells every peer why before it closes its connections,
 * and a party that reads such a frame fails with that reason, so every
 * surviving party names the party that failed first, not the neighbour
 * that left because of it.
 *
 * Reading abort frames during rounds is driven by link.c; this file
 * sends them, opens them, and digs one out of a dead connection.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "link_int.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define SALVAGE_FRAMES	64		/* frames skipped to find one */
#define SALVAGE_BYTES	(64 << 20)	/* bytes skipped at most */
#define DRAIN_BYTES	(1 << 20)	/* read per peer before closing */

/* Reason text as it goes on the wire: printable ASCII, at most
 * LINK_REASON - 1 characters, NUL-padded.  A leading "party N: " naming
 * this party is dropped (the receiver says who aborted). */
static void
reason_text(char *out, const char *in, int self)
{
	char pre[32];
	size_t k = 0, plen;
	unsigned char c;

	memset(out, 0, LINK_REASON);
	if (in == NULL || *in == '\0')
		in = "no reason given";
	plen = (size_t)snprintf(pre, sizeof(pre), "party %d: ", self);
	if (strncmp(in, pre, plen) == 0 && in[plen] != '\0')
		in += plen;
	for (; *in != '\0' && k < LINK_REASON - 1; in++) {
		c = (unsigned char)*in;
		out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
}

int
link_abort_done(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct link_peer *p = &l->peer[j];
	uint32_t seq = link_get_u32(x->ahdr + 4), want = (uint32_t)p->nrecv;
	unsigned char nonce[12];
	char text[LINK_REASON], ph[LINK_PHASE_MAX + 16];

	x->aborting = 0;
	l->broken = SPU_EPROTO;
	if (seq != want)
		return spu_fail(d, SPU_EPROTO, "party %d: party %d sent frame "
		    "%lu, expected frame %lu (lost or reordered message)%s",
		    l->party, j, (unsigned long)seq, (unsigned long)want,
		    link_phase_suffix(l, ph, sizeof(ph)));
	if (p->secure) {
		link_nonce(nonce, p->nrecv);
		if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		    x->abody, NULL, x->abody, LINK_REASON,
		    x->abody + LINK_REASON, x->ahdr, LINK_HDR, nonce,
		    p->krx) != 0) {
			l->bad_peer = j;
			return spu_fail(d, SPU_EPROTO, "party %d: message %llu "
			    "from party %d failed authentication (forged, "
			    "damaged, or wrong keys)%s", l->party,
			    (unsigned long long)p->nrecv, j,
			    link_phase_suffix(l, ph, sizeof(ph)));
		}
	}
	p->nrecv++;
	/* The peer's text, up to its first NUL; never trusted to be
	 * printable. */
	x->abody[LINK_REASON - 1] = '\0';
	reason_text(text, (const char *)x->abody, -1);
	l->broken = SPU_ENET;
	return spu_fail(d, SPU_ENET, "party %d: party %d aborted: %s",
	    l->party, j, text);
}

/* Take exactly len bytes that are already waiting on fd, waiting a
 * little for stragglers.  Returns 0 or -1. */
static int
take(int fd, unsigned char *buf, size_t len)
{
	int64_t deadline = link_now_ms() + 50;
	struct pollfd pfd;
	ssize_t r;

	while (len > 0) {
		r = recv(fd, buf, len, 0);
		if (r > 0) {
			buf += r;
			len -= (size_t)r;
			continue;
		}
		if (r == 0 || (errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK) || link_now_ms() >= deadline)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, 10);
	}
	return 0;
}

int
link_read_abort(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct link_peer *p = &l->peer[j];
	size_t tlen = p->secure ? LINK_TAG : 0;

	if (take(p->fd, x->ahdr, LINK_HDR) != 0 ||
	    take(p->fd, x->abody, LINK_REASON + tlen) != 0)
		return 0;
	l->stats.bytes_recv += LINK_HDR + LINK_REASON + tlen;
	x->tlen = tlen;
	x->receiving = 0;
	return link_abort_done(l, j, d);
}

int
link_salvage_abort(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct link_peer *p = &l->peer[j];
	unsigned char h[LINK_HDR], junk[4096];
	size_t tlen = p->secure ? LINK_TAG : 0, skip, n, skipped = 0;
	int k;

	/* Only from a frame boundary. */
	if (x->aborting || (x->receiving && x->release == 0 && x->roff > 0))
		return 0;
	for (k = 0; k < SALVAGE_FRAMES; k++) {
		if (recv(p->fd, h, LINK_HDR, MSG_PEEK) != LINK_HDR)
			return 0;
		if (link_get_u32(h) == LINK_ABORT)
			return link_read_abort(l, j, d);
		/* A whole data frame we will never use: the round fails. */
		skip = LINK_HDR + (size_t)link_get_u32(h) + tlen;
		if ((skipped += skip) > SALVAGE_BYTES)
			return 0;
		while (skip > 0) {
			n = skip < sizeof(junk) ? skip : sizeof(junk);
			if (take(p->fd, junk, n) != 0)
				return 0;
			skip -= n;
		}
		p->nrecv++;
	}
	return 0;
}

/* Put an abort frame to peer j in its send state, sealed on version 2
 * links. */
static void
queue_abort(struct spu_link *l, int j, const char *text)
{
	struct link_xfer *x = &l->x[j];
	struct link_peer *p = &l->peer[j];
	unsigned char nonce[12];

	link_put_u32(x->shdr, LINK_ABORT);
	link_put_u32(x->shdr + 4, (uint32_t)p->nsent);
	x->tlen = p->secure ? LINK_TAG : 0;
	if (p->secure) {
		link_nonce(nonce, p->nsent);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(x->abody,
		    x->stag, NULL, (const unsigned char *)text, LINK_REASON,
		    x->shdr, LINK_HDR, NULL, nonce, p->ktx);
	} else
		memcpy(x->abody, text, LINK_REASON);
	x->sbuf = x->abody;
	x->slen = LINK_REASON;
	x->soff = 0;
	x->sending = 1;
}

/* Read and drop what peers have sent us, so that closing sends a FIN
 * behind our abort frame rather than a reset that may discard it. */
static void
drain(struct spu_link *l, int64_t deadline)
{
	unsigned char junk[16384];
	size_t got;
	ssize_t r;
	int j;

	for (j = 0; j < l->n; j++) {
		if (j == l->party || l->peer[j].fd == -1)
			continue;
		for (got = 0; got < DRAIN_BYTES && link_now_ms() < deadline;
		    got += (size_t)r)
			if ((r = recv(l->peer[j].fd, junk, sizeof(junk), 0)) <=
			    0)
				break;
	}
}

void
spu_link_abort(struct spu_link *l, const char *reason)
{
	/* per peer: 0 nothing to do, 1 finishing a half-sent frame, 2
	 * sending the abort frame */
	unsigned char st[LINK_MAX_PARTIES];
	char text[LINK_REASON];
	struct link_xfer *x;
	int64_t deadline = link_now_ms() + LINK_ABORT_MS, left;
	int j, k, np;

	if (l == NULL || l->peer == NULL || l->x == NULL)
		return;
	reason_text(text, l->why[0] != '\0' ? l->why : reason, l->party);
	l->closing = 1;
	for (j = 0; j < l->n; j++) {
		x = &l->x[j];
		st[j] = 0;
		x->aborting = x->receiving = 0;
		if (j == l->party || l->peer[j].fd == -1 ||
		    (l->version == 2 && !l->peer[j].secure)) {
			x->sending = 0;
			continue;
		}
		if (x->sending && x->soff > 0) {
			/* the stream is mid-frame: finish that frame first,
			 * if a failed round left us its bytes */
			if (x->slen > 0 && x->sbuf == NULL)
				x->sending = 0;
			else
				st[j] = 1;
			continue;
		}
		queue_abort(l, j, text);
		st[j] = 2;
	}
	for (;;) {
		for (j = np = 0; j < l->n; j++) {
			if (st[j] == 0)
				continue;
			l->pfd[np].fd = l->peer[j].fd;
			l->pfd[np].events = POLLOUT;
			l->pfd[np].revents = 0;
			l->pidx[np++] = j;
		}
		if (np == 0 || (left = deadline - link_now_ms()) <= 0)
			break;
		if (poll(l->pfd, (nfds_t)np, (int)left) < 0 && errno != EINTR)
			break;
		for (k = 0; k < np; k++) {
			j = l->pidx[k];
			if (l->pfd[k].revents == 0)
				continue;
			if ((l->pfd[k].revents & POLLNVAL) ||
			    link_send_step(l, j, NULL) < 0) {
				st[j] = 0;
				continue;
			}
			if (l->x[j].sending)
				continue;
			if (st[j] == 1) {
				queue_abort(l, j, text);
				st[j] = 2;
			} else
				st[j] = 0;
		}
	}
	drain(l, deadline + 50);
}
