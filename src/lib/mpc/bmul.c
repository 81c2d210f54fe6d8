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

/* x on the stream shared with party `peer` (a neighbour). */
static void
prss_with(struct spu_mpc *m, int peer, void *out, size_t n)
{
	struct spu_prg *g = peer == (m->party + 1) % 3 ? &m->prss_next :
	    &m->prss_self;

	spu_prg_ring(g, m->field, out, n);
}

/*
 * aby3: one three-party OT of a * b where the sender S knows a and
 * c = b ^ beta, helper H and receiver R know the choice bit beta.  With
 * masks w0, w1 and alpha from the S-H stream and gamma from the S-R
 * stream, S sends R m_t + w_t for m_t = (t ^ c) a - alpha - gamma, H
 * sends R w_beta, R recovers mu = m_beta.  Then a b = alpha + gamma + mu:
 * alpha is the component S and H hold, gamma the one S and R hold, mu the
 * one H and R hold (sent to H in the second round).  Per role, the
 * messages go into the round buffers sb (2n words per peer, first at
 * offset 0) and the received ones are read from rb.
 */
struct ot {
	int S, H, R;
	void *w0, *w1, *al, *ga;	/* n words each */
};

static void
ot_draw(struct spu_mpc *m, struct ot *o, size_t n)
{
	int p = m->party;

	if (p == o->S || p == o->H) {
		int peer = p == o->S ? o->H : o->S;
		prss_with(m, peer, o->w0, n);
		prss_with(m, peer, o->w1, n);
		prss_with(m, peer, o->al, n);
	}
	if (p == o->S || p == o->R)
		prss_with(m, p == o->S ? o->R : o->S, o->ga, n);
}

static int
mul_a1b_aby3(struct spu_mpc *m, void *const z[], void *const x[],
    void *const b[], size_t n)
{
	unsigned k = m->field;
	size_t K = spu_ring_size(k), W = n * K;
	int p = m->party;
	/* A: sender 0 with x0 + x1, choice b2; B: sender 2 with x2, b1 */
	struct ot ot[2] = { { 0, 1, 2, NULL, NULL, NULL, NULL },
	    { 2, 0, 1, NULL, NULL, NULL, NULL } };
	uint8_t *buf, *sb[3], *rb[3];
	void *mu;
	const void *sbc[3];
	void *rbv[3];
	size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };
	int rc;

	/* 4 mask vectors per OT, 2n words out and in per peer, mu */
	if ((buf = spu_calloc(8 + 6 * 2 + 1, W)) == NULL)
		return nomem(m);
	for (int t = 0; t < 2; t++) {
		ot[t].w0 = buf + (4 * t) * W;
		ot[t].w1 = buf + (4 * t + 1) * W;
		ot[t].al = buf + (4 * t + 2) * W;
		ot[t].ga = buf + (4 * t + 3) * W;
	}
	for (int j = 0; j < 3; j++) {
		sb[j] = buf + (8 + 2 * j) * W;
		rb[j] = buf + (14 + 2 * j) * W;
	}
	mu = buf + 20 * W;
	/* the 0-2 stream draws A's gamma before B's masks at both ends */
	ot_draw(m, &ot[0], n);
	ot_draw(m, &ot[1], n);
	/* round 1 */
	for (int t = 0; t < 2; t++) {
		struct ot *o = &ot[t];
		if (p == o->S) {
			for (size_t i = 0; i < n; i++) {
				spu_u128 a = t == 0 ? spu_bget(k, x[0], i) +
				    spu_bget(k, x[1], i) : spu_bget(k, x[0], i);
				spu_u128 c = (spu_bget(k, b[0], i) ^
				    spu_bget(k, b[1], i)) & 1;
				spu_u128 base = -spu_bget(k, o->al, i) -
				    spu_bget(k, o->ga, i);
				spu_bset(k, sb[o->R], i, base + (c ? a : 0) +
				    spu_bget(k, o->w0, i));
				spu_bset(k, sb[o->R], n + i, base +
				    (c ? 0 : a) + spu_bget(k, o->w1, i));
			}
			sl[o->R] = 2 * W;
		} else if (p == o->H) {
			/* the choice bit is H's second boolean component */
			for (size_t i = 0; i < n; i++)
				spu_bset(k, sb[o->R], i,
				    (spu_bget(k, b[1], i) & 1) ?
				    spu_bget(k, o->w1, i) :
				    spu_bget(k, o->w0, i));
			sl[o->R] = W;
		} else {
			rl[o->S] = 2 * W;
			rl[o->H] = W;
		}
	}
	for (int j = 0; j < 3; j++) {
		sbc[j] = sb[j];
		rbv[j] = rb[j];
	}
	if ((rc = spu_mpc_exchange(m, sbc, sl, rbv, rl)) != 0)
		goto out;
	/* round 2: the receiver of each OT tells its helper mu */
	memset(sl, 0, sizeof(sl));
	memset(rl, 0, sizeof(rl));
	for (int t = 0; t < 2; t++) {
		struct ot *o = &ot[t];
		if (p == o->R) {
			/* the choice bit is R's first boolean component */
			for (size_t i = 0; i < n; i++) {
				int bit = (int)(spu_bget(k, b[0], i) & 1);
				spu_u128 v = spu_bget(k, rb[o->S],
				    bit ? n + i : i) - spu_bget(k, rb[o->H], i);
				spu_bset(k, sb[o->H], i, v);
			}
			sl[o->H] = W;
		} else if (p == o->H) {
			rl[o->R] = W;
		}
	}
	for (int j = 0; j < 3; j++)
		rbv[j] = j == (p + 1) % 3 ? mu : rb[j];
	if ((rc = spu_mpc_exchange(m, sbc, sl, rbv, rl)) != 0)
		goto out;
	/*
	 * Components: A gives c1 = alpha, c0 = gamma, c2 = mu; B gives
	 * c0 = alpha', c2 = gamma', c1 = mu'.  Party i holds (c_i, c_i+1).
	 */
	{
		void *c[3][2];	/* [component][OT] for this party, or NULL */
		void *muA = p == 1 ? mu : sb[1], *muB = p == 0 ? mu : sb[0];
		memset(c, 0, sizeof(c));
		c[1][0] = ot[0].al;
		c[0][0] = ot[0].ga;
		c[2][0] = muA;
		c[0][1] = ot[1].al;
		c[2][1] = ot[1].ga;
		c[1][1] = muB;
		for (int h = 0; h < 2; h++) {
			int comp = (p + h) % 3;
			spu_ring_add(k, z[h], c[comp][0], c[comp][1], n);
		}
	}
out:
	/* not wiped: masks and messages are this party's own view, and a
	 * wipe would fault in the pages of the roles it does not play */
	free(buf);
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
