/*
 * boolean.c - boolean-share circuits over any protocol (protocols.md 1.4):
 * the additive components of an arithmetic sharing are turned into
 * boolean sharings locally (part_b), reduced to two addends by carry-save
 * adders, then added (Kogge-Stone, for A2B) or only their carry-out
 * computed (MSB).  The only interactive primitives used are the
 * protocol's and_b and b2a.  Not for arithmetic: see hal/.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boolean.h"
#include "../mem.h"

static int
nomem(struct spu_mpc *m)
{
	return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
}

/* ---- share vectors ---- */

int
spu_sv_alloc(struct spu_mpc *m, struct spu_sv *v, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->n = n;
	for (int s = 0; s < m->nshares; s++)
		if ((v->s[s] = spu_ring_alloc(m->field, n)) == NULL) {
			spu_sv_free(m, v);
			return nomem(m);
		}
	return 0;
}

void
spu_sv_free(struct spu_mpc *m, struct spu_sv *v)
{
	for (int s = 0; s < SPU_MAX_SHARES; s++) {
		spu_free_secret(v->s[s], v->n * spu_ring_size(m->field));
		v->s[s] = NULL;
	}
}

struct spu_sv
spu_sv_view(struct spu_mpc *m, const struct spu_sv *v, size_t off, size_t n)
{
	struct spu_sv r;
	size_t K = spu_ring_size(m->field);

	memset(&r, 0, sizeof(r));
	r.n = n;
	for (int s = 0; s < m->nshares; s++)
		r.s[s] = (uint8_t *)v->s[s] + off * K;
	return r;
}

void
spu_sv_copy(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		if (z[s] != x[s])
			memmove(z[s], x[s], n * spu_ring_size(m->field));
}

/* ---- local operations ---- */

void
spu_b_xor(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		spu_ring_xor(m->field, z[s], x[s], y[s], n);
}

int
spu_b_xor_c(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n)
{
	struct spu_sv t;
	void *p;
	int rc;

	if ((p = spu_ring_alloc(m->field, n)) == NULL)
		return nomem(m);
	if ((rc = spu_sv_alloc(m, &t, n)) != 0) {
		free(p);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		spu_bset(m->field, p, i, c);
	/* p2s puts p in exactly one component: a valid XOR sharing too */
	m->ops->p2s(m, t.s, p, n);
	spu_b_xor(m, z, x, t.s, n);
	spu_sv_free(m, &t);
	free(p);
	return 0;
}

void
spu_b_and_c(struct spu_mpc *m, void *const z[], void *const x[],
    spu_u128 c, size_t n)
{
	for (int s = 0; s < m->nshares; s++)
		for (size_t i = 0; i < n; i++)
			spu_bset(m->field, z[s], i,
			    spu_bget(m->field, x[s], i) & c);
}

void
spu_b_lshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned sh, size_t n)
{
	for (int s = 0; s < m->nshares; s++) {
		if (sh >= m->field)
			spu_ring_zero(m->field, z[s], n);
		else
			spu_ring_lshift(m->field, z[s], x[s], sh, n);
	}
}

void
spu_b_rshift(struct spu_mpc *m, void *const z[], void *const x[],
    unsigned sh, size_t n)
{
	for (int s = 0; s < m->nshares; s++) {
		if (sh >= m->field)
			spu_ring_zero(m->field, z[s], n);
		else
			spu_ring_rshift(m->field, z[s], x[s], sh, n);
	}
}

/* ---- reduction of the additive components to two addends ---- */

static void
free_parts(struct spu_mpc *m, struct spu_sv *p, int cnt)
{
	for (int i = 0; i < cnt; i++)
		spu_sv_free(m, &p[i]);
}

/*
 * Boolean sharings of the components of x, reduced by carry-save adders
 * (s = a^b^c, carry = maj(a,b,c) << 1 with maj = ((a^c)&(b^c))^c, all
 * triples in one AND round) until at most two remain.  *cnt is 1 only
 * for a single-component protocol.
 */
static int
addends(struct spu_mpc *m, struct spu_sv *p, int *cnt, void *const x[],
    size_t n)
{
	unsigned k = m->field;
	int c = m->ops->nparts(m), rc;

	if (c < 1 || c > SPU_MAX_PARTIES)
		return spu_mpc_fail(m, SPU_EINVAL, "bad component count");
	for (int j = 0; j < c; j++) {
		if ((rc = spu_sv_alloc(m, &p[j], n)) != 0) {
			free_parts(m, p, j);
			return rc;
		}
		m->ops->part_b(m, p[j].s, x, j, n);
	}
	while (c > 2) {
		int g = c / 3, nc = 0;
		struct spu_sv xa, ya, np[SPU_MAX_PARTIES];
		if ((rc = spu_sv_alloc(m, &xa, g * n)) != 0 ||
		    (rc = spu_sv_alloc(m, &ya, g * n)) != 0) {
			spu_sv_free(m, &xa);
			free_parts(m, p, c);
			return rc;
		}
		for (int t = 0; t < g; t++) {
			struct spu_sv xv = spu_sv_view(m, &xa, t * n, n);
			struct spu_sv yv = spu_sv_view(m, &ya, t * n, n);
			spu_b_xor(m, xv.s, p[3 * t].s, p[3 * t + 2].s, n);
			spu_b_xor(m, yv.s, p[3 * t + 1].s, p[3 * t + 2].s, n);
		}
		/* bit k-1 of maj is shifted out: AND only k-1 bits */
		spu_b_and_c(m, xa.s, xa.s, spu_bool_mask(k - 1), g * n);
		spu_b_and_c(m, ya.s, ya.s, spu_bool_mask(k - 1), g * n);
		rc = m->ops->and_b(m, xa.s, xa.s, ya.s, g * n, k - 1);
		for (int t = 0; rc == 0 && t < g; t++) {
			struct spu_sv xv = spu_sv_view(m, &xa, t * n, n);
			struct spu_sv *a = &p[3 * t], *b = &p[3 * t + 1],
			    *cc = &p[3 * t + 2];
			/* b := carry << 1, a := a ^ b ^ c */
			spu_b_xor(m, a->s, a->s, b->s, n);
			spu_b_xor(m, a->s, a->s, cc->s, n);
			spu_b_xor(m, b->s, xv.s, cc->s, n);
			spu_b_lshift(m, b->s, b->s, 1, n);
			spu_sv_free(m, cc);
			np[nc++] = *a;
			np[nc++] = *b;
		}
		spu_sv_free(m, &xa);
		spu_sv_free(m, &ya);
		if (rc != 0) {
			for (int t = 0; t < g; t++)
				spu_sv_free(m, &p[3 * t + 2]);
			free_parts(m, p, c);
			return rc;
		}
		for (int j = 3 * g; j < c; j++)
			np[nc++] = p[j];
		memcpy(p, np, sizeof(np[0]) * nc);
		c = nc;
	}
	*cnt = c;
	return 0;
}

/* ---- A2B: Kogge-Stone adder ---- */

int
spu_b_a2b(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	unsigned k = m->field;
	struct spu_sv p[SPU_MAX_PARTIES], P, G, T;
	int cnt, rc;

	if ((rc = addends(m, p, &cnt, x, n)) != 0)
		return rc;
	if (cnt == 1) {
		spu_sv_copy(m, z, p[0].s, n);
		free_parts(m, p, 1);
		return 0;
	}
	memset(&P, 0, sizeof(P));
	memset(&G, 0, sizeof(G));
	memset(&T, 0, sizeof(T));
	if ((rc = spu_sv_alloc(m, &P, 2 * n)) != 0 ||
	    (rc = spu_sv_alloc(m, &G, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &T, 2 * n)) != 0)
		goto out;
	/* P = a ^ b, G = a & b */
	spu_b_xor(m, P.s, p[0].s, p[1].s, n);
	if ((rc = m->ops->and_b(m, G.s, p[0].s, p[1].s, n, k)) != 0)
		goto out;
	for (unsigned s = 1; s < k; s <<= 1) {
		struct spu_sv P1 = spu_sv_view(m, &P, n, n);
		struct spu_sv T0 = spu_sv_view(m, &T, 0, n);
		struct spu_sv T1 = spu_sv_view(m, &T, n, n);
		int last = (s << 1) >= k;
		/* left operands [P, P], right [G << s, P << s] */
		spu_sv_copy(m, P1.s, P.s, n);
		spu_b_lshift(m, T0.s, G.s, s, n);
		spu_b_lshift(m, T1.s, P.s, s, n);
		if ((rc = m->ops->and_b(m, T.s, P.s, T.s, last ? n : 2 * n,
		    k)) != 0)
			goto out;
		spu_b_xor(m, G.s, G.s, T0.s, n);
		if (!last)
			spu_sv_copy(m, P.s, T1.s, n);
	}
	/* sum = a ^ b ^ (G << 1) */
	spu_b_lshift(m, G.s, G.s, 1, n);
	spu_b_xor(m, G.s, G.s, p[0].s, n);
	spu_b_xor(m, z, G.s, p[1].s, n);
out:
	spu_sv_free(m, &P);
	spu_sv_free(m, &G);
	spu_sv_free(m, &T);
	free_parts(m, p, cnt);
	return rc;
}

int
spu_b_msb_a(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned k)
{
	struct spu_sv b;
	int rc = 0;

	if (m->ops->b2a_bit != NULL) {
		uint8_t *p[SPU_MAX_SHARES] = { NULL };
		size_t pb = (n + 7) / 8;
		for (int s = 0; s < m->nshares; s++)
			if ((p[s] = spu_bytes_alloc(pb)) == NULL)
				rc = spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
		if (rc == 0 && (rc = spu_b_msb_p(m, p, x, n, k)) == 0)
			rc = m->ops->b2a_bit(m, z, (const uint8_t *const *)p,
			    n);
		for (int s = 0; s < m->nshares; s++)
			spu_bytes_free(p[s], pb);
		return rc;
	}
	if ((rc = spu_sv_alloc(m, &b, n)) != 0)
		return rc;
	if ((rc = spu_b_msb(m, b.s, x, n, k)) == 0)
		rc = m->ops->b2a(m, z, b.s, n, 1);
	spu_sv_free(m, &b);
	return rc;
}

/* Bits pos[t] of x[i], packed 8 to a byte at t n + i, per share (p[s]
 * of (cnt n + 7) / 8 bytes, freed by the caller with spu_bytes_free). */
static int
pack_bits(struct spu_mpc *m, uint8_t *p[], void *const x[], size_t n,
    const unsigned *pos, unsigned cnt)
{
	unsigned f = m->field;
	size_t pb = ((size_t)cnt * n + 7) / 8;

	for (int s = 0; s < m->nshares; s++) {
		if ((p[s] = spu_bytes_alloc(pb)) == NULL)
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		memset(p[s], 0, pb);
		for (unsigned t = 0; t < cnt; t++)
			for (size_t i = 0; i < n; i++) {
				size_t j = (size_t)t * n + i;
				spu_u128 v = spu_bget(f, x[s], i);
				p[s][j >> 3] |= (uint8_t)(((v >> pos[t]) & 1) <<
				    (j & 7));
			}
	}
	return 0;
}

/* spu_b_bits_a through the protocol's b2a_bit: the bits packed, not one
 * per word. */
static int
bits_a_packed(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, const unsigned *pos, unsigned cnt)
{
	size_t pb = ((size_t)cnt * n + 7) / 8;
	uint8_t *p[SPU_MAX_SHARES] = { NULL };
	int rc;

	if ((rc = pack_bits(m, p, x, n, pos, cnt)) == 0)
		rc = m->ops->b2a_bit(m, z, (const uint8_t *const *)p,
		    (size_t)cnt * n);
	for (int s = 0; s < m->nshares; s++)
		spu_bytes_free(p[s], pb);
	return rc;
}

/* ---- folds ---- */

int
spu_b_and_fold(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned w)
{
	struct spu_sv v, hi;
	int rc;

	if (w == 0 || w > m->field)
		return spu_mpc_fail(m, SPU_EINVAL, "and_fold: bad width");
	if ((rc = spu_sv_alloc(m, &v, n)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &hi, n)) != 0) {
		spu_sv_free(m, &v);
		return rc;
	}
	spu_b_and_c(m, v.s, x, spu_bool_mask(w), n);
	while (rc == 0 && w > 1) {
		unsigned h;
		if (w & 1) {
			/* pad with a constant 1 */
			if ((rc = spu_b_xor_c(m, v.s, v.s, (spu_u128)1 << w,
			    n)) != 0)
				break;
			w++;
		}
		h = w / 2;
		spu_b_rshift(m, hi.s, v.s, h, n);
		spu_b_and_c(m, v.s, v.s, spu_bool_mask(h), n);
		rc = m->ops->and_b(m, v.s, v.s, hi.s, n, h);
		w = h;
	}
	if (rc == 0)
		spu_sv_copy(m, z, v.s, n);
	spu_sv_free(m, &v);
	spu_sv_free(m, &hi);
	return rc;
}

int
spu_b_prefix_or(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, unsigned w)
{
	struct spu_sv p, q, t;
	int rc;

	if (w == 0 || w > m->field)
		return spu_mpc_fail(m, SPU_EINVAL, "prefix_or: bad width");
	memset(&q, 0, sizeof(q));
	memset(&t, 0, sizeof(t));
	if ((rc = spu_sv_alloc(m, &p, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &q, n)) != 0 ||
	    (rc = spu_sv_alloc(m, &t, n)) != 0)
		goto out;
	spu_b_and_c(m, p.s, x, spu_bool_mask(w), n);
	/* p |= p >> s, where a | b = a ^ b ^ (a & b) */
	for (unsigned s = 1; s < w; s <<= 1) {
		spu_b_rshift(m, q.s, p.s, s, n);
		if ((rc = m->ops->and_b(m, t.s, p.s, q.s, n, w)) != 0)
			goto out;
		spu_b_xor(m, p.s, p.s, q.s, n);
		spu_b_xor(m, p.s, p.s, t.s, n);
	}
	spu_sv_copy(m, z, p.s, n);
out:
	spu_sv_free(m, &p);
	spu_sv_free(m, &q);
	spu_sv_free(m, &t);
	return rc;
}

int
spu_b_bits_a(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, const unsigned *pos, unsigned cnt)
{
	unsigned f = m->field;
	struct spu_sv b;
	int rc;

	if (cnt == 0)
		return 0;
	for (unsigned t = 0; t < cnt; t++)
		if (pos[t] >= f)
			return spu_mpc_fail(m, SPU_EINVAL, "bit out of range");
	if (m->ops->b2a_bit != NULL)
		return bits_a_packed(m, z, x, n, pos, cnt);
	if ((rc = spu_sv_alloc(m, &b, (size_t)cnt * n)) != 0)
		return rc;
	for (unsigned t = 0; t < cnt; t++)
		for (int s = 0; s < m->nshares; s++)
			for (size_t i = 0; i < n; i++)
				spu_bset(f, b.s[s], t * n + i,
				    (spu_bget(f, x[s], i) >> pos[t]) & 1);
	rc = m->ops->b2a(m, z, b.s, (size_t)cnt * n, 1);
	spu_sv_free(m, &b);
	return rc;
}

int
spu_b_bits_lin(struct spu_mpc *m, void *const z[], void *const x[],
    size_t n, const unsigned *pos, unsigned cnt, const spu_u128 *w,
    unsigned L)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), pb = ((size_t)cnt * n + 7) / 8;
	struct spu_sv b;
	int rc;

	if (cnt == 0 || L == 0) {
		for (int s = 0; s < m->nshares; s++)
			spu_ring_zero(f, z[s], (size_t)L * n);
		return 0;
	}
	for (unsigned t = 0; t < cnt; t++)
		if (pos[t] >= f)
			return spu_mpc_fail(m, SPU_EINVAL, "bit out of range");
	if (m->ops->b2a_lin != NULL) {
		uint8_t *p[SPU_MAX_SHARES] = { NULL };
		if ((rc = pack_bits(m, p, x, n, pos, cnt)) == 0)
			rc = m->ops->b2a_lin(m, z, (const uint8_t *const *)p,
			    n, cnt, w, L);
		for (int s = 0; s < m->nshares; s++)
			spu_bytes_free(p[s], pb);
		return rc;
	}
	/* the bits themselves, then the sums (local) */
	if ((rc = spu_sv_alloc(m, &b, (size_t)cnt * n)) != 0)
		return rc;
	if ((rc = spu_b_bits_a(m, b.s, x, n, pos, cnt)) == 0)
		for (int s = 0; s < m->nshares; s++) {
			spu_ring_zero(f, z[s], (size_t)L * n);
			for (unsigned l = 0; l < L; l++)
				for (unsigned t = 0; t < cnt; t++) {
					uint8_t *zl = (uint8_t *)z[s] +
					    (size_t)l * n * K;
					const uint8_t *bt = (uint8_t *)b.s[s] +
					    (size_t)t * n * K;
					spu_ring_axpy(f, zl, bt,
					    w[(size_t)l * cnt + t], n);
				}
		}
	spu_sv_free(m, &b);
	return rc;
}

/*
 * [x == 0].  With at most two components c0 + c1 = x: x = 0 iff
 * c0 == -c1, i.e. iff u = c0 ^ (-c1) (a boolean sharing made locally)
 * has no bit set: AND-fold NOT u, log2 k rounds of shrinking ANDs, then
 * b2a.  Otherwise 1 - msb(x) - msb(-x) from one batched MSB.
 */
int
spu_b_eqz_a(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	unsigned k = m->field;
	int np = m->ops->nparts(m), rc;
	struct spu_sv u, v;
	void *one;

	if ((rc = spu_sv_alloc(m, &u, 2 * n)) != 0)
		return rc;
	if ((rc = spu_sv_alloc(m, &v, n)) != 0) {
		spu_sv_free(m, &u);
		return rc;
	}
	if (np <= 2 || m->ops->split_b != NULL) {
		/* x == 0 iff the two sharings a, b with x = a - b agree in
		 * every bit: AND of the bits of NOT (a ^ b) */
		struct spu_sv u1 = spu_sv_view(m, &u, n, n);
		if (m->ops->split_b != NULL) {
			if ((rc = m->ops->split_b(m, u.s, u1.s, x, n)) != 0)
				goto out;
			spu_b_xor(m, u.s, u.s, u1.s, n);
		} else {
			m->ops->part_b(m, u.s, x, 0, n);
			if (np == 2) {
				spu_mpc_neg(m, v.s, x, n);
				m->ops->part_b(m, u1.s, v.s, 1, n);
				spu_b_xor(m, u.s, u.s, u1.s, n);
			}
		}
		if ((rc = spu_b_xor_c(m, u.s, u.s, spu_bool_mask(k), n)) == 0 &&
		    (rc = spu_b_and_fold(m, v.s, u.s, n, k)) == 0)
			rc = m->ops->b2a(m, z, v.s, n, 1);
		goto out;
	}
	{
		struct spu_sv u1 = spu_sv_view(m, &u, n, n);
		spu_sv_copy(m, u.s, x, n);
		spu_mpc_neg(m, u1.s, x, n);
		if ((rc = spu_b_msb_a(m, u.s, u.s, 2 * n, k)) != 0)
			goto out;
		spu_mpc_add(m, v.s, u.s, u1.s, n);
		if ((one = spu_ring_alloc(k, n)) == NULL) {
			rc = nomem(m);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			spu_bset(k, one, i, 1);
		m->ops->p2s(m, z, one, n);
		spu_mpc_sub(m, z, z, v.s, n);
		free(one);
	}
out:
	spu_sv_free(m, &u);
	spu_sv_free(m, &v);
	return rc;
}

/* ---- AND on word-layout shares ---- */

int
spu_b_and_words(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n, unsigned bits)
{
	size_t len = spu_bool_packed_size(n, bits);
	uint8_t *px[SPU_MAX_SHARES] = { NULL }, *py[SPU_MAX_SHARES] = { NULL };
	int rc = 0;

	if (n == 0)
		return 0;
	if (bits == 0 || bits > m->field || len == SIZE_MAX)
		return spu_mpc_fail(m, SPU_EINVAL, "and: bad width");
	for (int s = 0; s < m->nshares; s++) {
		if ((px[s] = spu_bytes_alloc(len)) == NULL ||
		    (py[s] = spu_bytes_alloc(len)) == NULL) {
			rc = nomem(m);
			goto out;
		}
		spu_bool_pack(m->field, px[s], x[s], n, bits);
		spu_bool_pack(m->field, py[s], y[s], n, bits);
	}
	if ((rc = m->ops->and_p(m, px, px, py, len)) != 0)
		goto out;
	/* unpack reads n bits words only: the padding is never seen */
	for (int s = 0; s < m->nshares; s++)
		spu_bool_unpack(m->field, z[s], px[s], n, bits);
out:
	for (int s = 0; s < m->nshares; s++) {
		spu_bytes_free(px[s], len);
		spu_bytes_free(py[s], len);
	}
	return rc;
}
