/*
 * link_tcp.c - setting up a TCP party mesh (docs/wire.md, "Connection
 * setup"): listen, connect to lower-numbered parties with retries, accept
 * higher-numbered ones, and check each connection with a hello.
 *
 * Once set up, a TCP mesh is driven by link.c like any other.  Not for:
 * framing or rounds (link.c), peer lists (link_peers.c).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "link_int.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define HELLO_LEN	LINK_HELLO	/* a salt follows in version 2 */
#define RETRY_MS	75	/* pause between connection attempts */
#define MAX_PENDING	16	/* accepted connections not yet identified */
#define WATCH_MS	100	/* waits look at set-up peers this often */
#define GRACE_MS	2000	/* setup goes on this long after a loss */

/* Hello status, sent back by the accepting party. */
enum {
	HELLO_OK = 0,
	HELLO_BAD_VERSION = 1,
	HELLO_BAD_COUNT = 2,
	HELLO_BAD_INDEX = 3,
	HELLO_DUPLICATE = 4,
};

struct hello {
	unsigned version;
	unsigned status;
	uint32_t party;
	uint32_t n;
};

/*
 * Setup helpers
 */

/* "host:port", with brackets around IPv6 literals. */
static void
fmt_addr(char *buf, size_t size, const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		snprintf(buf, size, "[%s]:%d", host, port);
	else
		snprintf(buf, size, "%s:%d", host, port);
}

static void
fmt_sockaddr(char *buf, size_t size, const struct sockaddr *sa,
    socklen_t salen)
{
	char h[200], s[NI_MAXSERV];

	if (getnameinfo(sa, salen, h, sizeof(h), s, sizeof(s),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, size, "an unknown address");
	else
		fmt_addr(buf, size, h, atoi(s));
}

static void
hello_put(unsigned char *b, const struct hello *h)
{
	memcpy(b, "SPUL", 4);
	b[4] = h->version & 0xff;
	b[5] = (h->version >> 8) & 0xff;
	b[6] = h->status & 0xff;
	b[7] = (h->status >> 8) & 0xff;
	b[8] = h->party & 0xff;
	b[9] = (h->party >> 8) & 0xff;
	b[10] = (h->party >> 16) & 0xff;
	b[11] = (h->party >> 24) & 0xff;
	b[12] = h->n & 0xff;
	b[13] = (h->n >> 8) & 0xff;
	b[14] = (h->n >> 16) & 0xff;
	b[15] = (h->n >> 24) & 0xff;
}

/* Returns 0, or -1 if the bytes are not a hello at all. */
static int
hello_get(const unsigned char *b, struct hello *h)
{
	if (memcmp(b, "SPUL", 4) != 0)
		return -1;
	h->version = b[4] | (unsigned)b[5] << 8;
	h->status = b[6] | (unsigned)b[7] << 8;
	h->party = b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
	    (uint32_t)b[11] << 24;
	h->n = b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
	    (uint32_t)b[15] << 24;
	return 0;
}

/* Sleep ms milliseconds, or until the deadline. */
static void
pause_ms(int ms, int64_t deadline)
{
	int64_t left = deadline - link_now_ms();

	if (left < ms)
		ms = left > 0 ? (int)left : 0;
	if (ms > 0)
		(void)poll(NULL, 0, ms);
}

/*
 * Has a peer we are already connected to gone away, or given up, while
 * we wait for others?  Then it, not a party we wait for (which may be
 * stuck on it too), is the one to name: the first such cause is kept in
 * l->why, the peer is marked gone, and setup goes on with the others, so
 * that every live peer gets connected and can be told (link_tcp_setup
 * sends them abort frames).  A connection that shows a data frame (a
 * peer done with setup, sending its first round) is not looked at
 * again.  x[j].watch marks the connections still watched.
 */
static void
setup_lost(struct spu_link *l)
{
	struct spu_diag mine;
	unsigned char h[LINK_HDR];
	ssize_t r;
	int j, k, np = 0;

	for (j = 0; j < l->n; j++) {
		if (l->peer[j].fd == -1 || !l->x[j].watch)
			continue;
		l->pfd[np].fd = l->peer[j].fd;
		l->pfd[np].events = POLLIN;
		l->pfd[np].revents = 0;
		l->pidx[np++] = j;
	}
	if (np == 0 || poll(l->pfd, (nfds_t)np, 0) <= 0)
		return;
	for (k = 0; k < np; k++) {
		if (l->pfd[k].revents == 0)
			continue;
		j = l->pidx[k];
		mine.msg[0] = '\0';
		r = recv(l->peer[j].fd, h, LINK_HDR, MSG_PEEK);
		if (r < 0 && (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK))
			continue;
		l->x[j].watch = 0;
		if (r == LINK_HDR && link_get_u32(h) == LINK_ABORT)
			(void)link_read_abort(l, j, &mine);
		else if (r > 0)
			continue;
		else
			spu_fail(&mine, SPU_ENET, "party %d: party %d closed "
			    "the connection during setup", l->party, j);
		if (mine.msg[0] == '\0')
			continue;	/* an abort frame cut short */
		if (l->why[0] == '\0') {
			snprintf(l->why, sizeof(l->why), "%s", mine.msg);
			l->grace = link_now_ms() + GRACE_MS;
		}
		close(l->peer[j].fd);
		l->peer[j].fd = -1;
		l->peer[j].gone = 1;
	}
}

/* The setup deadline, brought forward to GRACE_MS after a peer was
 * lost: long enough for the live peers to connect and be told, short
 * enough not to sit out a 60 s timeout for a run that cannot start. */
static int64_t
until(const struct spu_link *l, int64_t deadline)
{
	return l->grace != 0 && l->grace < deadline ? l->grace : deadline;
}

/* Like pause_ms, looking at set-up peers every WATCH_MS. */
static void
pause_watch(struct spu_link *l, int ms, int64_t deadline)
{
	int64_t end = link_now_ms() + ms, left;

	while ((left = (end < until(l, deadline) ? end : until(l, deadline)) -
	    link_now_ms()) > 0) {
		setup_lost(l);
		pause_ms(left < WATCH_MS ? (int)left : WATCH_MS, end);
	}
	setup_lost(l);
}

/* Move exactly len bytes over non-blocking fd before the deadline.
 * Returns 0, -1 with *err = errno (0 for end of stream), or -2 on
 * timeout.  With l given, set-up peers are watched meanwhile. */
static int
io_full(int fd, void *buf, size_t len, int out, int64_t deadline, int *err,
    struct spu_link *l)
{
	struct pollfd pfd;
	unsigned char *p = buf;
	int64_t left;
	ssize_t r;

	while (len > 0) {
		r = out ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
		if (r > 0) {
			p += r;
			len -= (size_t)r;
			continue;
		}
		if (r == 0 && !out) {
			*err = 0;
			return -1;
		}
		if (r < 0 && errno != EINTR && errno != EAGAIN &&
		    errno != EWOULDBLOCK) {
			*err = errno;
			return -1;
		}
		if ((left = (l != NULL ? until(l, deadline) : deadline) -
		    link_now_ms()) <= 0)
			return -2;
		if (l != NULL)
			setup_lost(l);
		pfd.fd = fd;
		pfd.events = out ? POLLOUT : POLLIN;
		(void)poll(&pfd, 1, left > WATCH_MS && l != NULL ? WATCH_MS :
		    (int)left);
	}
	return 0;
}

/*
 * Listening
 */

static int
bind_listen(const struct addrinfo *ai, int *fdp)
{
	int fd, one = 1, e;

	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) ==
	    -1)
		return errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((e = -link_tune_fd(fd, 1)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, 64) == -1) {
		if (e == 0)
			e = errno;
		close(fd);
		return e;
	}
	*fdp = fd;
	return 0;
}

/* Listen on me->port, on me->host if it is a local address, else on
 * every address. */
static int
listen_on(int party, const struct spu_peer_addr *me, int *fdp,
    struct spu_diag *d)
{
	struct addrinfo hints, *res, *ai;
	char port[16], where[300];
	const char *node = me->host;
	int e = 0, g;

	fmt_addr(where, sizeof(where), me->host, me->port);
	snprintf(port, sizeof(port), "%d", me->port);
	if (node[0] == '\0' || strcmp(node, "*") == 0)
		node = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((g = getaddrinfo(node, port, &hints, &res)) != 0)
		return spu_fail(d, SPU_ENET, "party %d: cannot listen on %s: %s",
		    party, where, gai_strerror(g));
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if ((e = bind_listen(ai, fdp)) == 0 || e == EADDRINUSE)
			break;
	if (e == EADDRNOTAVAIL && node != NULL) {
		/* The name others use for us is not one of our addresses
		 * (NAT, a proxy): listen everywhere instead. */
		freeaddrinfo(res);
		if ((g = getaddrinfo(NULL, port, &hints, &res)) != 0)
			return spu_fail(d, SPU_ENET, "party %d: cannot listen "
			    "on %s: %s", party, where, gai_strerror(g));
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if ((e = bind_listen(ai, fdp)) == 0 || e == EADDRINUSE)
				break;
	}
	freeaddrinfo(res);
	if (e != 0)
		return spu_fail(d, SPU_ENET, "party %d: cannot listen on %s: %s",
		    party, where, strerror(e));
	return 0;
}

/*
 * Connecting to lower-numbered parties
 */

/* One attempt on one address.  Returns a connected fd, or -1 with *err
 * set. */
static int
try_connect(const struct addrinfo *ai, int64_t deadline, int *err)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(*err);
	int fd, e;
	int64_t left;

	if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) ==
	    -1) {
		*err = errno;
		return -1;
	}
	if ((e = -link_tune_fd(fd, 1)) != 0) {
		*err = e;
		close(fd);
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		*err = errno;
		close(fd);
		return -1;
	}
	for (;;) {
		/* At the deadline, still take an answer that is there. */
		left = deadline - link_now_ms();
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, left > 0 ? (int)left : 0) > 0)
			break;
		if (left <= 0) {
			*err = ETIMEDOUT;
			close(fd);
			return -1;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &sl) == -1)
		*err = errno;
	if (*err != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Check the accepting party's answer to our hello. */
static int
check_answer(const struct spu_link *l, int j, const char *where,
    const unsigned char *b, struct spu_diag *d)
{
	struct hello h;

	if (hello_get(b, &h) != 0)
		return spu_fail(d, SPU_EPROTO, "party %d: %s (party %d) is not "
		    "an spu party: bad hello", l->party, where, j);
	if (h.version != (unsigned)l->version)
		return spu_fail(d, SPU_EVERSION, "party %d: party %d at %s "
		    "speaks wire version %u, we speak %d", l->party, j, where,
		    h.version, l->version);
	if (h.n != (uint32_t)l->n)
		return spu_fail(d, SPU_EPROTO, "party %d: %s belongs to a mesh "
		    "of %lu parties, we have %d (check the peer lists)",
		    l->party, where, (unsigned long)h.n, l->n);
	if (h.party != (uint32_t)j)
		return spu_fail(d, SPU_EPROTO, "party %d: %s answered as party "
		    "%lu, expected party %d (check the peer list order)",
		    l->party, where, (unsigned long)h.party, j);
	switch (h.status) {
	case HELLO_OK:
		return 0;
	case HELLO_DUPLICATE:
		return spu_fail(d, SPU_EPROTO, "party %d: party %d at %s "
		    "rejected us: another connection already claimed party %d",
		    l->party, j, where, l->party);
	default:
		return spu_fail(d, SPU_EPROTO, "party %d: party %d at %s "
		    "rejected our hello (status %u)", l->party, j, where,
		    h.status);
	}
}

/* The connection to peer j is up: on version 2 links, derive its keys
 * now, so that even an abort during setup goes out sealed. */
static int
connected(struct spu_link *l, int j, struct spu_diag *d)
{
	if (l->keys == NULL)
		return 0;
	return link_sec_derive(l, j, d);
}

static int
connect_peer(struct spu_link *l, int j, const struct spu_peer_addr *pa,
    int64_t deadline, struct spu_diag *d)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct hello h = { 0, HELLO_OK, 0, 0 };
	unsigned char b[HELLO_LEN + LINK_SALT];
	size_t blen = l->version == 2 ? HELLO_LEN + LINK_SALT : HELLO_LEN;
	char where[300], port[16], secs[32], cause[128];
	int fd, g, e = ECONNREFUSED, rc, tried = 0, last = ETIMEDOUT;

	fmt_addr(where, sizeof(where), pa->host, pa->port);
	snprintf(port, sizeof(port), "%d", pa->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(cause, sizeof(cause), "%s", strerror(e));
	for (;;) {
		if (res == NULL &&
		    (g = getaddrinfo(pa->host, port, &hints, &res)) != 0) {
			res = NULL;
			if (g != EAI_AGAIN)
				return spu_fail(d, SPU_ENET, "party %d: cannot "
				    "reach party %d at %s: %s", l->party, j,
				    where, gai_strerror(g));
			snprintf(cause, sizeof(cause), "%s", gai_strerror(g));
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if ((fd = try_connect(ai, deadline, &e)) == -1) {
				/* An attempt cut short by the deadline says
				 * less than an earlier refusal. */
				if (e != ETIMEDOUT || !tried)
					snprintf(cause, sizeof(cause), "%s",
					    strerror(e));
				if (e != ETIMEDOUT)
					last = e;
				tried = 1;
				continue;
			}
			tried = 1;
			h.version = (unsigned)l->version;
			h.party = (uint32_t)l->party;
			h.n = (uint32_t)l->n;
			hello_put(b, &h);
			if (blen > HELLO_LEN)
				randombytes_buf(b + HELLO_LEN, LINK_SALT);
			memcpy(l->peer[j].hello[0], b, blen);
			if ((rc = io_full(fd, b, blen, 1, deadline, &e,
			    l)) == 0)
				rc = io_full(fd, b, HELLO_LEN, 0, deadline, &e,
				    l);
			if (rc == 0) {
				if ((rc = check_answer(l, j, where, b, d)) != 0) {
					close(fd);
					freeaddrinfo(res);
					return rc;
				}
				rc = io_full(fd, b + HELLO_LEN, blen - HELLO_LEN,
				    0, deadline, &e, NULL);
			}
			if (rc == 0) {
				memcpy(l->peer[j].hello[1], b, blen);
				l->peer[j].fd = fd;
				l->x[j].watch = 1;
				freeaddrinfo(res);
				return connected(l, j, d);
			}
			close(fd);
			/* Closed or reset before answering: a party that
			 * was shutting down, or not ours; try again. */
			snprintf(cause, sizeof(cause), "%s", rc == -2 ?
			    "no answer to our hello" : e == 0 ?
			    "connection closed during the hello" :
			    strerror(e));
			last = rc == -2 ? ETIMEDOUT : ECONNRESET;
		}
		if (link_now_ms() >= until(l, deadline))
			break;
		pause_watch(l, RETRY_MS, deadline);
	}
	if (res != NULL)
		freeaddrinfo(res);
	link_fmt_secs(secs, sizeof(secs), l->timeout_ms);
	return spu_fail(d, last == ETIMEDOUT ? SPU_ETIMEOUT : SPU_ENET,
	    "party %d: cannot reach party %d at %s: %s (gave up after %s)",
	    l->party, j, where, cause, secs);
}

/*
 * Accepting higher-numbered parties
 */

struct pending {
	int fd;
	size_t off;
	size_t want;		/* HELLO_LEN, then with the salt */
	unsigned char b[HELLO_LEN + LINK_SALT];
	char from[300];
};

static void
drop_pending(struct pending *pd, int *npend, int k)
{
	close(pd[k].fd);
	pd[k] = pd[--*npend];
}

/* A whole hello arrived on pending connection pd: answer it, and keep
 * the connection if it is the party it claims to be and we wait for it.
 * Returns that party's index if kept, else 0. */
static int
judge_hello(struct spu_link *l, struct pending *pd, int64_t deadline,
    char *why, size_t whysize)
{
	struct hello h, me = { 0, HELLO_OK, 0, 0 };
	unsigned char b[HELLO_LEN + LINK_SALT];
	size_t blen = HELLO_LEN;
	int e;

	me.version = (unsigned)l->version;
	me.party = (uint32_t)l->party;
	me.n = (uint32_t)l->n;
	if (hello_get(pd->b, &h) != 0) {
		snprintf(why, whysize, "a connection from %s did not start "
		    "with an spu hello", pd->from);
		return 0;
	}
	if (h.version != (unsigned)l->version) {
		me.status = HELLO_BAD_VERSION;
		snprintf(why, whysize, "%s speaks wire version %u, we speak "
		    "%d", pd->from, h.version, l->version);
	} else if (h.n != (uint32_t)l->n) {
		me.status = HELLO_BAD_COUNT;
		snprintf(why, whysize, "%s claimed to be party %lu of %lu, we "
		    "are party %d of %d", pd->from, (unsigned long)h.party,
		    (unsigned long)h.n, l->party, l->n);
	} else if (h.party <= (uint32_t)l->party || h.party >= (uint32_t)l->n) {
		me.status = HELLO_BAD_INDEX;
		snprintf(why, whysize, "%s claimed to be party %lu, but only "
		    "parties %d..%d connect to party %d", pd->from,
		    (unsigned long)h.party, l->party + 1, l->n - 1, l->party);
	} else if (l->peer[h.party].fd != -1 || l->peer[h.party].gone) {
		me.status = HELLO_DUPLICATE;
		snprintf(why, whysize, "%s claimed to be party %lu, which is "
		    "already connected", pd->from, (unsigned long)h.party);
	}
	hello_put(b, &me);
	if (me.status == HELLO_OK && l->version == 2) {
		randombytes_buf(b + HELLO_LEN, LINK_SALT);
		blen += LINK_SALT;
	}
	if (io_full(pd->fd, b, blen, 1, deadline, &e, NULL) != 0 &&
	    me.status == HELLO_OK) {
		snprintf(why, whysize, "%s (party %lu) went away during the "
		    "hello", pd->from, (unsigned long)h.party);
		return 0;
	}
	if (me.status != HELLO_OK)
		return 0;
	l->peer[h.party].fd = pd->fd;
	l->x[h.party].watch = 1;
	memcpy(l->peer[h.party].hello[0], pd->b, blen);
	memcpy(l->peer[h.party].hello[1], b, blen);
	return (int)h.party;
}

static int
accept_timeout(struct spu_link *l, const char *where, const char *why,
    struct spu_diag *d)
{
	char who[128], secs[32];
	size_t len;
	int j, k = 0;

	for (j = l->party + 1; j < l->n; j++)
		k += l->peer[j].fd == -1 && !l->peer[j].gone;
	snprintf(who, sizeof(who), "%s", k > 1 ? "parties" : "party");
	for (j = l->party + 1; j < l->n; j++) {
		if (l->peer[j].fd != -1 || l->peer[j].gone)
			continue;
		if ((len = strlen(who)) >= sizeof(who) - 8)
			break;
		snprintf(who + len, sizeof(who) - len, "%s %d",
		    len > 7 ? "," : "", j);
	}
	link_fmt_secs(secs, sizeof(secs), l->timeout_ms);
	return spu_fail(d, SPU_ETIMEOUT, "party %d: timeout after %s waiting "
	    "for %s to connect to %s%s%s", l->party, secs, who, where,
	    why[0] ? "; rejected: " : "", why);
}

static int
accept_peers(struct spu_link *l, int lfd, const char *where,
    int64_t deadline, struct spu_diag *d)
{
	struct pending pd[MAX_PENDING];
	struct pollfd pfd[MAX_PENDING + 1];
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[400] = "";
	int64_t left;
	int j, k, npend = 0, missing, fd, rc;
	ssize_t r;

	for (;;) {
		missing = 0;
		for (j = l->party + 1; j < l->n; j++)
			missing += l->peer[j].fd == -1 && !l->peer[j].gone;
		if (missing == 0)
			break;
		if ((left = until(l, deadline) - link_now_ms()) <= 0) {
			while (npend > 0)
				drop_pending(pd, &npend, 0);
			return accept_timeout(l, where, why, d);
		}
		setup_lost(l);
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (k = 0; k < npend; k++) {
			pfd[k + 1].fd = pd[k].fd;
			pfd[k + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)npend + 1, left > WATCH_MS ? WATCH_MS :
		    (int)left) <= 0)
			continue;
		/* Hellos first: slots of pd[] move when one is dropped, so
		 * walk backwards. */
		for (k = npend - 1; k >= 0; k--) {
			if (!(pfd[k + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = recv(pd[k].fd, pd[k].b + pd[k].off,
			    pd[k].want - pd[k].off, 0);
			if (r < 0 && (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK))
				continue;
			if (r <= 0) {
				drop_pending(pd, &npend, k);
				continue;
			}
			pd[k].off += (size_t)r;
			/* A version 2 hello goes on with its salt. */
			if (pd[k].off == HELLO_LEN && l->version == 2 &&
			    pd[k].b[4] == 2 && pd[k].b[5] == 0 &&
			    memcmp(pd[k].b, "SPUL", 4) == 0)
				pd[k].want = HELLO_LEN + LINK_SALT;
			if (pd[k].off < pd[k].want)
				continue;
			if ((j = judge_hello(l, &pd[k], deadline, why,
			    sizeof(why))) > 0) {
				pd[k] = pd[--npend];
				if ((rc = connected(l, j, d)) != 0) {
					while (npend > 0)
						drop_pending(pd, &npend, 0);
					return rc;
				}
			} else
				drop_pending(pd, &npend, k);
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		sl = sizeof(ss);
		if ((fd = accept(lfd, (struct sockaddr *)&ss, &sl)) == -1)
			continue;
		if (link_tune_fd(fd, 1) != 0) {
			close(fd);
			continue;
		}
		if (npend == MAX_PENDING) {
			snprintf(why, sizeof(why), "%s stayed silent",
			    pd[0].from);
			drop_pending(pd, &npend, 0);
		}
		pd[npend].fd = fd;
		pd[npend].off = 0;
		pd[npend].want = HELLO_LEN;
		fmt_sockaddr(pd[npend].from, sizeof(pd[npend].from),
		    (struct sockaddr *)&ss, sl);
		npend++;
	}
	while (npend > 0)
		drop_pending(pd, &npend, 0);
	return 0;
}

int
link_tcp_setup(int party, int n, const struct spu_peer_addr *peers,
    int timeout_ms, const struct link_keys *keys, struct spu_link **out,
    struct spu_diag *d)
{
	struct spu_link *l;
	char where[300];
	int64_t deadline = link_now_ms() + timeout_ms;
	int lfd = -1, j, rc;

	if (out == NULL || peers == NULL)
		return spu_fail(d, SPU_EINVAL, "tcp mesh: no peer list");
	*out = NULL;
	if (n < 1 || n > LINK_MAX_PARTIES)
		return spu_fail(d, SPU_EINVAL, "tcp mesh: party count %d out "
		    "of range 1..%d", n, LINK_MAX_PARTIES);
	if (party < 0 || party >= n)
		return spu_fail(d, SPU_EINVAL, "tcp mesh: party %d out of "
		    "range 0..%d", party, n - 1);
	if (timeout_ms <= 0)
		return spu_fail(d, SPU_EINVAL, "tcp mesh: timeout must be "
		    "positive, not %d ms", timeout_ms);
	for (j = 0; j < n; j++)
		if (peers[j].port < 1 || peers[j].port > 65535 ||
		    memchr(peers[j].host, '\0', sizeof(peers[j].host)) == NULL)
			return spu_fail(d, SPU_EINVAL, "tcp mesh: bad address "
			    "for party %d", j);
	if ((l = link_alloc(party, n, timeout_ms)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "party %d: %s", party,
		    strerror(ENOMEM));
	l->version = keys != NULL ? 2 : 1;
	l->keys = keys;
	fmt_addr(where, sizeof(where), peers[party].host, peers[party].port);
	/* Listen first, so higher parties can connect (into the backlog)
	 * while we connect downwards; lower parties never wait on us, so
	 * there is no cycle. */
	if (party < n - 1 && (rc = listen_on(party, &peers[party], &lfd, d))
	    != 0)
		goto fail;
	for (j = 0; j < party; j++)
		if ((rc = connect_peer(l, j, &peers[j], deadline, d)) != 0)
			goto fail;
	if (lfd != -1 && (rc = accept_peers(l, lfd, where, deadline, d)) != 0)
		goto fail;
	if (l->why[0] != '\0') {
		rc = SPU_ENET;
		goto fail;
	}
	if (lfd != -1)
		close(lfd);
	l->keys = NULL;
	*out = l;
	return 0;
fail:
	if (lfd != -1)
		close(lfd);
	/* A peer lost during setup is the cause to report; tell the peers
	 * we did connect (they may be waiting on parties we wait on). */
	if (l->why[0] != '\0')
		rc = spu_fail(d, SPU_ENET, "%s", l->why);
	spu_link_abort(l, d != NULL ? d->msg : "setup failed");
	spu_link_free(l);
	return rc;
}

int
spu_link_tcp(int party, int n, const struct spu_peer_addr *peers,
    int timeout_ms, struct spu_link **out, struct spu_diag *d)
{
	return link_tcp_setup(party, n, peers, timeout_ms, NULL, out, d);
}
