/*
 * link_int.h - internals of the party mesh shared by link.c (framing,
 * rounds, socketpair meshes), link_tcp.c (TCP setup, hello handshake),
 * link_sec.c (version 2 keys), link_abort.c (abort frames) and
 * link_shape.c (WAN emulation).  Not part of the library's interface:
 * nothing outside src/lib/link*.c includes it (the unit tests do).  The
 * wire format is in docs/wire.md.
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
#define LINK_SPIN_US	1000		/* a round polls, yielding, this long */
#define LINK_TAG	16		/* AEAD tag after a version 2 payload */
#define LINK_KEY	32		/* session key, crypto_kx key */
#define LINK_HELLO	16		/* hello, fixed part */
#define LINK_SALT	32		/* version 2 hello: random salt */
#define LINK_ABORT	0xFFFFFFFFu	/* length field of an abort frame */
#define LINK_REASON	256		/* abort frame: the reason text */
#define LINK_ABORT_MS	200		/* spu_link_abort waits this long */

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
	int64_t release;	/* shaping: frame read, held until then (us) */
	/* abort frames (docs/wire.md, "Abort frames") */
	int watch;		/* peek at what this peer sends next */
	int aborting;		/* reading an abort frame: ahdr, abody */
	size_t aoff;		/* counts header, reason and tag */
	unsigned char ahdr[LINK_HDR];
	unsigned char abody[LINK_REASON + LINK_TAG];
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
	unsigned char *cbuf;	/* ciphertext of the frame being sent; on
				 * plain links, a copy of a frame a failed
				 * round left half sent */
	size_t ccap;
	int gone;		/* setup: lost, no longer waited for */
	/* WAN emulation (link_shape.c) */
	double tokens;		/* bytes we may send now */
	int64_t tlast;		/* when tokens were last topped up (us) */
	int64_t seen;		/* its next frame first seen (us), or 0 */
};

struct spu_link {
	int party;
	int n;
	int timeout_ms;
	int broken;		/* error of a round that failed mid-way */
	int version;		/* wire version: 1 plain, 2 sealed frames */
	int bad_peer;		/* whose frame failed authentication, or -1 */
	int closing;		/* spu_link_abort: no shaping, no salvage */
	const struct link_keys *keys;	/* version 2, during setup */
	int64_t grace;		/* setup: end early (ms), after a loss */
	char phase[LINK_PHASE_MAX];
	char why[SPU_DIAG_MAX];	/* message of the round that broke it */
	/* WAN emulation: one-way latency, bytes per microsecond, bucket
	 * size; 0 = off */
	int64_t lat_us;
	double rate;
	double burst;
	struct spu_link_stats stats;
	struct link_peer *peer;	/* n entries */
	struct link_xfer *x;	/* n entries, scratch for one round */
	struct pollfd *pfd;	/* n entries, scratch for one round */
	int *pidx;		/* pfd slot -> party */
};

/* A party's crypto_kx keys for wire version 2 (see spu_link_tcp_secure). */
struct link_keys {
	const unsigned char *pk, *sk;
	const unsigned char *peer_pks;	/* n keys, by party */
};

/* Set up a TCP mesh speaking wire version 1 (keys NULL) or 2, whose
 * session keys are derived (link_sec_derive) as each connection is made.
 * On failure, connected peers are sent an abort frame. */
int link_tcp_setup(int party, int n, const struct spu_peer_addr *peers,
    int timeout_ms, const struct link_keys *keys, struct spu_link **out,
    struct spu_diag *d);

/* Version 2 session keys for the connection to peer j, from l->keys and
 * the hellos in peer[j].hello. */
int link_sec_derive(struct spu_link *l, int j, struct spu_diag *d);

/* Rounds from the inside: begin, add frames (of any length, 0 included),
 * run. */
int link_begin_round(struct spu_link *l, struct spu_diag *d);
int link_add_send(struct spu_link *l, int j, const void *buf, size_t len,
    struct spu_diag *d);
int link_add_recv(struct spu_link *l, int j, void *buf, size_t len,
    struct spu_diag *d);
int link_run_round(struct spu_link *l, struct spu_diag *d);

/* Move what the socket to peer j takes of its frame now: 1 on progress,
 * 0 if nothing moved, or an error (the link is then broken). */
int link_send_step(struct spu_link *l, int j, struct spu_diag *d);

/* Frame fields and version 2 nonces (docs/wire.md). */
void link_put_u32(unsigned char *p, uint32_t v);
uint32_t link_get_u32(const unsigned char *p);
void link_nonce(unsigned char *nonce, uint64_t count);

/* " (phase: mul)" or "" for messages. */
const char *link_phase_suffix(const struct spu_link *l, char *buf,
    size_t size);

/* Abort frames (link_abort.c).  link_abort_done: an abort frame from
 * peer j is in x[j].ahdr/abody; check and open it, and fail the round
 * with its reason.  link_salvage_abort: peer j's connection failed; if
 * an abort frame from it is waiting behind whole frames, fail with its
 * reason, else return 0. */
int link_abort_done(struct spu_link *l, int j, struct spu_diag *d);
/* Read a whole abort frame from peer j (its header is next on the
 * socket) and fail with its reason; 0 if it could not be read. */
int link_read_abort(struct spu_link *l, int j, struct spu_diag *d);
int link_salvage_abort(struct spu_link *l, int j, struct spu_diag *d);

/* WAN emulation (link_shape.c).  link_shape_allow: bytes peer j's
 * bucket lets us send now (SIZE_MAX when unshaped), or 0 with *wake set
 * to when `want` bytes will be allowed.  link_shape_spend: take sent
 * bytes from the bucket.  link_shape_release: when a frame of `wire`
 * bytes from peer j, read completely now, may be delivered. */
size_t link_shape_allow(struct spu_link *l, int j, size_t want,
    int64_t now, int64_t *wake);
void link_shape_spend(struct spu_link *l, int j, size_t n);
int64_t link_shape_release(struct spu_link *l, int j, size_t wire,
    int64_t now);

/* A link for `party` of n with every fd -1. */
struct spu_link *link_alloc(int party, int n, int timeout_ms);

/* Make fd non-blocking and close-on-exec and enlarge its buffers; for
 * TCP also turn on TCP_NODELAY.  Returns 0 or -errno. */
int link_tune_fd(int fd, int tcp);

/* Milliseconds, microseconds on a monotonic clock. */
int64_t link_now_ms(void);
int64_t link_now_us(void);

/* "0.3 s", "60 s": a timeout for messages. */
void link_fmt_secs(char *buf, size_t size, int ms);

#endif
