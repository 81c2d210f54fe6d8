/*
 * mpc.h - one party's protocol context and the protocol interface.
 *
 * The protocol layer works on ring vectors: a secret operand is the array
 * of this party's share vectors (value->share), a public one a single
 * vector.  Each protocol (ref2k.c, semi2k.c, aby3.c) fills one struct
 * spu_proto_ops; local linear operations common to all share layouts live
 * in mpc.c.  Every interactive operation sends one message per peer per
 * round, whatever the element count.
 *
 * Threat models (also in spu-run(1)):
 *   ref2k  - no security: every party holds the cleartext.
 *   semi2k - semi-honest, any N-1 of N parties may collude, except that
 *            party 0 is the trusted dealer of correlated randomness and
 *            must not collude with anyone (it can derive every other
 *            party's Beaver masks).
 *   aby3   - semi-honest, honest majority: no two of the three parties
 *            may collude.
 */
#ifndef SPU_MPC_H
#define SPU_MPC_H

#include <stddef.h>
#include <stdint.h>

#include "../err.h"
#include "../fxpcfg.h"
#include "../link.h"
#include "../prg.h"
#include "../protocol.h"
#include "../ring.h"
#include "../value.h"
#include "patch.h"

struct spu_mpc;
struct spu_insn;

struct spu_proto_ops {
	/* z = public p as a secret sharing (local, no communication). */
	void (*p2s)(struct spu_mpc *m, void *const z[], const void *p, size_t n);
	/* z = x + p (local). */
	void (*add_p)(struct spu_mpc *m, void *const z[], void *const x[],
	    const void *p, size_t n);
	/* out = x revealed to every party. */
	int (*open)(struct spu_mpc *m, void *out, void *const x[], size_t n);
	/* z = x * y elementwise (ring product, no truncation). */
	int (*mul)(struct spu_mpc *m, void *const z[], void *const x[],
	    void *const y[], size_t n);
	/* z[b] = x[b] . y[b], x batch*mm*k, y batch*k*nn. */
	int (*matmul)(struct spu_mpc *m, void *const z[], void *const x[],
	    void *const y[], size_t batch, size_t mm, size_t k, size_t nn);
	/* Optional: matmul whose operands carry ids (0: none) the VM
	 * gives values fixed for the whole run (the program's inputs): a
	 * protocol may keep what it derived from such an operand for its
	 * next product (semi2k: the Beaver mask and the opened x - a). */
	int (*matmul_id)(struct spu_mpc *m, void *const z[], void *const x[],
	    void *const y[], size_t batch, size_t mm, size_t k, size_t nn,
	    const uint64_t id[2]);
	/* Optional: matmul_id whose left operand X (batch = pm->fg, mm =
	 * pm->N pm->nout, k = pm->cg pm->kwin) is the patches of x (nx
	 * words, patch.h), never stored whole: semi2k opens x - a, not X;
	 * both expand a block of rows at a time. */
	int (*matmul_map)(struct spu_mpc *m, void *const z[], void *const x[],
	    size_t nx, const struct spu_patch_map *pm, void *const y[],
	    size_t nn, const uint64_t id[2]);
	/* Optional: drop whatever matmul_id kept (a new run's ids mean
	 * other values; also called by spu_mpc_fini). */
	void (*forget)(struct spu_mpc *m);
	/* z = x / 2^bits (arithmetic; may be off by one in the last bit);
	 * requires |x| < 2^(k-2). */
	int (*trunc)(struct spu_mpc *m, void *const z[], void *const x[],
	    size_t n, unsigned bits);
	/*
	 * Boolean shares (circuits built on these are in boolean.c): same
	 * layout as the arithmetic shares with XOR in place of addition.
	 * Only the low `bits` bits of each word are meaningful; the others
	 * must be zero on input and are zero on output, and traffic is
	 * packed to `bits` bits per word.
	 */
	/* Number of additive components of a sharing, x = sum_j c_j. */
	int (*nparts)(struct spu_mpc *m);
	/* z = a boolean sharing of component j of x (local). */
	void (*part_b)(struct spu_mpc *m, void *const z[], void *const x[],
	    int j, size_t n);
	/* z = x AND y, 1 round (every protocol: spu_b_and_words, which
	 * packs the words and calls and_p). */
	int (*and_b)(struct spu_mpc *m, void *const z[], void *const x[],
	    void *const y[], size_t n, unsigned bits);
	/* z = x AND y on packed boolean shares: every share a buffer of
	 * len bytes from spu_bytes_alloc (bitpack.h).  z may alias x or y.
	 * 1 round, len bytes per peer. */
	int (*and_p)(struct spu_mpc *m, uint8_t *const z[],
	    uint8_t *const x[], uint8_t *const y[], size_t len);
	/* and_p over np planes of pb bytes gathered from anywhere: plane
	 * q of share s is x[s][q] (y likewise), z's planes are contiguous
	 * (z[s] + q pb).  An input plane may be z's own plane q, no other
	 * part of z.  The same round, bytes and randomness as and_p on
	 * the planes put side by side. */
	int (*and_pv)(struct spu_mpc *m, uint8_t *const z[],
	    const uint8_t *const *x[], const uint8_t *const *y[], size_t np,
	    size_t pb);
	/* Optional (NULL: part_b): boolean sharings a, b of two values
	 * with x = a - b, for equality as a bitwise comparison.  aby3:
	 * a = x0 + x1 reshared (1 round, K), b = -x2 shared trivially by
	 * its two holders. */
	int (*split_b)(struct spu_mpc *m, void *const a[], void *const b[],
	    void *const x[], size_t n);
	/* Optional (NULL: part_b and carry-save adders): the two addends
	 * x = a + b of the MSB, as split_b makes them, in bit planes: a and b
	 * hold the low `bits` planes of pb bytes per share
	 * (spu_b_to_planes), zeroed by the caller, so that shares a party
	 * holds nothing of stay untouched.  Rounds of split_b, bytes
	 * bits / k of its. */
	int (*split_p)(struct spu_mpc *m, uint8_t *const a[],
	    uint8_t *const b[], void *const x[], size_t n, size_t pb,
	    unsigned bits);
	/* z = arithmetic sharing of the integer held in boolean x. */
	int (*b2a)(struct spu_mpc *m, void *const z[], void *const x[],
	    size_t n, unsigned bits);
	/* Optional: b2a of n single bits packed 8 to a byte (x[s]: share
	 * s, bit i = element i), the same rounds and bytes as b2a with
	 * bits = 1, without the bits unpacked to words first. */
	int (*b2a_bit)(struct spu_mpc *m, void *const z[],
	    const uint8_t *const x[], size_t n);
	/* Optional: L public linear combinations of cnt planes of n packed
	 * bits (x[s]: bit t n + i = bit t of element i) as arithmetic
	 * shares, z_l[i] = sum_t w[l cnt + t] bit_t[i] (z[s]: vector l at
	 * l n), without the bits' own arithmetic shares: what b2a_bit
	 * costs, less the L < cnt of its words that are reshared. */
	int (*b2a_lin)(struct spu_mpc *m, void *const z[],
	    const uint8_t *const x[], size_t n, unsigned cnt,
	    const spu_u128 *w, unsigned L);
	/* z = x * x elementwise (ring product, no truncation); NULL when
	 * the protocol has nothing cheaper than mul(x, x).  Callers use
	 * spu_mpc_square(). */
	int (*square)(struct spu_mpc *m, void *const z[], void *const x[],
	    size_t n);
};

struct spu_mpc {
	enum spu_protocol proto;
	const struct spu_proto_ops *ops;
	int party, nparties;
	int nshares;
	unsigned field;
	int fxp;
	struct spu_link *link;
	struct spu_diag *diag;
	/* PRSS: self = seed s_i shared with party i-1, next = s_{i+1}
	 * shared with party i+1. */
	struct spu_prg prss_self, prss_next;
	struct spu_prg pub;		/* identical on every party */
	struct spu_prg priv;		/* this party only */
	/* semi2k dealer streams: dealer[i] at party i is its own; party 0
	 * holds all of them. */
	struct spu_prg dealer[SPU_MAX_PARTIES];
	/* protocol-private state kept between ops (semi2k: matmul
	 * masks), freed by ops->forget */
	void *proto_state;
	/* the VM's last id for a value products may read again (value.h,
	 * input_id): the same on every party, never reused */
	uint64_t value_ids;
	/* optional per-op accounting by the VM (spu-run --profile) */
	struct spu_vm_profile *profile;
	/* methods of the fixed-point function library (zero: defaults) */
	struct spu_fxp_config fxpcfg;
	/* optional progress report (spu-run --progress): the VM calls it
	 * before each instruction of the entry function (loop NULL, done =
	 * instructions done, total = their count, state NULL) and before
	 * each iteration of a while loop (loop = the WHILE, done =
	 * iterations done, total 0 = unknown, state = the carried values) */
	void (*progress)(void *arg, const struct spu_insn *loop,
	    uint64_t done, uint64_t total, struct spu_value *const *state);
	void *progress_arg;
};

/* Set up a context: agree on seeds with the other parties over link
 * (one round), all streams keyed by the session id.  d receives errors of
 * this and every later call. */
int spu_mpc_init(struct spu_mpc *m, enum spu_protocol proto, int party,
    int nparties, unsigned field, int fxp, struct spu_link *link,
    const uint8_t session[SPU_SEED_LEN], struct spu_diag *d);
void spu_mpc_fini(struct spu_mpc *m);

/*
 * Receive buffers for a round in which every peer sends len bytes: rbuf
 * and rlen filled for every party (0 bytes from this one).  Returns the
 * allocation, (N-1) len bytes, for spu_mpc_peer_free, or NULL.  From the
 * allocator's cache of freed buffers, not a buffer kept for the run, so
 * a big round does not stay resident after it.
 */
void *spu_mpc_peer_bufs(struct spu_mpc *m, size_t len,
    void *rbuf[SPU_MAX_PARTIES], size_t rlen[SPU_MAX_PARTIES]);
void spu_mpc_peer_free(struct spu_mpc *m, void *p, size_t len);

/* ---- local operations on share arrays (all protocols) ---- */
void spu_mpc_add(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n);
void spu_mpc_sub(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n);
void spu_mpc_neg(struct spu_mpc *m, void *const z[], void *const x[], size_t n);
/* z = x * x elementwise (ring product, no truncation): the protocol's
 * square, else its mul(x, x).  semi2k opens one value per element
 * instead of two; aby3's replicated product costs the same either way. */
int spu_mpc_square(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n);
/* z = x * p elementwise, p public. */
void spu_mpc_mul_p(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t n);
void spu_mpc_lshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned s, size_t n);
/* z = x . p (p public, right) or p . x (left). */
int spu_mpc_matmul_sp(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t batch, size_t mm, size_t k, size_t nn);
int spu_mpc_matmul_ps(struct spu_mpc *m, void *const z[], const void *p,
    void *const x[], size_t batch, size_t mm, size_t k, size_t nn);

/*
 * The local end of TruncAPr (protocols.md 2.6): given the opened
 * c = x + 2^(k-2) + r and this party's additive shares rc, rb of
 * rc = bits [m, k-1) of r and rb = msb(r), write y = share of x >> m:
 *   b = rb xor msb(c) = rb (1 - 2 msb(c)) (+ msb(c) at the first party)
 *   y = -rc + b 2^(k-1-m) (+ c_hat - 2^(k-2-m) at the first party)
 * with c_hat = bits [m, k-1) of c.  Vectorised; y may alias rc.
 */
int spu_mpc_truncpr_finish(struct spu_mpc *m, void *y, const void *c,
    const void *rc, const void *rb, size_t n, unsigned bits, int first);

/*
 * The local ends of TruncAPr2 (trunc2.c): x = t0 + t1 held 2-out-of-2,
 * |x| < 2^(k-2).  The caller computes shares mw of u0 u1 in the ring of
 * spu_trunc2_width bits, u0 and u1 from spu_trunc2_bit of t0 (first)
 * and t1; spu_trunc2_finish then gives y_i with y0 + y1 = floor(x /
 * 2^bits) or one more.  y may alias t.
 */
unsigned spu_trunc2_width(unsigned field, unsigned bits);
void spu_trunc2_bit(unsigned field, unsigned sw, void *u, const void *t,
    size_t n, int first);
void spu_trunc2_finish(unsigned field, unsigned sw, void *y, const void *t,
    const void *mw, size_t n, unsigned bits, int first);

extern const struct spu_proto_ops spu_ref2k_ops, spu_semi2k_ops, spu_aby3_ops;

/* Helpers for protocol files. */
int spu_mpc_fail(struct spu_mpc *m, int err, const char *what);
/* Send to each peer j with slen[j] and receive into rbuf[j]; wraps link
 * errors with the party number. */
int spu_mpc_exchange(struct spu_mpc *m, const void *const *sbuf,
    const size_t *slen, void *const *rbuf, const size_t *rlen);

#endif
