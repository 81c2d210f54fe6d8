/*
 * link_int.h - internals of the party mesh shared by link.c (framing,
 * rounds, socketpair meshes) and link_tcp.c (TCP setup, hello handshake,
 * peer lists).  Not part of the library's interface: nothing outside
 * src/lib/link*.c includes it.  The wire format is in docs/wire.md.
 */
#ifndef SPU_LINK_INT_H
#define SPU_LINK_INT_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "link.h"

#define LINK_HDR	8		/* frame header: u32 length, u32 seq */
#define LINK_MAX_PARTIES 1024
#define LINK_SOCKBUF	(4 << 20)	/* requested SO_SNDBUF/SO_RCVBUF */
#define LINK_PHASE_MAX	64
#define LINK_TAG	16		/* AEAD tag after a version 2 payload */
#define LINK_KEY	32		/* session key, crypto_kx key */
#define LINK_HELLO	16		/* hello, fixed part */
#define LINK_SALT	32		/* version 2 hello: random salt */

/* Per-round state of the transfer to and from one peer. */
struct link_xfer {
	size_t tlen;		/* LINK_TAG on secure links, else 0 */
	/* sending: header, payload, tag; soff counts all three */
	const unsigned char *sbuf;
	size_t slen;
	size_t soff;
	unsigned char shdr[LINK_HDR];
	unsigned char stag[LINK_TAG];
	int sending;
	/* receiving: header, payload, tag; roff counts all three */
	unsigned char *rbuf;
	size_t rlen;
	size_t roff;
	unsigned char rhdr[LINK_HDR];
	unsigned char rtag[LINK_TAG];
	int receiving;
};

struct link_peer {
	int fd;			/* -1 for self */
	uint64_t nsent;		/* frames sent; low 32 bits = next seq */
	uint64_t nrecv;		/* frames received; low 32 bits = next seq */
	/* version 2 (docs/wire.md): */
	int secure;		/* frames are sealed with ktx, opened with krx */
	unsigned char ktx[LINK_KEY];
	unsigned char krx[LINK_KEY];
	unsigned char hello[2][LINK_HELLO + LINK_SALT]; /* connector's,
				 * acceptor's: the handshake transcript */
	unsigned char *cbuf;	/* ciphertext of the frame being sent */
	size_t ccap;
};

struct spu_link {
	int party;
	int n;
	int timeout_ms;
	int broken;		/* error of a round that failed mid-way */
	int version;		/* wire version: 1 plain, 2 sealed frames */
	int bad_peer;		/* whose frame failed authentication, or -1 */
	char phase[LINK_PHASE_MAX];
	struct spu_link_stats stats;
	struct link_peer *peer;	/* n entries */
	struct link_xfer *x;	/* n entries, scratch for one round */
	struct pollfd *pfd;	/* n entries, scratch for one round */
	int *pidx;		/* pfd slot -> party */
};

/* Set up a TCP mesh speaking wire version 1 or 2; for version 2 the
 * hellos are left in peer[j].hello for deriving keys. */
int link_tcp_setup(int party, int n, const struct spu_peer_addr *peers,
    int timeout_ms, int version, struct spu_link **out, struct spu_diag *d);

/* Rounds from the inside: begin, add frames (of any length, 0 included),
 * run. */
int link_begin_round(struct spu_link *l, struct spu_diag *d);
int link_add_send(struct spu_link *l, int j, const void *buf, size_t len,
    struct spu_diag *d);
int link_add_recv(struct spu_link *l, int j, void *buf, size_t len,
    struct spu_diag *d);
int link_run_round(struct spu_link *l, struct spu_diag *d);

/* A link for `party` of n with every fd -1. */
struct spu_link *link_alloc(int party, int n, int timeout_ms);

/* Make fd non-blocking and close-on-exec and enlarge its buffers; for
 * TCP also turn on TCP_NODELAY.  Returns 0 or -errno. */
int link_tune_fd(int fd, int tcp);

/* Milliseconds on a monotonic clock. */
int64_t link_now_ms(void);

/* "0.3 s", "60 s": a timeout for messages. */
void link_fmt_secs(char *buf, size_t size, int ms);

#endif
