/*
 * aby3.c - 3-party replicated sharing over Z_2^k (protocols.md section 3).
 *
 * x = x0 + x1 + x2; party i holds (x_i, x_{i+1}).  Zero sharings come from
 * PRSS: alpha_i = PRG(s_i) - PRG(s_{i+1}), where party i holds s_i (shared
 * with party i-1) and s_{i+1} (shared with party i+1).  Semi-honest with
 * an honest majority: any single party sees only uniformly masked data.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mpc.h"
#include "boolean.h"
#include "../mem.h"

#define NEXT(m) (((m)->party + 1) % 3)
#define PREV(m) (((m)->party + 2) % 3)

static void
aby3_p2s(struct spu_mpc *m, void *const z[], const void *p, size_t n)
{
	/* x0 = p: party 0 holds it first, party 2 second */
	spu_ring_zero(m->field, z[0], n);
	spu_ring_zero(m->field, z[1], n);
	if (m->party == 0)
		spu_ring_copy(m->field, z[0], p, n);
	else if (m->party == 2)
		spu_ring_copy(m->field, z[1], p, n);
}

static void
aby3_add_p(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t n)
{
	spu_ring_copy(m->field, z[0], x[0], n);
	spu_ring_copy(m->field, z[1], x[1], n);
	if (m->party == 0)
		spu_ring_add(m->field, z[0], x[0], p, n);
	else if (m->party == 2)
		spu_ring_add(m->field, z[1], x[1], p, n);
}

/* Send buf to one peer and receive as many bytes from another: 1 round. */
static int
pass(struct spu_mpc *m, int to, const void *sbuf, size_t slen, int from,
    void *rbuf, size_t rlen)
{
	const void *sb[3] = { NULL, NULL, NULL };
	void *rb[3] = { NULL, NULL, NULL };
	size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };

	if (to >= 0) {
		sb[to] = sbuf;
		sl[to] = slen;
	}
	if (from >= 0) {
		rb[from] = rbuf;
		rl[from] = rlen;
	}
	return spu_mpc_exchange(m, sb, sl, rb, rl);
}

/* Open: send my second component to the previous party, who lacks it. */
static int
aby3_open(struct spu_mpc *m, void *out, void *const x[], size_t n)
{
	size_t bytes = n * spu_ring_size(m->field);
	void *in = spu_mpc_scratch(m, 0, bytes);
	int rc;

	if (in == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = pass(m, PREV(m), x[1], bytes, NEXT(m), in, bytes)) != 0)
		return rc;
	spu_ring_add(m->field, out, x[0], x[1], n);
	spu_ring_add(m->field, out, out, in, n);
	return 0;
}

/* z_i (n words, 3-out-of-3 additive) -> replicated: add a PRSS zero share,
 * send to the previous party, receive z_{i+1} from the next.  1 round, K. */
static int
reshare(struct spu_mpc *m, void *const z[], void *zi, size_t n)
{
	unsigned f = m->field;
	void *r = spu_ring_alloc(f, n);
	int rc;

	if (r == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	spu_prg_ring(&m->prss_self, f, r, n);
	spu_ring_add(f, zi, zi, r, n);
	spu_prg_ring(&m->prss_next, f, r, n);
	spu_ring_sub(f, zi, zi, r, n);
	spu_free_secret(r, n * spu_ring_size(f));
	rc = pass(m, PREV(m), zi, n * spu_ring_size(f), NEXT(m), z[1],
	    n * spu_ring_size(f));
	if (rc == 0)
		spu_ring_copy(f, z[0], zi, n);
	return rc;
}

/* z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i, then reshare. */
static int
aby3_mul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	unsigned f = m->field;
	void *zi = spu_ring_alloc(f, n), *t = spu_ring_alloc(f, n);
	int rc;

	if (zi == NULL || t == NULL) {
		free(zi);
		free(t);
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	}
	spu_ring_add(f, t, y[0], y[1], n);
	spu_ring_mul(f, zi, x[0], t, n);
	spu_ring_mul(f, t, x[1], y[0], n);
	spu_ring_add(f, zi, zi, t, n);
	rc = reshare(m, z, zi, n);
	spu_free_secret(zi, n * spu_ring_size(f));
	spu_free_secret(t, n * spu_ring_size(f));
	return rc;
}

/* Z_i = X_i (Y_i + Y_{i+1}) + X_{i+1} Y_i, then reshare: 1 round, K m n. */
static int
aby3_matmul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn)
{
	unsigned f = m->field;
	size_t nz = batch * mm * nn, ny = batch * k * nn;
	void *zi = spu_ring_alloc(f, nz), *t = spu_ring_alloc(f, nz),
	    *ys = spu_ring_alloc(f, ny);
	int rc;

	if (zi == NULL || t == NULL || ys == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	spu_ring_add(f, ys, y[0], y[1], ny);
	spu_ring_matmul(f, zi, x[0], ys, batch, mm, k, nn);
	spu_ring_matmul(f, t, x[1], y[0], batch, mm, k, nn);
	spu_ring_add(f, zi, zi, t, nz);
	rc = reshare(m, z, zi, nz);
out:
	if (zi != NULL)
		spu_free_secret(zi, nz * spu_ring_size(f));
	if (t != NULL)
		spu_free_secret(t, nz * spu_ring_size(f));
	if (ys != NULL)
		spu_free_secret(ys, ny * spu_ring_size(f));
	return rc;
}

/*
 * Truncation, TruncAPr with party 2 as dealer (protocols.md 3.4, Dalskov
 * et al.): parties 0 and 1 hold a 2-out-of-2 sharing t0 = x0 + x1,
 * t1 = x2.  r = r0 + r1 with r0 from the stream of parties 0,2 and r1
 * from that of parties 1,2.  Round 1: party 2 sends party 1 its shares of
 * rc = bits [m, k-1) of r and rb = msb(r) (party 0's come from the 0,2
 * stream); parties 0 and 1 open c = x + 2^(k-2) + r to each other.
 * Round 2: reshare the 2-out-of-2 result to replicated form.  Exact up to
 * the last bit when |x| < 2^(k-2).
 */
static int
aby3_trunc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field, k = f;
	size_t K = spu_ring_size(f), bytes = n * K;
	/* streams: s0 shared by parties 0 (self) and 2 (next);
	 *          s2 shared by parties 2 (self) and 1 (next) */
	struct spu_prg *s02 = m->party == 0 ? &m->prss_self : &m->prss_next;
	struct spu_prg *s12 = m->party == 1 ? &m->prss_next : &m->prss_self;
	void *r = NULL, *a = NULL, *b = NULL, *c = NULL, *y = NULL;
	int rc = 0;

	if (bits == 0) {
		spu_ring_copy(f, z[0], x[0], n);
		spu_ring_copy(f, z[1], x[1], n);
		return 0;
	}
	r = spu_ring_alloc(f, 2 * n);	/* r_own | scratch */
	a = spu_ring_alloc(f, 2 * n);	/* rc share | rb share */
	b = spu_ring_alloc(f, 2 * n);
	c = spu_ring_alloc(f, n);
	y = spu_ring_alloc(f, n);
	if (r == NULL || a == NULL || b == NULL || c == NULL || y == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (m->party == 2) {
		uint8_t *r0 = r, *r1 = (uint8_t *)r + bytes;
		uint8_t *rc0 = a, *rb0 = (uint8_t *)a + bytes;
		uint8_t *rc1 = b, *rb1 = (uint8_t *)b + bytes;
		spu_prg_ring(s02, f, r0, n);
		spu_prg_ring(s02, f, rc0, n);
		spu_prg_ring(s02, f, rb0, n);
		spu_prg_ring(s12, f, r1, n);
		spu_ring_add(f, r0, r0, r1, n);			/* r */
		spu_ring_lshift(f, rc1, r0, 1, n);
		spu_ring_rshift(f, rc1, rc1, bits + 1, n);
		spu_ring_sub(f, rc1, rc1, rc0, n);
		spu_ring_rshift(f, rb1, r0, k - 1, n);
		spu_ring_sub(f, rb1, rb1, rb0, n);
		if ((rc = pass(m, 1, b, 2 * bytes, -1, NULL, 0)) != 0)
			goto out;
		/* round 2: q0 from s02, q2 from s12 */
		spu_prg_ring(s02, f, z[1], n);			/* q0 */
		spu_prg_ring(s12, f, z[0], n);			/* q2 */
		goto out;
	}
	/* parties 0 and 1 */
	if (m->party == 0) {
		spu_prg_ring(s02, f, r, n);			/* r0 */
		spu_prg_ring(s02, f, a, n);			/* rc0 */
		spu_prg_ring(s02, f, (uint8_t *)a + bytes, n);	/* rb0 */
		spu_ring_add(f, c, x[0], x[1], n);
		spu_ring_add(f, c, c, r, n);
		spu_ring_add_scalar(f, c, c, (spu_u128)1 << (k - 2), n);
	} else {
		spu_prg_ring(s12, f, r, n);			/* r1 */
		spu_ring_add(f, c, x[1], r, n);
	}
	{
		const void *sb[3] = { NULL, NULL, NULL };
		void *rb[3] = { NULL, NULL, NULL };
		size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };
		int other = 1 - m->party;
		sb[other] = c;
		sl[other] = bytes;
		rb[other] = (uint8_t *)r + bytes;
		rl[other] = bytes;
		if (m->party == 1) {
			rb[2] = a;
			rl[2] = 2 * bytes;
		}
		if ((rc = spu_mpc_exchange(m, sb, sl, rb, rl)) != 0)
			goto out;
		spu_ring_add(f, c, c, (uint8_t *)r + bytes, n);	/* c */
	}
	if ((rc = spu_mpc_truncpr_finish(m, y, c, a, (uint8_t *)a + bytes, n,
	    bits, m->party == 0)) != 0)
		goto out;
	/* round 2: party 0 has y0, party 1 has y1.  q0 = PRG(s02),
	 * q2 = PRG(s12); exchange y0 - q0 and y1 - q2; q1 = their sum. */
	{
		void *q = b;
		int other = 1 - m->party;
		if (m->party == 0)
			spu_prg_ring(s02, f, q, n);		/* q0 */
		else
			spu_prg_ring(s12, f, q, n);		/* q2 */
		spu_ring_sub(f, y, y, q, n);
		if ((rc = pass(m, other, y, bytes, other, c, bytes)) != 0)
			goto out;
		spu_ring_add(f, y, y, c, n);			/* q1 */
		if (m->party == 0) {
			spu_ring_copy(f, z[0], q, n);
			spu_ring_copy(f, z[1], y, n);
		} else {
			spu_ring_copy(f, z[0], y, n);
			spu_ring_copy(f, z[1], q, n);
		}
	}
out:
	spu_free_secret(r, 2 * bytes);
	spu_free_secret(a, 2 * bytes);
	spu_free_secret(b, 2 * bytes);
	spu_free_secret(c, bytes);
	spu_free_secret(y, bytes);
	return rc;
}

/* ---- boolean shares (protocols.md 3.3, 3.6) ---- */

static int
aby3_nparts(struct spu_mpc *m)
{
	(void)m;
	return 3;
}

/* Component j = x_j: party j holds it first, party j-1 second. */
static void
aby3_part_b(struct spu_mpc *m, void *const z[], void *const x[], int j,
    size_t n)
{
	unsigned f = m->field;

	if (m->party == j)
		spu_ring_copy(f, z[0], x[0], n);
	else
		spu_ring_zero(f, z[0], n);
	if ((m->party + 1) % 3 == j)
		spu_ring_copy(f, z[1], x[1], n);
	else
		spu_ring_zero(f, z[1], n);
}

/*
 * Replicated AND: z_i = x_i y_i ^ x_i y_{i+1} ^ x_{i+1} y_i ^ alpha_i
 * (alpha a PRSS XOR zero sharing), sent packed to the previous party.
 * 1 round, n bits/8 bytes per party.
 */
static int
aby3_and_b(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n, unsigned bits)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), plen = spu_bool_packed_size(n, bits);
	spu_u128 mk = spu_bool_mask(bits);
	void *zi, *r;
	uint8_t *out, *in;
	int rc;

	if (n == 0)
		return 0;
	zi = spu_ring_alloc(f, n);
	r = spu_ring_alloc(f, n);
	out = spu_malloc(plen, 1);
	in = spu_malloc(plen, 1);
	if (zi == NULL || r == NULL || out == NULL || in == NULL ||
	    plen == SIZE_MAX) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		spu_u128 x0 = spu_bget(f, x[0], i), x1 = spu_bget(f, x[1], i);
		spu_u128 y0 = spu_bget(f, y[0], i), y1 = spu_bget(f, y[1], i);
		spu_bset(f, zi, i, (x0 & y0) ^ (x0 & y1) ^ (x1 & y0));
	}
	spu_prg_ring(&m->prss_self, f, r, n);
	spu_ring_xor(f, zi, zi, r, n);
	spu_prg_ring(&m->prss_next, f, r, n);
	spu_ring_xor(f, zi, zi, r, n);
	for (size_t i = 0; i < n; i++)
		spu_bset(f, zi, i, spu_bget(f, zi, i) & mk);
	spu_bool_pack(f, out, zi, n, bits);
	if ((rc = pass(m, PREV(m), out, plen, NEXT(m), in, plen)) != 0)
		goto out;
	spu_bool_unpack(f, z[1], in, n, bits);
	spu_ring_copy(f, z[0], zi, n);
out:
	if (zi != NULL)
		spu_free_secret(zi, n * K);
	if (r != NULL)
		spu_free_secret(r, n * K);
	free(out);
	free(in);
	return rc;
}

/*
 * B2A of x = b0 ^ b1 ^ b2 (bits wide).  Party 0 knows u = b0 ^ b1,
 * parties 1 and 2 know v = b2, and x = u + v - 2 sum_t 2^t u_t v_t.
 * Round 1: party 0 sends party 1 y_t = u_t + r_t (r from the stream it
 * shares with party 2), each y_t only mod 2^(k-t) since it is used
 * times 2^t; party 1 takes S1 = sum 2^t v_t y_t, party 2
 * S2 = -sum 2^t v_t r_t.  The 3-out-of-3 sharing (u, v - 2 S1, -2 S2)
 * is then reshared (round 2).  2 rounds; party 0 sends about
 * n (bits k - bits^2/2)/8 bytes, then every party n K.
 */
static int
aby3_b2a(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), nb, plen, tot = 0;
	void *r = NULL, *zi = NULL;
	uint8_t *pk = NULL;
	int rc = 0;

	if (n == 0)
		return 0;
	if (bits == 0 || bits > f)
		return spu_mpc_fail(m, SPU_EINVAL, "b2a: bad width");
	if (n > SIZE_MAX / bits / 128)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	nb = n * bits;
	for (unsigned t = 0; t < bits; t++)
		tot += f - t;
	plen = (n * tot + 7) / 8;
	r = spu_ring_alloc(f, nb);
	zi = spu_ring_alloc(f, n);
	pk = spu_malloc(plen, 1);
	if (r == NULL || zi == NULL || pk == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (m->party == 0) {
		struct spu_bitw bw = { pk, 0, 0 };
		spu_prg_ring(&m->prss_self, f, r, nb);
		for (size_t i = 0; i < n; i++) {
			spu_u128 u = (spu_bget(f, x[0], i) ^
			    spu_bget(f, x[1], i)) & spu_bool_mask(bits);
			spu_bset(f, zi, i, u);
			for (unsigned t = 0; t < bits; t++)
				spu_bitw_put(&bw, ((u >> t) & 1) +
				    spu_bget(f, r, i * bits + t), f - t);
		}
		spu_bitw_flush(&bw);
		rc = pass(m, 1, pk, plen, -1, NULL, 0);
	} else if (m->party == 1) {
		struct spu_bitr br = { pk, 0, 0 };
		if ((rc = pass(m, -1, NULL, 0, 0, pk, plen)) != 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(f, x[1], i), s1 = 0;
			for (unsigned t = 0; t < bits; t++) {
				spu_u128 y = spu_bitr_get(&br, f - t);
				if ((v >> t) & 1)
					s1 += y << t;
			}
			spu_bset(f, zi, i, (v & spu_bool_mask(bits)) - 2 * s1);
		}
	} else {
		spu_prg_ring(&m->prss_next, f, r, nb);
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(f, x[0], i), s2 = 0;
			for (unsigned t = 0; t < bits; t++)
				if ((v >> t) & 1)
					s2 += spu_bget(f, r, i * bits + t) << t;
			spu_bset(f, zi, i, 2 * s2);
		}
	}
	if (rc == 0)
		rc = reshare(m, z, zi, n);
out:
	if (r != NULL)
		spu_free_secret(r, nb * K);
	if (zi != NULL)
		spu_free_secret(zi, n * K);
	if (pk != NULL)
		spu_free_secret(pk, plen);
	return rc;
}

const struct spu_proto_ops spu_aby3_ops = {
	.p2s = aby3_p2s,
	.add_p = aby3_add_p,
	.open = aby3_open,
	.mul = aby3_mul,
	.matmul = aby3_matmul,
	.trunc = aby3_trunc,
	.nparts = aby3_nparts,
	.part_b = aby3_part_b,
	.and_b = aby3_and_b,
	.b2a = aby3_b2a,
};
