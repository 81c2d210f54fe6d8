/*
 * bmul.c - products of an arithmetic sharing with a 1-bit boolean
 * sharing (protocols.md 2.5 MulA1B, 3.6), the step that applies a
 * comparison result: relu, abs, max, min, clamp, select.  Without it a
 * comparison bit goes through B2A and then a multiplication, one round
 * more.  Not for boolean circuits: see boolean.c.
 *
 *  - ref2k: local.
 *  - semi2k, 2 parties: x b = x (b0 + b1 - 2 b0 b1) = x0 b0 + x1 b1 +
 *    xx0 b1 + xx1 b0 with xx_i = (1 - 2 b_i) x_i, so one Beaver product
 *    of xx and b (as if b_i were arithmetic shares) minus the local terms
 *    xx_i b_i, plus x_i b_i.  1 round, 2K bytes.
 *  - aby3: two three-party OTs (ABY3 5.4.1), one for x0 + x1 (sender
 *    party 0, who knows b0 ^ b1; party 1 helps, party 2 chooses by b2)
 *    and one for x2 (sender party 2, who knows b2 ^ b0; party 0 helps,
 *    party 1 chooses by b1).  2 rounds, at most 3K bytes per party.
 *  - otherwise (semi2k with more parties): B2A, then a product.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "boolean.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* semi2k, two parties (one share word each). */
static int
mul_a1b_2pc(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n)
{
	unsigned k = m->field;
	void *xx = spu_ring_alloc(k, n), *bb = spu_ring_alloc(k, n);
	void *lc = spu_ring_alloc(k, n);
	size_t K = spu_ring_size(k);
	int rc;

	if (xx == NULL || bb == NULL || lc == NULL) {
		rc = nomem(m);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spu_u128 bi = spu_bget(k, b[0], i) & 1;
		spu_u128 xi = spu_bget(k, x[0], i);
		spu_u128 xxi = bi ? -xi : xi;
		spu_bset(k, bb, i, bi);
		spu_bset(k, xx, i, xxi);
		/* x_i b_i - xx_i b_i */
		spu_bset(k, lc, i, bi ? xi - xxi : 0);
	}
	{
		void *zz[1] = { xx }, *yy[1] = { bb };
		if ((rc = m->ops->mul(m, zz, zz, yy, n)) != 0)
			goto out;
	}
	spu_ring_add(k, z[0], xx, lc, n);
out:
	if (xx != NULL)
		spu_free_secret(xx, n * K);
	if (bb != NULL)
		spu_free_secret(bb, n * K);
	if (lc != NULL)
		spu_free_secret(lc, n * K);
	return rc;
}

/* The PRSS stream this party shares with neighbour `peer`. */
static struct spu_prg *
stream_with(struct spu_mpc *m, int peer)
{
	return peer == (m->party + 1) % 3 ? &m->prss_next : &m->prss_self;
}

/*
 * aby3: one three-party OT of a * b where the sender S knows a and
 * c = b ^ beta, helper H and receiver R know the choice bit beta.  With
 * masks w0, w1 and alpha from the S-H stream and gamma from the S-R
 * stream, S sends R m_t + w_t for m_t = (t ^ c) a - alpha - gamma, H
 * sends R w_beta, R recovers mu = m_beta.  Then a b = alpha + gamma + mu:
 * alpha is the component S and H hold, gamma the one S and R hold, mu the
 * one H and R hold (sent to H in the second round).  The masks are never
 * stored: each party skips its draws and reads them a chunk at a time
 * where it needs them (spu_prg_xor_at), so it keeps only the messages.
 */
struct ot {
	int S, H, R;
	uint64_t w0, w1, al, ga;	/* draw ids on the S-H, S-R streams */
};

enum { CHUNK = 8192 };			/* bytes of a mask read at once */

/* Skip this party's draws of o, in the order both ends of a stream
 * make them (A's gamma before B's masks on the 0-2 stream). */
static void
ot_skip(struct spu_mpc *m, struct ot *o)
{
	int p = m->party;

	if (p == o->S || p == o->H) {
		struct spu_prg *g = stream_with(m, p == o->S ? o->H : o->S);
		o->w0 = spu_prg_skip(g);
		o->w1 = spu_prg_skip(g);
		o->al = spu_prg_skip(g);
	}
	if (p == o->S || p == o->R)
		o->ga = spu_prg_skip(stream_with(m, p == o->S ? o->R : o->S));
}

/* buf (cnt words) = words [i, i + cnt) of draw id on the stream with
 * peer. */
static void
mask_chunk(struct spu_mpc *m, int peer, uint64_t id, uint8_t *buf,
    size_t i, size_t cnt)
{
	size_t K = spu_ring_size(m->field);

	memset(buf, 0, cnt * K);
	spu_prg_xor_at(stream_with(m, peer), id, i * K, buf, cnt * K);
}

/* Round 1 of OT t at its sender: m_t + w_t for t = 0, 1 into out (2n
 * words). */
static void
ot_send(struct spu_mpc *m, const struct ot *o, int t, void *const x[],
    void *const b[], uint8_t *out, size_t n)
{
	unsigned k = m->field;
	size_t K = spu_ring_size(k), per = CHUNK / K;
	_Alignas(64) uint8_t w0[CHUNK], w1[CHUNK], al[CHUNK], ga[CHUNK];

	for (size_t i0 = 0; i0 < n; i0 += per) {
		size_t c = n - i0 < per ? n - i0 : per;
		mask_chunk(m, o->H, o->w0, w0, i0, c);
		mask_chunk(m, o->H, o->w1, w1, i0, c);
		mask_chunk(m, o->H, o->al, al, i0, c);
		mask_chunk(m, o->R, o->ga, ga, i0, c);
		for (size_t q = 0; q < c; q++) {
			size_t i = i0 + q;
			spu_u128 a = t == 0 ? spu_bget(k, x[0], i) +
			    spu_bget(k, x[1], i) : spu_bget(k, x[0], i);
			spu_u128 ch = (spu_bget(k, b[0], i) ^
			    spu_bget(k, b[1], i)) & 1;
			spu_u128 base = -spu_bget(k, al, q) - spu_bget(k, ga, q);
			spu_bset(k, out, i, base + (ch ? a : 0) +
			    spu_bget(k, w0, q));
			spu_bset(k, out, n + i, base + (ch ? 0 : a) +
			    spu_bget(k, w1, q));
		}
	}
	sodium_memzero(w0, sizeof(w0));
	sodium_memzero(w1, sizeof(w1));
	sodium_memzero(al, sizeof(al));
	sodium_memzero(ga, sizeof(ga));
}

/* Round 1 at the helper: w_beta, beta its second boolean component. */
static void
ot_help(struct spu_mpc *m, const struct ot *o, void *const b[],
    uint8_t *out, size_t n)
{
	unsigned k = m->field;
	size_t K = spu_ring_size(k), per = CHUNK / K;
	_Alignas(64) uint8_t w0[CHUNK], w1[CHUNK];

	for (size_t i0 = 0; i0 < n; i0 += per) {
		size_t c = n - i0 < per ? n - i0 : per;
		mask_chunk(m, o->S, o->w0, w0, i0, c);
		mask_chunk(m, o->S, o->w1, w1, i0, c);
		for (size_t q = 0; q < c; q++)
			spu_bset(k, out, i0 + q,
			    (spu_bget(k, b[1], i0 + q) & 1) ?
			    spu_bget(k, w1, q) : spu_bget(k, w0, q));
	}
	sodium_memzero(w0, sizeof(w0));
	sodium_memzero(w1, sizeof(w1));
}

/*
 * Replicated component comp of OT t's product, words [i, i + c) into
 * buf: alpha (S, H), gamma (S, R) or mu (H, R: the word buffer mu).
 * A = OT 0 gives c1 = alpha, c0 = gamma, c2 = mu; B = OT 1 gives c0 =
 * alpha, c2 = gamma, c1 = mu.
 */
static const uint8_t *
component(struct spu_mpc *m, const struct ot *o, int t, int comp,
    const uint8_t *mu, uint8_t *buf, size_t i, size_t c)
{
	static const char kind[2][3] = { { 'g', 'a', 'm' }, { 'a', 'm', 'g' } };
	size_t K = spu_ring_size(m->field);
	int p = m->party;

	switch (kind[t][comp]) {
	case 'a':
		mask_chunk(m, p == o->S ? o->H : o->S, o->al, buf, i, c);
		return buf;
	case 'g':
		mask_chunk(m, p == o->S ? o->R : o->S, o->ga, buf, i, c);
		return buf;
	default:
		return mu + i * K;
	}
}

static int
mul_a1b_aby3(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n)
{
	unsigned k = m->field;
	size_t K = spu_ring_size(k), W = n * K, per = CHUNK / K;
	int p = m->party;
	/* A: sender 0 with x0 + x1, choice b2; B: sender 2 with x2, b1 */
	struct ot ot[2] = { { 0, 1, 2, 0, 0, 0, 0 }, { 2, 0, 1, 0, 0, 0, 0 } };
	uint8_t *sb[3] = { NULL, NULL, NULL }, *rb[3] = { NULL, NULL, NULL };
	size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };
	uint8_t *mu[2] = { NULL, NULL };	/* per OT, where this party has it */
	const void *sbc[3];
	void *rbv[3];
	int rc = 0;

	ot_skip(m, &ot[0]);
	ot_skip(m, &ot[1]);
	/* round 1: each party is S of one OT and H or R of the other,
	 * with a different peer each time */
	for (int t = 0; t < 2; t++) {
		struct ot *o = &ot[t];
		if (p == o->S || p == o->H) {
			sl[o->R] = p == o->S ? 2 * W : W;
			if ((sb[o->R] = spu_malloc(sl[o->R], 1)) == NULL)
				goto oom;
			if (p == o->S)
				ot_send(m, o, t, x, b, sb[o->R], n);
			else
				ot_help(m, o, b, sb[o->R], n);
		} else {
			rl[o->S] = 2 * W;
			rl[o->H] = W;
			if ((rb[o->S] = spu_malloc(2 * W, 1)) == NULL ||
			    (rb[o->H] = spu_malloc(W, 1)) == NULL)
				goto oom;
		}
	}
	for (int j = 0; j < 3; j++) {
		sbc[j] = sb[j];
		rbv[j] = rb[j];
	}
	if ((rc = spu_mpc_exchange(m, sbc, sl, rbv, rl)) != 0)
		goto out;
	for (int j = 0; j < 3; j++) {
		spu_free_secret(sb[j], sl[j]);
		sb[j] = NULL;
		sl[j] = 0;
	}
	/* round 2: the receiver of each OT recovers mu (the choice bit is
	 * its first boolean component) and tells the helper */
	for (int t = 0; t < 2; t++) {
		struct ot *o = &ot[t];
		if (p != o->R)
			continue;
		if ((mu[t] = spu_malloc(n, K)) == NULL)
			goto oom;
		for (size_t i = 0; i < n; i++) {
			int bit = (int)(spu_bget(k, b[0], i) & 1);
			spu_bset(k, mu[t], i, spu_bget(k, rb[o->S],
			    bit ? n + i : i) - spu_bget(k, rb[o->H], i));
		}
	}
	for (int j = 0; j < 3; j++) {		/* round 1's messages, spent */
		spu_free_secret(rb[j], rl[j]);
		rb[j] = NULL;
		rl[j] = 0;
		rbv[j] = NULL;
	}
	for (int t = 0; t < 2; t++) {
		struct ot *o = &ot[t];
		if (p == o->R) {
			sb[o->H] = mu[t];
			sl[o->H] = W;
		} else if (p == o->H) {
			if ((mu[t] = spu_malloc(n, K)) == NULL)
				goto oom;
			rbv[o->R] = mu[t];
			rl[o->R] = W;
		}
	}
	for (int j = 0; j < 3; j++)
		sbc[j] = sb[j];
	if ((rc = spu_mpc_exchange(m, sbc, sl, rbv, rl)) != 0)
		goto out;
	/* z_h = component (p + h) % 3 of A plus that of B */
	{
		_Alignas(64) uint8_t ca[CHUNK], cb[CHUNK];
		for (int h = 0; h < 2; h++) {
			int comp = (p + h) % 3;
			for (size_t i = 0; i < n; i += per) {
				size_t c = n - i < per ? n - i : per;
				spu_ring_add(k, (uint8_t *)z[h] + i * K,
				    component(m, &ot[0], 0, comp, mu[0], ca, i,
				    c), component(m, &ot[1], 1, comp, mu[1],
				    cb, i, c), c);
			}
		}
		sodium_memzero(ca, sizeof(ca));
		sodium_memzero(cb, sizeof(cb));
	}
	goto out;
oom:
	rc = nomem(m);
out:
	for (int j = 0; j < 3; j++) {
		if (sb[j] != mu[0] && sb[j] != mu[1])
			spu_free_secret(sb[j], sl[j]);
		spu_free_secret(rb[j], rl[j]);
	}
	for (int t = 0; t < 2; t++)
		spu_free_secret(mu[t], W);
	return rc;
}

/* Any protocol: B2A, then a product. */
static int
mul_a1b_b2a(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n)
{
	struct spu_sv a, c;
	int rc;

	if ((rc = spu_sv_alloc(m, &a, n)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &c, n)) != 0) {
		spu_sv_free(m, &a);
		return rc;
	}
	spu_b_and_c(m, c.s, b, 1, n);
	if ((rc = m->ops->b2a(m, a.s, c.s, n, 1)) == 0)
		rc = m->ops->mul(m, z, a.s, x, n);
	spu_sv_free(m, &a);
	spu_sv_free(m, &c);
	return rc;
}

int
spu_b_mul_a(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n)
{
	unsigned k = m->field;

	if (n == 0)
		return 0;
	switch (m->proto) {
	case SPU_REF2K:
		for (size_t i = 0; i < n; i++)
			spu_bset(k, z[0], i, (spu_bget(k, b[0], i) & 1) ?
			    spu_bget(k, x[0], i) : 0);
		return 0;
	case SPU_SEMI2K:
		if (m->nparties == 2)
			return mul_a1b_2pc(m, z, x, b, n);
		break;
	case SPU_ABY3:
		return mul_a1b_aby3(m, z, x, b, n);
	default:
		break;
	}
	return mul_a1b_b2a(m, z, x, b, n);
}
