/*
 * link_mesh.c - party mesh objects: allocating and freeing a link, tuning
 * its sockets, in-process meshes over socketpairs (spu_link_local, for
 * --simulate), accessors, and the clocks rounds use.  TCP meshes are set
 * up in link_tcp.c; what travels over a mesh is in link.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "link_int.h"
#include "mem.h"

int64_t
link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
link_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
