/*
 * link.c - the party mesh's data path: frames (docs/wire.md, "Frames"),
 * rounds that overlap sending and receiving over every peer with poll(),
 * timeouts and statistics.
 *
 * Meshes are set up in link_tcp.c (TCP) and link_mesh.c (socketpairs);
 * both end up as one connected stream socket per peer and share
 * everything here.  Sending and reading abort frames is in link_abort.c,
 * the WAN emulation's arithmetic in link_shape.c; rounds here call them.
 * Not for: what the messages mean (mpc/), or retrying anything: a round
 * that fails leaves the link broken.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "link_int.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* SO_NOSIGPIPE is set instead */
#endif

const char *
link_phase_suffix(const struct spu_link *l, char *buf, size_t size)
{
	if (l->phase[0] == '\0')
		return "";
	snprintf(buf, size, " (phase: %s)", l->phase);
	return buf;
}

void
link_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

uint32_t
link_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* 96-bit nonce of frame `count` in one direction: the counter in
 * little-endian, then four zero bytes. */
void
link_nonce(unsigned char *nonce, uint64_t count)
{
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(count >> (8 * i));
	memset(nonce + 8, 0, 4);
}

/* Fail the round: remember that the link is now unusable. */
static int
broken(struct spu_link *l, struct spu_diag *d, int err, const char *what,
    int peer, int e)
{
	char ph[LINK_PHASE_MAX + 16];

	l->broken = err;
	if (e == 0 || e == EPIPE)
		return spu_fail(d, err, "party %d: party %d closed the "
		    "connection%s%s", l->party, peer, what,
		    link_phase_suffix(l, ph, sizeof(ph)));
	return spu_fail(d, err, "party %d: connection to party %d failed%s: "
	    "%s%s", l->party, peer, what, strerror(e),
	    link_phase_suffix(l, ph, sizeof(ph)));
}

/* Point iov at what is left of a frame after off bytes: header, payload,
 * tag.  Returns the number of entries (at most 3). */
static int
frame_iov(struct iovec *iov, unsigned char *hdr, unsigned char *pay,
    size_t plen, unsigned char *tag, size_t tlen, size_t off)
{
	unsigned char *base[3] = { hdr, pay, tag };
	size_t len[3] = { LINK_HDR, plen, tlen };
	int i, k = 0;

	for (i = 0; i < 3; i++) {
		if (off >= len[i]) {
			off -= len[i];
			continue;
		}
		iov[k].iov_base = base[i] + off;
		iov[k++].iov_len = len[i] - off;
		off = 0;
	}
	return k;
}

/* Move as much of the frame to peer j as the socket (and, under WAN
 * emulation, the peer's token bucket) takes now. */
int
link_send_step(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct iovec iov[3];
	struct msghdr mh;
	size_t total = LINK_HDR + x->slen + x->tlen, cap;
	int64_t wake;
	ssize_t r;
	int k, rc;

	cap = link_shape_allow(l, j, total - x->soff,
	    l->rate > 0 ? link_now_us() : 0, &wake);
	if (cap == 0)
		return 0;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = frame_iov(iov, x->shdr, (unsigned char *)x->sbuf,
	    x->slen, x->stag, x->tlen, x->soff);
	for (k = 0; k < (int)mh.msg_iovlen; k++) {
		if (iov[k].iov_len >= cap) {
			iov[k].iov_len = cap;
			mh.msg_iovlen = k + 1;
			break;
		}
		cap -= iov[k].iov_len;
	}
	r = sendmsg(l->peer[j].fd, &mh, MSG_NOSIGNAL);
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		k = errno;
		/* The peer may have said why it left before it did. */
		if (!l->closing && (rc = link_salvage_abort(l, j, d)) != 0)
			return rc;
		return broken(l, d, SPU_ENET, " while sending", j, k);
	}
	link_shape_spend(l, j, (size_t)r);
	x->soff += (size_t)r;
	l->stats.bytes_sent += (uint64_t)r;
	if (x->soff == total) {
		x->sending = 0;
		l->peer[j].nsent++;
		l->stats.msgs_sent++;
	}
	return r > 0;
}

/* Check a frame header from peer j against what the round expects. */
static int
check_header(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	uint32_t len = link_get_u32(x->rhdr), seq = link_get_u32(x->rhdr + 4);
	uint32_t want = (uint32_t)l->peer[j].nrecv;
	char ph[LINK_PHASE_MAX + 16];

	if (seq != want) {
		l->broken = SPU_EPROTO;
		return spu_fail(d, SPU_EPROTO, "party %d: party %d sent frame "
		    "%lu, expected frame %lu (lost or reordered message)%s",
		    l->party, j, (unsigned long)seq, (unsigned long)want,
		    link_phase_suffix(l, ph, sizeof(ph)));
	}
	if (len != x->rlen) {
		l->broken = SPU_EPROTO;
		return spu_fail(d, SPU_EPROTO, "party %d: party %d sent a "
		    "message of %lu bytes, expected %zu bytes%s", l->party, j,
		    (unsigned long)len, x->rlen,
		    link_phase_suffix(l, ph, sizeof(ph)));
	}
	return 0;
}

/* Open a complete version 2 frame from peer j in place. */
static int
open_frame(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	unsigned char nonce[12];
	char ph[LINK_PHASE_MAX + 16];

	link_nonce(nonce, l->peer[j].nrecv);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(x->rbuf, NULL,
	    x->rbuf, x->rlen, x->rtag, x->rhdr, LINK_HDR, nonce,
	    l->peer[j].krx) == 0)
		return 0;
	sodium_memzero(x->rbuf, x->rlen);
	l->broken = SPU_EPROTO;
	l->bad_peer = j;
	return spu_fail(d, SPU_EPROTO, "party %d: message %llu from party %d "
	    "failed authentication (forged, damaged, or wrong keys)%s",
	    l->party, (unsigned long long)l->peer[j].nrecv, j,
	    link_phase_suffix(l, ph, sizeof(ph)));
}

/* The header read from peer j says abort: move what was read of the
 * frame so far (into the caller's buffer and the tag) to the abort
 * buffers and read the rest there. */
static int
to_abort(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	size_t got = x->roff - LINK_HDR, want = LINK_REASON + x->tlen, k;

	if (got > want)		/* only if the peer sent on after it */
		got = want;
	k = got < x->rlen ? got : x->rlen;
	memcpy(x->ahdr, x->rhdr, LINK_HDR);
	memcpy(x->abody, x->rbuf, k);
	memcpy(x->abody + k, x->rtag, got - k);
	x->receiving = 0;
	x->aborting = 1;
	x->aoff = LINK_HDR + got;
	if (got == want)
		return link_abort_done(l, j, d);
	return 1;
}

/* A frame from peer j has been read whole: done, or (WAN emulation)
 * held until its delivery time. */
static void
frame_read(struct spu_link *l, int j)
{
	struct link_xfer *x = &l->x[j];
	int64_t now, rel;

	if (l->lat_us > 0) {
		now = link_now_us();
		rel = link_shape_release(l, j, LINK_HDR + x->rlen + x->tlen,
		    now);
		l->peer[j].seen = 0;
		if (rel > now) {
			x->release = rel;
			return;
		}
	}
	l->peer[j].seen = 0;
	x->receiving = 0;
}

/* Take what peer j has sent of its frame.  Returns 1 on progress, 0 if
 * nothing was there, or an error. */
static int
recv_step(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct iovec iov[3];
	struct msghdr mh;
	size_t had = x->roff;
	ssize_t r;
	int rc;

	/* Reading the payload in the same call as the header is safe: a
	 * frame of the expected length ends exactly at the end of the
	 * buffers, a frame of another length fails the round anyway, and
	 * nothing follows an abort frame. */
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = frame_iov(iov, x->rhdr, x->rbuf, x->rlen, x->rtag,
	    x->tlen, x->roff);
	r = recvmsg(l->peer[j].fd, &mh, 0);
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return broken(l, d, SPU_ENET, " while receiving", j, errno);
	}
	if (r == 0)
		return broken(l, d, SPU_ENET, had == 0 ? "" :
		    " in the middle of a message", j, 0);
	if (had == 0 && l->lat_us > 0 && l->peer[j].seen == 0)
		l->peer[j].seen = link_now_us();
	x->roff += (size_t)r;
	l->stats.bytes_recv += (uint64_t)r;
	if (had < LINK_HDR && x->roff >= LINK_HDR) {
		if (link_get_u32(x->rhdr) == LINK_ABORT)
			return to_abort(l, j, d);
		if ((rc = check_header(l, j, d)) != 0)
			return rc;
	}
	if (x->roff == LINK_HDR + x->rlen + x->tlen) {
		if (l->peer[j].secure && (rc = open_frame(l, j, d)) != 0)
			return rc;
		l->peer[j].nrecv++;
		frame_read(l, j);
	}
	return 1;
}

/* Read more of an abort frame from peer j. */
static int
abort_step(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct iovec iov[3];
	struct msghdr mh;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = frame_iov(iov, x->ahdr, x->abody, LINK_REASON,
	    x->abody + LINK_REASON, x->tlen, x->aoff);
	r = recvmsg(l->peer[j].fd, &mh, 0);
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return broken(l, d, SPU_ENET, " while receiving", j, errno);
	}
	if (r == 0)
		return broken(l, d, SPU_ENET, " in the middle of a message", j,
		    0);
	x->aoff += (size_t)r;
	l->stats.bytes_recv += (uint64_t)r;
	if (x->aoff == LINK_HDR + LINK_REASON + x->tlen)
		return link_abort_done(l, j, d);
	return 1;
}

/*
 * Peer j has something for us while we expect nothing (more) from it
 * this round.  Peek at the header: an abort frame is taken in, anything
 * else (the next round's frame from a fast peer, or the end of the
 * stream of a peer that finished) is left for later, and j is not
 * watched again this round.
 */
static int
watch_step(struct spu_link *l, int j)
{
	struct link_xfer *x = &l->x[j];
	unsigned char h[LINK_HDR];
	ssize_t r;

	r = recv(l->peer[j].fd, h, LINK_HDR, MSG_PEEK);
	if (r < 0 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return 0;
	x->watch = 0;
	if (r <= 0)
		return 0;
	if (l->lat_us > 0 && l->peer[j].seen == 0)
		l->peer[j].seen = link_now_us();
	if (r < LINK_HDR || link_get_u32(h) != LINK_ABORT)
		return 0;
	if (recv(l->peer[j].fd, x->ahdr, LINK_HDR, 0) != LINK_HDR)
		return 0;
	l->stats.bytes_recv += LINK_HDR;
	x->tlen = l->peer[j].secure ? LINK_TAG : 0;
	x->aborting = 1;
	x->aoff = LINK_HDR;
	return 1;
}

static int
timed_out(struct spu_link *l, struct spu_diag *d)
{
	char who[128], secs[32], ph[LINK_PHASE_MAX + 16];
	size_t len = 0;
	int j, k = 0;

#define WAITING(x) ((x)->sending || (x)->aborting || \
	((x)->receiving && (x)->release == 0))
	for (j = 0; j < l->n; j++)
		if (WAITING(&l->x[j]))
			k++;
	snprintf(who, sizeof(who), "%s", k > 1 ? "parties" : "party");
	for (j = 0; j < l->n && (len = strlen(who)) < sizeof(who) - 8; j++)
		if (WAITING(&l->x[j]))
			snprintf(who + len, sizeof(who) - len, "%s %d",
			    len > 7 ? "," : "", j);
#undef WAITING
	link_fmt_secs(secs, sizeof(secs), l->timeout_ms);
	l->broken = SPU_ETIMEOUT;
	return spu_fail(d, SPU_ETIMEOUT, "party %d: timeout after %s waiting "
	    "for %s%s", l->party, secs, who, link_phase_suffix(l, ph,
	    sizeof(ph)));
}

/*
 * What to poll peer j's socket for in this turn of the round, and when
 * a frame held back or a send paced by the WAN emulation can move on
 * (*wake, microseconds).  *net is set if we wait on the network.
 */
static short
poll_events(struct spu_link *l, int j, int64_t now, int64_t *wake, int *net)
{
	struct link_xfer *x = &l->x[j];
	short ev = 0;
	int64_t t;

	if (x->aborting || (x->receiving && x->release == 0)) {
		ev |= POLLIN;
		*net = 1;
	} else if (x->watch)
		ev |= POLLIN;
	if (x->receiving && x->release != 0 && x->release < *wake)
		*wake = x->release;
	if (x->sending) {
		if (link_shape_allow(l, j, LINK_HDR + x->slen + x->tlen -
		    x->soff, now, &t) > 0) {
			ev |= POLLOUT;
			*net = 1;
		} else if (t < *wake)
			*wake = t;
	}
	return ev;
}

/*
 * Run the round set up in l->x until every transfer is done.
 *
 * Waiting on a peer, the round first polls without blocking, yielding
 * the core between polls, for up to LINK_SPIN_US: a process woken from
 * a blocking poll runs tens of microseconds to a millisecond later (more
 * with more parties than cores, or on a virtual machine whose idle core
 * was given back), longer than most rounds' small messages take to
 * arrive.  Yielding keeps the wait from taking a core a peer needs.
 * Not under the WAN emulation, whose delays are timers anyway.
 */
static int
run_round(struct spu_link *l, struct spu_diag *d)
{
	struct link_xfer *x;
	int64_t last = link_now_ms(), left, now = 0, wake;
	int64_t spin_end = l->lat_us > 0 || l->rate > 0 ? 0 :
	    link_now_us() + LINK_SPIN_US;
	int j, k, np, rc, net, busy, ms, progress, sent = 0;
	short ev, re;

	for (j = 0; j < l->n; j++) {
		sent |= l->x[j].sending;
		l->x[j].watch = j != l->party && l->peer[j].fd != -1;
	}
	for (;;) {
		if (l->lat_us > 0 || l->rate > 0)
			now = link_now_us();
		np = net = busy = 0;
		wake = INT64_MAX;
		for (j = 0; j < l->n; j++) {
			x = &l->x[j];
			if (x->receiving && x->release != 0 &&
			    x->release <= now) {
				x->receiving = 0;	/* delivered */
				x->release = 0;
				last = link_now_ms();
			}
			busy |= x->sending || x->receiving || x->aborting;
			if ((ev = poll_events(l, j, now, &wake, &net)) == 0)
				continue;
			l->pfd[np].fd = l->peer[j].fd;
			l->pfd[np].events = ev;
			l->pfd[np].revents = 0;
			l->pidx[np++] = j;
		}
		if (!busy)
			break;
		ms = -1;
		if (net) {
			/* emulated latency is not the peer's silence */
			left = last + l->timeout_ms + 2 * (l->lat_us / 1000) -
			    link_now_ms();
			if (left <= 0)
				return timed_out(l, d);
			ms = left > INT32_MAX ? INT32_MAX : (int)left;
		} else
			last = link_now_ms();
		if (wake != INT64_MAX) {
			left = wake <= now ? 0 : (wake - now + 999) / 1000;
			if (ms < 0 || left < ms)
				ms = (int)left;
		}
		rc = poll(np ? l->pfd : NULL, (nfds_t)np,
		    spin_end != 0 ? 0 : ms);
		if (rc == 0 && ms != 0 && spin_end != 0) {
			if (link_now_us() < spin_end) {
				(void)sched_yield();
				continue;
			}
			spin_end = 0;
			rc = poll(np ? l->pfd : NULL, (nfds_t)np, ms);
		}
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			l->broken = SPU_ENET;
			return spu_fail(d, SPU_ENET, "party %d: poll: %s",
			    l->party, strerror(errno));
		}
		if (rc == 0)
			continue;	/* the checks above decide */
		progress = 0;
		for (k = 0; k < np; k++) {
			re = l->pfd[k].revents;
			j = l->pidx[k];
			x = &l->x[j];
			if (re & POLLNVAL) {
				l->broken = SPU_EINVAL;
				return spu_fail(d, SPU_EINVAL, "party %d: socket "
				    "of party %d is not open", l->party, j);
			}
			/* POLLHUP/POLLERR: the next call reports the cause. */
			if (re & (POLLIN | POLLHUP | POLLERR)) {
				if (x->aborting)
					rc = abort_step(l, j, d);
				else if (x->receiving && x->release == 0)
					rc = recv_step(l, j, d);
				else if (x->watch)
					rc = watch_step(l, j);
				else
					rc = 0;
				if (rc < 0)
					return rc;
				progress |= rc;
			}
			if (x->sending && (re & (POLLOUT | POLLHUP | POLLERR))) {
				if ((rc = link_send_step(l, j, d)) < 0)
					return rc;
				progress |= rc;
			}
		}
		if (progress)
			last = link_now_ms();
	}
	if (sent)
		l->stats.rounds++;
	return 0;
}

/* After a failed round: a frame left half sent to a peer must be
 * finished before an abort frame can follow it, but on plain links its
 * payload is the caller's buffer, gone once we return.  Keep a copy (on
 * version 2 links the ciphertext is the link's own already). */
static void
keep_partial(struct spu_link *l)
{
	struct link_xfer *x;
	struct link_peer *p;
	unsigned char *nb;
	int j;

	for (j = 0; j < l->n; j++) {
		x = &l->x[j];
		p = &l->peer[j];
		if (!x->sending || x->soff == 0 || x->slen == 0 ||
		    x->sbuf == p->cbuf)
			continue;
		if (p->cbuf == NULL || p->ccap < x->slen) {
			if ((nb = realloc(p->cbuf, x->slen)) == NULL) {
				x->sbuf = NULL;	/* cannot be finished */
				continue;
			}
			p->cbuf = nb;
			p->ccap = x->slen;
		}
		memcpy(p->cbuf, x->sbuf, x->slen);
		x->sbuf = p->cbuf;
	}
}

int
link_run_round(struct spu_link *l, struct spu_diag *d)
{
	struct spu_diag mine;
	int rc;

	mine.msg[0] = '\0';
	if ((rc = run_round(l, &mine)) == 0)
		return 0;
	keep_partial(l);
	snprintf(l->why, sizeof(l->why), "%s", mine.msg);
	return spu_fail(d, rc, "%s", mine.msg);
}

/* Check the link before a round and clear the scratch. */
int
link_begin_round(struct spu_link *l, struct spu_diag *d)
{
	int j;

	if (l == NULL)
		return spu_fail(d, SPU_EINVAL, "no link");
	if (l->broken)
		return spu_fail(d, SPU_ENET, "party %d: the link failed in an "
		    "earlier round (%s)", l->party, spu_strerror(l->broken));
	memset(l->x, 0, (size_t)l->n * sizeof(*l->x));
	for (j = 0; j < l->n; j++)
		l->x[j].tlen = l->peer[j].secure ? LINK_TAG : 0;
	return 0;
}

/* Seal the frame to peer j (version 2) into the peer's ciphertext
 * buffer. */
static int
seal_frame(struct spu_link *l, int j, const void *buf, size_t len,
    struct spu_diag *d)
{
	struct link_peer *p = &l->peer[j];
	struct link_xfer *x = &l->x[j];
	unsigned char nonce[12], *nb;

	if (p->ccap < len || p->cbuf == NULL) {
		if ((nb = realloc(p->cbuf, len ? len : 1)) == NULL)
			return spu_fail(d, SPU_ENOMEM, "party %d: no memory to "
			    "encrypt %zu bytes for party %d", l->party, len, j);
		p->cbuf = nb;
		p->ccap = len;
	}
	link_nonce(nonce, p->nsent);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(p->cbuf, x->stag,
	    NULL, len ? buf : p->cbuf, len, x->shdr, LINK_HDR, NULL, nonce,
	    p->ktx);
	x->sbuf = p->cbuf;
	return 0;
}

int
link_add_send(struct spu_link *l, int j, const void *buf, size_t len,
    struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];

	if (len >= LINK_ABORT)
		return spu_fail(d, SPU_ELIMIT, "party %d: message of %zu bytes "
		    "to party %d exceeds the frame limit of %lu bytes",
		    l->party, len, j, (unsigned long)LINK_ABORT - 1);
	if (buf == NULL && len > 0)
		return spu_fail(d, SPU_EINVAL, "party %d: no buffer for the "
		    "message to party %d", l->party, j);
	x->sbuf = buf;
	x->slen = len;
	link_put_u32(x->shdr, (uint32_t)len);
	link_put_u32(x->shdr + 4, (uint32_t)l->peer[j].nsent);
	if (l->peer[j].secure && seal_frame(l, j, buf, len, d) != 0)
		return SPU_ENOMEM;
	x->sending = 1;
	return 0;
}

int
link_add_recv(struct spu_link *l, int j, void *buf, size_t len,
    struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];

	if (len >= LINK_ABORT)
		return spu_fail(d, SPU_ELIMIT, "party %d: message of %zu bytes "
		    "from party %d exceeds the frame limit of %lu bytes",
		    l->party, len, j, (unsigned long)LINK_ABORT - 1);
	if (buf == NULL && len > 0)
		return spu_fail(d, SPU_EINVAL, "party %d: no buffer for the "
		    "message from party %d", l->party, j);
	x->rbuf = len ? buf : x->rtag;	/* never NULL */
	x->rlen = len;
	x->receiving = 1;
	return 0;
}

int
spu_link_exchange(struct spu_link *l, const void *const *sbuf,
    const size_t *slen, void *const *rbuf, const size_t *rlen,
    struct spu_diag *d)
{
	int j, rc;

	if ((rc = link_begin_round(l, d)) != 0)
		return rc;
	for (j = 0; j < l->n; j++) {
		if (j == l->party)
			continue;
		if (slen != NULL && slen[j] > 0 && (rc = link_add_send(l, j,
		    sbuf != NULL ? sbuf[j] : NULL, slen[j], d)) != 0)
			return rc;
		if (rlen != NULL && rlen[j] > 0 && (rc = link_add_recv(l, j,
		    rbuf != NULL ? rbuf[j] : NULL, rlen[j], d)) != 0)
			return rc;
	}
	return link_run_round(l, d);
}

static int
check_peer(struct spu_link *l, int peer, struct spu_diag *d)
{
	if (peer < 0 || peer >= l->n || peer == l->party)
		return spu_fail(d, SPU_EINVAL, "party %d: no peer %d in a mesh "
		    "of %d parties", l->party, peer, l->n);
	return 0;
}

int
spu_link_send(struct spu_link *l, int peer, const void *buf, size_t len,
    struct spu_diag *d)
{
	int rc;

	if ((rc = link_begin_round(l, d)) != 0 ||
	    (rc = check_peer(l, peer, d)) != 0)
		return rc;
	if (len > 0 && (rc = link_add_send(l, peer, buf, len, d)) != 0)
		return rc;
	return link_run_round(l, d);
}

int
spu_link_recv(struct spu_link *l, int peer, void *buf, size_t len,
    struct spu_diag *d)
{
	int rc;

	if ((rc = link_begin_round(l, d)) != 0 ||
	    (rc = check_peer(l, peer, d)) != 0)
		return rc;
	if (len > 0 && (rc = link_add_recv(l, peer, buf, len, d)) != 0)
		return rc;
	return link_run_round(l, d);
}
