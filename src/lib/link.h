/*
 * link.h - the party mesh: one party's connections to every other party,
 * over TCP (separate processes) or socketpairs (--simulate, threads in
 * one process).  Specified in docs/wire.md.
 *
 * Communication is in rounds.  spu_link_exchange sends one framed message
 * to each chosen peer and receives one from each expected peer, with
 * sending and receiving overlapped (poll, non-blocking sockets), so large
 * messages in both directions never deadlock.  Every blocking wait is
 * bounded by the link's timeout.
 */
#ifndef SPU_LINK_H
#define SPU_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct spu_link;

struct spu_link_stats {
	uint64_t bytes_sent;	/* payload + framing */
	uint64_t bytes_recv;
	uint64_t rounds;	/* exchanges in which this party sent */
	uint64_t msgs_sent;
};

struct spu_peer_addr {
	char host[256];
	int port;
};

/* Parse "host:port,host:port,..." (IPv4/IPv6 literals in [] or names).
 * Returns the count or a negative error. */
int spu_link_parse_peers(const char *spec, struct spu_peer_addr *out,
    int max, struct spu_diag *d);

/* Full TCP mesh for party `party` of n: listen on peers[party].port,
 * connect to lower-numbered parties with retries, accept higher-numbered
 * ones, each until timeout_ms passes.  Messages name the peer and cause
 * (address in use, unreachable, timeout). */
int spu_link_tcp(int party, int n, const struct spu_peer_addr *peers,
    int timeout_ms, struct spu_link **out, struct spu_diag *d);

/* Like spu_link_tcp, but speaking wire version 2: every frame is
 * encrypted and authenticated (ChaCha20-Poly1305) with session keys from
 * crypto_kx, and each connection is checked by a key confirmation before
 * this returns.  pk/sk: this party's crypto_kx key pair
 * (SPU_LINK_KEYBYTES each); peer_pks: n public keys of SPU_LINK_KEYBYTES
 * each, indexed by party (the entry for self is ignored).  A peer whose
 * key does not match fails with SPU_EPROTO.  Everything else, rounds
 * included, behaves as on a plain link.  Calls sodium_init(). */
#define SPU_LINK_KEYBYTES 32
int spu_link_tcp_secure(int party, int n, const struct spu_peer_addr *peers,
    const unsigned char *pk, const unsigned char *sk,
    const unsigned char *peer_pks, int timeout_ms, struct spu_link **out,
    struct spu_diag *d);

/* n links connected by socketpairs, for n threads of one process. */
int spu_link_local(int n, int timeout_ms, struct spu_link **out,
    struct spu_diag *d);

void spu_link_free(struct spu_link *l);

int spu_link_party(const struct spu_link *l);
int spu_link_nparties(const struct spu_link *l);

/* One round.  For each peer j != self: if slen[j] > 0 send sbuf[j]; if
 * rlen[j] > 0 receive exactly rlen[j] bytes into rbuf[j].  Arrays are
 * indexed by party; entries for self are ignored; NULL arrays mean
 * nothing to send/receive.  A frame of another length than expected is
 * SPU_EPROTO; a closed peer SPU_ENET; no progress for timeout_ms
 * SPU_ETIMEOUT. */
int spu_link_exchange(struct spu_link *l, const void *const *sbuf,
    const size_t *slen, void *const *rbuf, const size_t *rlen,
    struct spu_diag *d);

/* Convenience: send to one peer / receive from one peer (one round). */
int spu_link_send(struct spu_link *l, int peer, const void *buf, size_t len,
    struct spu_diag *d);
int spu_link_recv(struct spu_link *l, int peer, void *buf, size_t len,
    struct spu_diag *d);

/* Name of what the party is doing, used in error messages
 * ("party 1: timeout waiting for party 2 during mul"). */
void spu_link_set_phase(struct spu_link *l, const char *phase);

const struct spu_link_stats *spu_link_stats(const struct spu_link *l);

/* Tell every still-connected peer that this party is giving up, and why,
 * with an abort frame (docs/wire.md, "Abort frames"); a peer waiting on
 * us, or in a round with anyone, then fails with SPU_ENET "party 0:
 * party 1 aborted: REASON".  If a round of this link failed, its own
 * message (which names the peer at fault) is sent instead of `reason`.
 * Reasons are diagnostics, never secret data; at most 255 printable
 * characters go out.  Best effort: waits at most 200 ms, ignores errors.
 * The caller then frees the link; nothing else may be done with it. */
void spu_link_abort(struct spu_link *l, const char *reason);

/* WAN emulation for benchmarks: each frame from a peer is delivered no
 * earlier than latency_ms after it arrived, and sending to each peer is
 * paced to mbit megabits (10^6 bits) per second, headers included.  0
 * turns a part off; negative or non-finite values count as 0.  Set it on
 * every party of a mesh alike. */
void spu_link_set_shaping(struct spu_link *l, double latency_ms,
    double mbit);

#endif
