/*
 * bitplane.c - the MSB circuit on bit planes.  The k bits of n shared
 * words are transposed into k planes of n bits (plane j = bit j of every
 * element, 64 elements per machine word), so that carry-save adders,
 * the shift of a carry and the pairing of bit ranges in the carry tree
 * are choices of plane, not bit shuffles inside words, and every AND
 * round is one call of the protocol's and_p on exactly the planes it
 * needs (protocols.md 1.4: MSB as the carry-out of the addition of the
 * components).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boolean.h"
#include "../mem.h"

/* cnt planes of pb = ceil(n / 8) bytes for every share, plane j at
 * s[share] + j pb: no padding between planes, so an AND round sends
 * n bits per plane rounded to a byte, not to a word. */
struct planes {
	uint8_t *s[SPU_MAX_SHARES];
	unsigned cnt;
	size_t pb;
};

/* zero: every plane zero (untouched pages of a fresh buffer cost
 * nothing until written). */
static int
planes_alloc_z(struct spu_mpc *m, struct planes *p, unsigned cnt, size_t pb,
    int zero)
{
	memset(p, 0, sizeof(*p));
	p->cnt = cnt;
	p->pb = pb;
	if (cnt == 0 || pb > SIZE_MAX / 2 / cnt)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (int s = 0; s < m->nshares; s++)
		if ((p->s[s] = zero ? spu_calloc((cnt * pb + 7) / 8, 8) :
		    spu_bytes_alloc(cnt * pb)) == NULL)
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	return 0;
}

static int
planes_alloc(struct spu_mpc *m, struct planes *p, unsigned cnt, size_t pb)
{
	return planes_alloc_z(m, p, cnt, pb, 0);
}

/* Not wiped: planes only ever hold this party's shares, which are its
 * own view of the computation. */
static void
planes_free(struct spu_mpc *m, struct planes *p)
{
	for (int s = 0; s < m->nshares; s++) {
		spu_bytes_free(p->s[s], (size_t)p->cnt * p->pb);
		p->s[s] = NULL;
	}
}

static uint8_t *
plane(const struct planes *p, int s, unsigned j)
{
	return p->s[s] + (size_t)j * p->pb;
}

/* Transpose a 64x64 bit matrix in place: bit c of a[r] <-> bit r of
 * a[c], by swapping off-diagonal blocks of halving size. */
static void
transpose64(uint64_t a[64])
{
	uint64_t mk = UINT64_C(0x00000000ffffffff);

	for (unsigned j = 32; j != 0; j >>= 1, mk ^= mk << j)
		for (unsigned r = 0; r < 64; r = ((r | j) + 1) & ~j) {
			uint64_t t = ((a[r] >> j) ^ a[r | j]) & mk;
			a[r | j] ^= t;
			a[r] ^= t << j;
		}
}

/* 64 elements of share w from element i0 (c of them, zero beyond), the
 * 64 bits from bit 64 half on, into blk; 0 when they are all zero. */
static int
load_block(unsigned k, const void *w, size_t i0, size_t c, unsigned half,
    uint64_t blk[64])
{
	uint64_t any = 0;
	size_t i;

	if (k == 64) {
		memcpy(blk, (const uint64_t *)w + i0, c * 8);
	} else if (k == 32) {
		for (i = 0; i < c; i++)
			blk[i] = ((const uint32_t *)w)[i0 + i];
	} else {
		for (i = 0; i < c; i++)
			blk[i] = (uint64_t)(((const spu_u128 *)w)[i0 + i] >>
			    64 * half);
	}
	for (i = c; i < 64; i++)
		blk[i] = 0;
	for (i = 0; i < 64; i++)
		any |= blk[i];
	return any != 0;
}

/* nb <= 8 bytes of v, little-endian, at d. */
static void
store_le(uint8_t *d, uint64_t v, size_t nb)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (nb == 8) {
		memcpy(d, &v, 8);
		return;
	}
#endif
	for (size_t t = 0; t < nb; t++)
		d[t] = (uint8_t)(v >> 8 * t);
}

void
spu_b_to_planes(unsigned k, unsigned bits, uint8_t *dst, const void *w,
    size_t n, size_t pb)
{
	uint64_t blk[64];

	for (size_t b = 0; b < (n + 63) / 64; b++) {
		size_t i0 = b * 64, c = n - i0 < 64 ? n - i0 : 64;
		size_t nb = (c + 7) / 8;
		for (unsigned half = 0; half < (bits + 63) / 64; half++) {
			unsigned top = bits - 64 * half < 64 ?
			    bits - 64 * half : 64;
			/* a component is zero in most shares: dst already is */
			if (!load_block(k, w, i0, c, half, blk))
				continue;
			transpose64(blk);
			/* plane bytes 8b.. in little-endian order */
			for (unsigned j = 0; j < top; j++)
				store_le(dst + (size_t)(64 * half + j) * pb +
				    8 * b, blk[j], nb);
		}
	}
}

static void
xor_planes(struct spu_mpc *m, const struct planes *z, unsigned zj,
    const struct planes *x, unsigned xj, const struct planes *y,
    unsigned yj, unsigned cnt)
{
	for (int s = 0; s < m->nshares; s++)
		spu_bytes_xor(plane(z, s, zj), plane(x, s, xj),
		    plane(y, s, yj), cnt * z->pb);
}

static void
copy_planes(struct spu_mpc *m, const struct planes *z, unsigned zj,
    const struct planes *x, unsigned xj, unsigned cnt)
{
	for (int s = 0; s < m->nshares; s++)
		memmove(plane(z, s, zj), plane(x, s, xj), cnt * z->pb);
}

/* z planes [zj, zj+cnt) = x [xj, ...) AND y [yj, ...): one round. */
static int
and_planes(struct spu_mpc *m, const struct planes *z, unsigned zj,
    const struct planes *x, unsigned xj, const struct planes *y,
    unsigned yj, unsigned cnt)
{
	uint8_t *zs[SPU_MAX_SHARES], *xs[SPU_MAX_SHARES], *ys[SPU_MAX_SHARES];

	for (int s = 0; s < m->nshares; s++) {
		zs[s] = plane(z, s, zj);
		xs[s] = plane(x, s, xj);
		ys[s] = plane(y, s, yj);
	}
	return m->ops->and_p(m, zs, xs, ys, cnt * z->pb);
}

/* Two addends from the protocol's split_p (one round), as planes. */
static int
split_planes(struct spu_mpc *m, struct planes *c, int *cnt, void *const x[],
    size_t n, unsigned k)
{
	size_t pb = (n + 7) / 8;
	int rc;

	memset(&c[1], 0, sizeof(c[1]));
	if ((rc = planes_alloc_z(m, &c[0], k, pb, 1)) != 0 ||
	    (rc = planes_alloc_z(m, &c[1], k, pb, 1)) != 0 ||
	    (rc = m->ops->split_p(m, c[0].s, c[1].s, x, n, pb, k)) != 0) {
		planes_free(m, &c[0]);
		planes_free(m, &c[1]);
		return rc;
	}
	*cnt = 2;
	return 0;
}

/*
 * The low k bits of the components of x as planes (the sum mod 2^k),
 * reduced by carry-save adders to two
 * (c[0], c[1]): s = a^b^d, carry = maj(a,b,d) shifted up one plane with
 * maj = ((a^d)&(b^d))^d, all groups of three in one AND round over the
 * k-1 planes whose carry stays in range.  *cnt = number left (1 only
 * for a single-component protocol).
 */
static int
component_planes(struct spu_mpc *m, struct planes *c, int *cnt,
    void *const x[], size_t n, unsigned k)
{
	int nc = m->ops->nparts(m), rc;
	struct spu_sv w;
	struct planes t;

	if (nc < 1 || nc > SPU_MAX_PARTIES)
		return spu_mpc_fail(m, SPU_EINVAL, "bad component count");
	if (m->ops->split_p != NULL)
		return split_planes(m, c, cnt, x, n, k);
	if ((rc = spu_sv_alloc(m, &w, n)) != 0)
		return rc;
	for (int j = 0; j < nc; j++) {
		if ((rc = planes_alloc_z(m, &c[j], k, (n + 7) / 8, 1)) != 0) {
			planes_free(m, &c[j]);
			while (j-- > 0)
				planes_free(m, &c[j]);
			spu_sv_free(m, &w);
			return rc;
		}
		m->ops->part_b(m, w.s, x, j, n);
		for (int q = 0; q < m->nshares; q++)
			spu_b_to_planes(m->field, k, c[j].s[q], w.s[q], n,
			    c[j].pb);
	}
	spu_sv_free(m, &w);
	while (nc > 2) {
		int g = nc / 3, left = 0;
		if ((rc = planes_alloc(m, &t, 2 * (unsigned)g * (k - 1),
		    c[0].pb)) != 0) {
			planes_free(m, &t);
			break;
		}
		/* t = [a^d for every group | b^d for every group] */
		for (int q = 0; q < g; q++) {
			xor_planes(m, &t, (unsigned)q * (k - 1), &c[3 * q], 0,
			    &c[3 * q + 2], 0, k - 1);
			xor_planes(m, &t, (unsigned)(g + q) * (k - 1),
			    &c[3 * q + 1], 0, &c[3 * q + 2], 0, k - 1);
		}
		rc = and_planes(m, &t, 0, &t, 0, &t, (unsigned)g * (k - 1),
		    (unsigned)g * (k - 1));
		for (int q = 0; rc == 0 && q < g; q++) {
			struct planes *a = &c[3 * q], *b = &c[3 * q + 1],
			    *d = &c[3 * q + 2];
			xor_planes(m, a, 0, a, 0, b, 0, k);
			xor_planes(m, a, 0, a, 0, d, 0, k);
			/* b = carry: plane j+1 = maj_j, plane 0 = 0 */
			xor_planes(m, b, 1, &t, (unsigned)q * (k - 1), d, 0,
			    k - 1);
			for (int s = 0; s < m->nshares; s++)
				memset(plane(b, s, 0), 0, b->pb);
		}
		planes_free(m, &t);
		if (rc != 0)
			break;
		for (int q = 0; q < g; q++) {
			planes_free(m, &c[3 * q + 2]);
			c[left++] = c[3 * q];
			c[left++] = c[3 * q + 1];
		}
		for (int j = 3 * g; j < nc; j++)
			c[left++] = c[j];
		nc = left;
	}
	if (rc != 0) {
		for (int j = 0; j < nc; j++)
			planes_free(m, &c[j]);
		return rc;
	}
	*cnt = nc;
	return 0;
}

/*
 * Bit k-1 of x mod 2^k (its sign when |x| < 2^(k-1): the comparisons
 * of values known to be that small need only k bits, spu_hal_cmp_bits).
 * MSB = a_{k-1} ^ b_{k-1} ^ carry into bit k-1.  The carry is a tree
 * over the (G, P) pairs of bits 0..k-2, G_j = a_j & b_j, P_j = a_j ^
 * b_j: adjacent ranges combine as (G_hi ^ P_hi & G_lo, P_hi & P_lo),
 * a range holding bit 0 needs no P (nothing carries into it).  Rounds:
 * reduction + 1 + ceil(log2(k-1)); AND traffic k-1 + about k-1 bits.
 */
int
spu_b_msb_p(struct spu_mpc *m, uint8_t *const z[], void *const x[],
    size_t n, unsigned k)
{
	unsigned w = k - 1;
	struct planes c[SPU_MAX_PARTIES], G, P, L;
	int cnt = 0, rc;

	if (k < 2 || k > m->field)
		return spu_mpc_fail(m, SPU_EINVAL, "msb: bad width");
	if (n == 0)
		return 0;
	if ((rc = component_planes(m, c, &cnt, x, n, k)) != 0)
		return rc;
	memset(&G, 0, sizeof(G));
	memset(&P, 0, sizeof(P));
	memset(&L, 0, sizeof(L));
	if (cnt == 1) {
		for (int s = 0; s < m->nshares; s++)
			memcpy(z[s], plane(&c[0], s, k - 1), c[0].pb);
		goto out;
	}
	if ((rc = planes_alloc(m, &G, w, c[0].pb)) != 0 ||
	    (rc = and_planes(m, &G, 0, &c[0], 0, &c[1], 0, w)) != 0)
		goto out;
	/* P = a ^ b in a's planes (plane w = top = a_{k-1} ^ b_{k-1}, kept
	 * to the end); b's memory goes to the tree */
	xor_planes(m, &c[0], 0, &c[0], 0, &c[1], 0, w + 1);
	P = c[0];
	memset(&c[0], 0, sizeof(c[0]));
	planes_free(m, &c[1]);
	if ((rc = planes_alloc(m, &L, w, G.pb)) != 0)
		goto out;
	while (w > 1) {
		unsigned np = w / 2, nl = 2 * np - 1;
		const uint8_t *lp[SPU_MAX_SHARES][128];
		const uint8_t *rp[SPU_MAX_SHARES][128];
		const uint8_t *const *ls[SPU_MAX_SHARES];
		const uint8_t *const *rs[SPU_MAX_SHARES];
		/* L = [P_{2q+1} for q < np, P_{2q+1} for 1 <= q < np] AND
		 * [G_{2q} for q < np, P_{2q} for 1 <= q < np], the operands
		 * gathered where they are */
		for (int s = 0; s < m->nshares; s++) {
			for (unsigned q = 0; q < np; q++) {
				lp[s][q] = plane(&P, s, 2 * q + 1);
				rp[s][q] = plane(&G, s, 2 * q);
				if (q > 0) {
					lp[s][np + q - 1] = lp[s][q];
					rp[s][np + q - 1] = plane(&P, s, 2 * q);
				}
			}
			ls[s] = lp[s];
			rs[s] = rp[s];
		}
		if ((rc = m->ops->and_pv(m, L.s, ls, rs, nl, L.pb)) != 0)
			goto out;
		for (unsigned q = 0; q < np; q++) {
			xor_planes(m, &G, q, &G, 2 * q + 1, &L, q, 1);
			if (q > 0)
				copy_planes(m, &P, q, &L, np + q - 1, 1);
		}
		if (w & 1) {
			copy_planes(m, &G, np, &G, w - 1, 1);
			copy_planes(m, &P, np, &P, w - 1, 1);
		}
		w = np + (w & 1);
	}
	xor_planes(m, &G, 0, &G, 0, &P, k - 1, 1);
	for (int s = 0; s < m->nshares; s++)
		memcpy(z[s], plane(&G, s, 0), G.pb);
out:
	planes_free(m, &G);
	planes_free(m, &P);
	planes_free(m, &L);
	for (int j = 0; j < cnt; j++)
		planes_free(m, &c[j]);
	return rc;
}

int
spu_b_msb(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned k)
{
	uint8_t *p[SPU_MAX_SHARES] = { NULL };
	size_t pb = (n + 7) / 8;
	int rc = 0;

	for (int s = 0; s < m->nshares; s++)
		if ((p[s] = spu_bytes_alloc(pb)) == NULL)
			rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if (rc == 0 && (rc = spu_b_msb_p(m, p, x, n, k)) == 0)
		for (int s = 0; s < m->nshares; s++)
			spu_bool_unpack(m->field, z[s], p[s], n, 1);
	for (int s = 0; s < m->nshares; s++)
		spu_bytes_free(p[s], pb);
	return rc;
}
