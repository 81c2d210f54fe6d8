/*
 * link.c - the party mesh's data path: frames (docs/wire.md, "Frames"),
 * rounds that overlap sending and receiving over every peer with poll(),
 * timeouts, statistics, and in-process meshes over socketpairs.
 *
 * Setting up TCP meshes and parsing peer lists is in link_tcp.c; both
 * kinds of mesh end up as one connected stream socket per peer and share
 * everything here.  Not for: what the messages mean (mpc/), or retrying
 * anything: a round that fails leaves the link broken.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "link_int.h"
#include "mem.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0		/* SO_NOSIGPIPE is set instead */
#endif

int64_t
link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
link_fmt_secs(char *buf, size_t size, int ms)
{
	snprintf(buf, size, "%g s", ms / 1000.0);
}

int
link_tune_fd(int fd, int tcp)
{
	int fl, one = 1, sz = LINK_SOCKBUF;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -errno;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -errno;
	/* Larger buffers mean fewer poll wakeups for big rounds; the kernel
	 * caps them (net.core.wmem_max), which is fine: best effort. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
#ifdef SO_NOSIGPIPE
	(void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
	if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1)
		return -errno;
	return 0;
}

struct spu_link *
link_alloc(int party, int n, int timeout_ms)
{
	struct spu_link *l;
	int i;

	if (n < 1 || n > LINK_MAX_PARTIES || party < 0 || party >= n)
		return NULL;
	if ((l = spu_calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->party = party;
	l->n = n;
	l->timeout_ms = timeout_ms;
	l->version = 1;
	l->bad_peer = -1;
	l->peer = spu_calloc(n, sizeof(*l->peer));
	l->x = spu_calloc(n, sizeof(*l->x));
	l->pfd = spu_calloc(n, sizeof(*l->pfd));
	l->pidx = spu_calloc(n, sizeof(*l->pidx));
	if (l->peer == NULL || l->x == NULL || l->pfd == NULL ||
	    l->pidx == NULL) {
		spu_link_free(l);
		return NULL;
	}
	for (i = 0; i < n; i++)
		l->peer[i].fd = -1;
	return l;
}

void
spu_link_free(struct spu_link *l)
{
	int i;

	if (l == NULL)
		return;
	if (l->peer != NULL)
		for (i = 0; i < l->n; i++) {
			if (l->peer[i].fd != -1)
				close(l->peer[i].fd);
			free(l->peer[i].cbuf);
		}
	if (l->peer != NULL)
		sodium_memzero(l->peer, (size_t)l->n * sizeof(*l->peer));
	free(l->peer);
	free(l->x);
	free(l->pfd);
	free(l->pidx);
	free(l);
}

int
spu_link_local(int n, int timeout_ms, struct spu_link **out,
    struct spu_diag *d)
{
	int i, j, e, sv[2];

	if (out == NULL || n < 1 || n > LINK_MAX_PARTIES)
		return spu_fail(d, SPU_EINVAL,
		    "local mesh: party count %d out of range 1..%d", n,
		    LINK_MAX_PARTIES);
	if (timeout_ms <= 0)
		return spu_fail(d, SPU_EINVAL,
		    "local mesh: timeout must be positive, not %d ms",
		    timeout_ms);
	for (i = 0; i < n; i++)
		out[i] = NULL;
	for (i = 0; i < n; i++)
		if ((out[i] = link_alloc(i, n, timeout_ms)) == NULL)
			goto nomem;
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
				e = errno;
				goto fail;
			}
			out[i]->peer[j].fd = sv[0];
			out[j]->peer[i].fd = sv[1];
			if ((e = -link_tune_fd(sv[0], 0)) != 0 ||
			    (e = -link_tune_fd(sv[1], 0)) != 0)
				goto fail;
		}
	}
	return 0;
nomem:
	for (i = 0; i < n; i++) {
		spu_link_free(out[i]);
		out[i] = NULL;
	}
	return spu_fail(d, SPU_ENOMEM, "local mesh of %d parties: %s", n,
	    strerror(ENOMEM));
fail:
	for (i = 0; i < n; i++) {
		spu_link_free(out[i]);
		out[i] = NULL;
	}
	return spu_fail(d, SPU_ENET, "local mesh of %d parties: socketpair: %s",
	    n, strerror(e));
}

int
spu_link_party(const struct spu_link *l)
{
	return l->party;
}

int
spu_link_nparties(const struct spu_link *l)
{
	return l->n;
}

void
spu_link_set_phase(struct spu_link *l, const char *phase)
{
	if (l == NULL)
		return;
	snprintf(l->phase, sizeof(l->phase), "%s", phase ? phase : "");
}

const struct spu_link_stats *
spu_link_stats(const struct spu_link *l)
{
	return &l->stats;
}

/* " (phase: mul)" or "" for messages. */
static const char *
phase_suffix(const struct spu_link *l, char *buf, size_t size)
{
	if (l->phase[0] == '\0')
		return "";
	snprintf(buf, size, " (phase: %s)", l->phase);
	return buf;
}

static void
put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t
get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
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
		    phase_suffix(l, ph, sizeof(ph)));
	return spu_fail(d, err, "party %d: connection to party %d failed%s: "
	    "%s%s", l->party, peer, what, strerror(e),
	    phase_suffix(l, ph, sizeof(ph)));
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

/* 96-bit nonce of frame `count` in one direction: the counter in
 * little-endian, then four zero bytes. */
static void
frame_nonce(unsigned char *nonce, uint64_t count)
{
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(count >> (8 * i));
	memset(nonce + 8, 0, 4);
}

/*
 * Move as much of the frame to peer j as the socket takes now.  Returns
 * 1 on progress, 0 if the socket was full, or an error.
 *
 * WAN emulation would hook in here: a shaper holding a token bucket per
 * peer would cap the iov length (bandwidth) and hold back bytes whose
 * release time has not come (latency), and link_run_round would shorten
 * its poll timeout to the next release time.  Nothing else needs to
 * change.
 */
static int
send_step(struct spu_link *l, int j, struct spu_diag *d)
{
	struct link_xfer *x = &l->x[j];
	struct iovec iov[3];
	struct msghdr mh;
	size_t total = LINK_HDR + x->slen + x->tlen;
	ssize_t r;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = frame_iov(iov, x->shdr, (unsigned char *)x->sbuf,
	    x->slen, x->stag, x->tlen, x->soff);
	r = sendmsg(l->peer[j].fd, &mh, MSG_NOSIGNAL);
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return broken(l, d, SPU_ENET, " while sending", j, errno);
	}
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
	uint32_t len = get_u32(x->rhdr), seq = get_u32(x->rhdr + 4);
	uint32_t want = (uint32_t)l->peer[j].nrecv;
	char ph[LINK_PHASE_MAX + 16];

	if (seq != want) {
		l->broken = SPU_EPROTO;
		return spu_fail(d, SPU_EPROTO, "party %d: party %d sent frame "
		    "%lu, expected frame %lu (lost or reordered message)%s",
		    l->party, j, (unsigned long)seq, (unsigned long)want,
		    phase_suffix(l, ph, sizeof(ph)));
	}
	if (len != x->rlen) {
		l->broken = SPU_EPROTO;
		return spu_fail(d, SPU_EPROTO, "party %d: party %d sent a "
		    "message of %lu bytes, expected %zu bytes%s", l->party, j,
		    (unsigned long)len, x->rlen,
		    phase_suffix(l, ph, sizeof(ph)));
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

	frame_nonce(nonce, l->peer[j].nrecv);
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
	    phase_suffix(l, ph, sizeof(ph)));
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
	 * buffers, and a frame of another length fails the round anyway. */
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
	x->roff += (size_t)r;
	l->stats.bytes_recv += (uint64_t)r;
	if (had < LINK_HDR && x->roff >= LINK_HDR &&
	    (rc = check_header(l, j, d)) != 0)
		return rc;
	if (x->roff == LINK_HDR + x->rlen + x->tlen) {
		if (l->peer[j].secure && (rc = open_frame(l, j, d)) != 0)
			return rc;
		x->receiving = 0;
		l->peer[j].nrecv++;
	}
	return 1;
}

static int
timed_out(struct spu_link *l, struct spu_diag *d)
{
	char who[128], secs[32], ph[LINK_PHASE_MAX + 16];
	size_t len = 0;
	int j, k = 0;

	for (j = 0; j < l->n; j++)
		if (l->x[j].sending || l->x[j].receiving)
			k++;
	snprintf(who, sizeof(who), "%s", k > 1 ? "parties" : "party");
	for (j = 0; j < l->n && (len = strlen(who)) < sizeof(who) - 8; j++)
		if (l->x[j].sending || l->x[j].receiving)
			snprintf(who + len, sizeof(who) - len, "%s %d",
			    len > 7 ? "," : "", j);
	link_fmt_secs(secs, sizeof(secs), l->timeout_ms);
	l->broken = SPU_ETIMEOUT;
	return spu_fail(d, SPU_ETIMEOUT, "party %d: timeout after %s waiting "
	    "for %s%s", l->party, secs, who, phase_suffix(l, ph, sizeof(ph)));
}

/* Run the round set up in l->x until every transfer is done. */
int
link_run_round(struct spu_link *l, struct spu_diag *d)
{
	int64_t last = link_now_ms(), left;
	int j, k, np, rc, progress, sent = 0;

	for (j = 0; j < l->n; j++)
		sent |= l->x[j].sending;
	for (;;) {
		np = 0;
		for (j = 0; j < l->n; j++) {
			if (!l->x[j].sending && !l->x[j].receiving)
				continue;
			l->pfd[np].fd = l->peer[j].fd;
			l->pfd[np].events = (l->x[j].sending ? POLLOUT : 0) |
			    (l->x[j].receiving ? POLLIN : 0);
			l->pfd[np].revents = 0;
			l->pidx[np++] = j;
		}
		if (np == 0)
			break;
		left = last + l->timeout_ms - link_now_ms();
		if (left <= 0)
			return timed_out(l, d);
		rc = poll(l->pfd, (nfds_t)np, (int)left);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			l->broken = SPU_ENET;
			return spu_fail(d, SPU_ENET, "party %d: poll: %s",
			    l->party, strerror(errno));
		}
		if (rc == 0)
			continue;	/* the deadline check above decides */
		progress = 0;
		for (k = 0; k < np; k++) {
			short re = l->pfd[k].revents;

			j = l->pidx[k];
			if (re & POLLNVAL) {
				l->broken = SPU_EINVAL;
				return spu_fail(d, SPU_EINVAL, "party %d: socket "
				    "of party %d is not open", l->party, j);
			}
			/* POLLHUP/POLLERR: the next call reports the cause. */
			if (l->x[j].receiving &&
			    (re & (POLLIN | POLLHUP | POLLERR))) {
				if ((rc = recv_step(l, j, d)) < 0)
					return rc;
				progress |= rc;
			}
			if (l->x[j].sending &&
			    (re & (POLLOUT | POLLHUP | POLLERR))) {
				if ((rc = send_step(l, j, d)) < 0)
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
	frame_nonce(nonce, p->nsent);
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

	if (len > UINT32_MAX)
		return spu_fail(d, SPU_ELIMIT, "party %d: message of %zu bytes "
		    "to party %d exceeds the frame limit of %lu bytes",
		    l->party, len, j, (unsigned long)UINT32_MAX);
	if (buf == NULL && len > 0)
		return spu_fail(d, SPU_EINVAL, "party %d: no buffer for the "
		    "message to party %d", l->party, j);
	x->sbuf = buf;
	x->slen = len;
	put_u32(x->shdr, (uint32_t)len);
	put_u32(x->shdr + 4, (uint32_t)l->peer[j].nsent);
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

	if (len > UINT32_MAX)
		return spu_fail(d, SPU_ELIMIT, "party %d: message of %zu bytes "
		    "from party %d exceeds the frame limit of %lu bytes",
		    l->party, len, j, (unsigned long)UINT32_MAX);
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
