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

#include <sodium.h>

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
	void *in = spu_malloc(bytes ? bytes : 1, 1);
	int rc;

	if (in == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = pass(m, PREV(m), x[1], bytes, NEXT(m), in, bytes)) == 0) {
		spu_ring_add(m->field, out, x[0], x[1], n);
		spu_ring_add(m->field, out, out, in, n);
	}
	spu_free_secret(in, bytes ? bytes : 1);
	return rc;
}

/* z_i (n words, 3-out-of-3 additive) -> replicated: add a PRSS zero share,
 * send to the previous party, receive z_{i+1} from the next.  1 round, K. */
static int
reshare(struct spu_mpc *m, void *const z[], void *zi, size_t n)
{
	unsigned f = m->field;
	int rc;

	spu_prg_ring_add(&m->prss_self, f, zi, n, 0);
	spu_prg_ring_add(&m->prss_next, f, zi, n, 1);
	rc = pass(m, PREV(m), zi, n * spu_ring_size(f), NEXT(m), z[1],
	    n * spu_ring_size(f));
	if (rc == 0)
		spu_ring_copy(f, z[0], zi, n);
	return rc;
}

/* z_i = x_i y_i + x_i y_{i+1} + x_{i+1} y_i, then reshare, all in z's
 * own components (each read before it is written): no scratch. */
static int
aby3_mul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t n)
{
	unsigned f = m->field;
	size_t bytes = n * spu_ring_size(f);

	spu_ring_cross(f, z[0], x[0], x[1], y[0], y[1], n);
	spu_prg_ring_add(&m->prss_self, f, z[0], n, 0);
	spu_prg_ring_add(&m->prss_next, f, z[0], n, 1);
	return pass(m, PREV(m), z[0], bytes, NEXT(m), z[1], bytes);
}

/*
 * Z_i = X_i (Y_i + Y_{i+1}) + X_{i+1} Y_i, or the same sum as
 * (X_i + X_{i+1}) Y_i + X_i Y_{i+1} when X is the smaller operand (the
 * sum over the smaller one), then reshare: 1 round, K m n.
 */
static int
aby3_matmul(struct spu_mpc *m, void *const z[], void *const x[],
    void *const y[], size_t batch, size_t mm, size_t k, size_t nn)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), nz = batch * mm * nn,
	    nx = batch * mm * k, ny = batch * k * nn, ns = nx < ny ? nx : ny;
	void *zi = spu_malloc(nz, K), *t = spu_malloc(nz, K),
	    *sum = spu_malloc(ns, K);
	int rc;

	if (zi == NULL || t == NULL || sum == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (nx < ny) {
		spu_ring_add(f, sum, x[0], x[1], nx);
		spu_ring_matmul(f, zi, sum, y[0], batch, mm, k, nn);
		spu_ring_matmul(f, t, x[0], y[1], batch, mm, k, nn);
	} else {
		spu_ring_add(f, sum, y[0], y[1], ny);
		spu_ring_matmul(f, zi, x[0], sum, batch, mm, k, nn);
		spu_ring_matmul(f, t, x[1], y[0], batch, mm, k, nn);
	}
	spu_ring_add(f, zi, zi, t, nz);
	rc = reshare(m, z, zi, nz);
out:
	spu_free_secret(zi, nz * K);
	spu_free_secret(t, nz * K);
	spu_free_secret(sum, ns * K);
	return rc;
}

/*
 * aby3_matmul for a convolution: X the patches of x (patch.h), Z_i = X_i
 * (Y_i + Y_{i+1}) + X_{i+1} Y_i computed in z's first component a block
 * of X's rows at a time, then reshared there: X is never stored, and
 * only the kernel-sized Y_i + Y_{i+1} is scratch.  1 round, K m n.
 */
static int
aby3_matmul_map(struct spu_mpc *m, void *const z[], void *const x[],
    size_t nx, const struct spu_patch_map *pm, void *const y[], size_t nn,
    const uint64_t id[2])
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), ny = (size_t)(pm->fg * pm->cg *
	    pm->kwin) * nn, nz = (size_t)(pm->fg * pm->N * pm->nout) * nn;
	void *sum = spu_malloc(ny, K);
	int rc = 0;

	(void)nx;
	(void)id;
	if (sum == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	spu_ring_add(f, sum, y[0], y[1], ny);
	if (spu_patch_matmul(f, z[0], x[0], pm, sum, nn, 0) != 0 ||
	    spu_patch_matmul(f, z[0], x[1], pm, y[0], nn, 1) != 0)
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	spu_free_secret(sum, ny * K);
	if (rc != 0)
		return rc;
	spu_prg_ring_add(&m->prss_self, f, z[0], nz, 0);
	spu_prg_ring_add(&m->prss_next, f, z[0], nz, 1);
	return pass(m, PREV(m), z[0], nz * K, NEXT(m), z[1], nz * K);
}

/*
 * Truncation by m bits, TruncAPr2 (protocols.md 2.6 and 3.4, eprint
 * 2025/200 Alg. 4).  Parties 0 and 1 hold a 2-out-of-2 sharing t0 = x0 +
 * x1, t1 = x2 of x, |x| < 2^(k-2).  With L = 2^k, u0 = [t0 - L/4 mod L >=
 * L/2] (party 0) and u1 = [t1 >= L/2] (party 1), MW = u0 u1 + 1 -
 * [t0 < L/4] is exactly wrap(t0, t1) + msb(x), and y_i = (t_i >>l m) -
 * MW_i 2^(k-m) (+1 at party 0) shares floor(x / 2^m) or one more.  Only
 * MW mod 2^m matters, so the private product u0 u1 runs in a small ring
 * (2^32 for m <= 32), with party 2 as the helper: it shares (a, c0) with
 * party 0 and (b, c1') with party 1 through their PRSS streams and sends
 * party 1 adj = a b - c0 - c1'; parties 0 and 1 swap u0 + a and u1 + b.
 * Round 2 reshares (y0, y1) to replicated form.  Party 0 and 1 send K + 4
 * bytes per element, party 2 sends 4; 2 rounds.
 */
static int
aby3_trunc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field, sw = spu_trunc2_width(f, bits);
	size_t K = spu_ring_size(f), bytes = n * K, sb;
	/* streams: s0 shared by parties 0 (self) and 2 (next);
	 *          s2 shared by parties 2 (self) and 1 (next) */
	struct spu_prg *s02 = m->party == 0 ? &m->prss_self : &m->prss_next;
	struct spu_prg *s12 = m->party == 1 ? &m->prss_next : &m->prss_self;
	void *t = NULL, *y = NULL, *q = NULL, *ab = NULL, *cc = NULL;
	void *u = NULL, *e = NULL;
	int rc = 0;

	if (bits == 0) {
		spu_ring_copy(f, z[0], x[0], n);
		spu_ring_copy(f, z[1], x[1], n);
		return 0;
	}
	sb = n * spu_ring_size(sw);
	t = spu_ring_alloc(f, n);
	y = spu_ring_alloc(f, n);
	q = spu_ring_alloc(f, n);
	ab = spu_ring_alloc(sw, 2 * n);	/* a | b (party 2: both) */
	cc = spu_ring_alloc(sw, 2 * n);	/* c0 | c1' */
	u = spu_ring_alloc(sw, n);
	e = spu_ring_alloc(sw, 2 * n);	/* mine | received (+ adj) */
	if (t == NULL || y == NULL || q == NULL || ab == NULL || cc == NULL ||
	    u == NULL || e == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (m->party == 2) {
		uint8_t *a = ab, *b = (uint8_t *)ab + sb;
		uint8_t *c0 = cc, *c1 = (uint8_t *)cc + sb;
		spu_prg_ring(s02, sw, a, n);
		spu_prg_ring(s02, sw, c0, n);
		spu_prg_ring(s12, sw, b, n);
		spu_prg_ring(s12, sw, c1, n);
		spu_ring_mul(sw, e, a, b, n);
		spu_ring_sub(sw, e, e, c0, n);
		spu_ring_sub(sw, e, e, c1, n);			/* adj */
		if ((rc = pass(m, 1, e, sb, -1, NULL, 0)) != 0)
			goto out;
		/* round 2: q0 from s02, q2 from s12 */
		spu_prg_ring(s02, f, z[1], n);			/* q0 */
		spu_prg_ring(s12, f, z[0], n);			/* q2 */
		goto out;
	}
	/* parties 0 and 1: t = my half of x, u = my bit, e = u + mask */
	if (m->party == 0) {
		spu_ring_add(f, t, x[0], x[1], n);
		spu_prg_ring(s02, sw, ab, n);			/* a */
		spu_prg_ring(s02, sw, cc, n);			/* c0 */
	} else {
		spu_ring_copy(f, t, x[1], n);
		spu_prg_ring(s12, sw, ab, n);			/* b */
		spu_prg_ring(s12, sw, cc, n);			/* c1' */
	}
	spu_trunc2_bit(f, sw, u, t, n, m->party == 0);
	spu_ring_add(sw, e, u, ab, n);
	{
		const void *sbuf[3] = { NULL, NULL, NULL };
		void *rbuf[3] = { NULL, NULL, NULL };
		size_t sl[3] = { 0, 0, 0 }, rl[3] = { 0, 0, 0 };
		int other = 1 - m->party;
		sbuf[other] = e;
		sl[other] = sb;
		rbuf[other] = (uint8_t *)e + sb;
		rl[other] = sb;
		if (m->party == 1) {
			rbuf[2] = (uint8_t *)cc + sb;	/* adj */
			rl[2] = sb;
		}
		if ((rc = spu_mpc_exchange(m, sbuf, sl, rbuf, rl)) != 0)
			goto out;
	}
	if (m->party == 0) {
		/* share of u0 u1: u0 (u1 + b) + c0 */
		spu_ring_mul(sw, u, u, (uint8_t *)e + sb, n);
		spu_ring_add(sw, u, u, cc, n);
	} else {
		/* c1' + adj - b (u0 + a) */
		spu_ring_add(sw, cc, cc, (uint8_t *)cc + sb, n);
		spu_ring_mul(sw, u, ab, (uint8_t *)e + sb, n);
		spu_ring_sub(sw, u, cc, u, n);
	}
	spu_trunc2_finish(f, sw, y, t, u, n, bits, m->party == 0);
	/* round 2: party 0 has y0, party 1 has y1.  q0 = PRG(s02),
	 * q2 = PRG(s12); exchange y0 - q0 and y1 - q2; q1 = their sum. */
	{
		int other = 1 - m->party;
		if (m->party == 0)
			spu_prg_ring(s02, f, q, n);		/* q0 */
		else
			spu_prg_ring(s12, f, q, n);		/* q2 */
		spu_ring_sub(f, y, y, q, n);
		if ((rc = pass(m, other, y, bytes, other, t, bytes)) != 0)
			goto out;
		spu_ring_add(f, y, y, t, n);			/* q1 */
		if (m->party == 0) {
			spu_ring_copy(f, z[0], q, n);
			spu_ring_copy(f, z[1], y, n);
		} else {
			spu_ring_copy(f, z[0], y, n);
			spu_ring_copy(f, z[1], q, n);
		}
	}
out:
	spu_free_secret(t, bytes);
	spu_free_secret(y, bytes);
	spu_free_secret(q, bytes);
	spu_free_secret(ab, 2 * sb);
	spu_free_secret(cc, 2 * sb);
	spu_free_secret(u, sb);
	spu_free_secret(e, 2 * sb);
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
 * Replicated AND on packed shares: z_i = x_i y_i ^ x_i y_{i+1} ^
 * x_{i+1} y_i ^ alpha_i (alpha a PRSS XOR zero sharing, drawn as len
 * bytes), sent to the previous party.  1 round, len bytes per party.
 */
static int
aby3_and_p(struct spu_mpc *m, uint8_t *const z[], uint8_t *const x[],
    uint8_t *const y[], size_t len)
{
	/* word by word, so z may be x or y */
	spu_bytes_and3(z[0], x[0], x[1], y[0], y[1], len);
	spu_prg_xor(&m->prss_self, z[0], len);
	spu_prg_xor(&m->prss_next, z[0], len);
	return pass(m, PREV(m), z[0], len, NEXT(m), z[1], len);
}

static int
aby3_and_pv(struct spu_mpc *m, uint8_t *const z[], const uint8_t *const *x[],
    const uint8_t *const *y[], size_t np, size_t pb)
{
	size_t len = np * pb;

	for (size_t q = 0; q < np; q++)
		spu_bytes_and3(z[0] + q * pb, x[0][q], x[1][q], y[0][q],
		    y[1][q], pb);
	spu_prg_xor(&m->prss_self, z[0], len);
	spu_prg_xor(&m->prss_next, z[0], len);
	return pass(m, PREV(m), z[0], len, NEXT(m), z[1], len);
}

/*
 * Two boolean sharings with x = a - b (protocols.md 3.5), for equality:
 * party 0 knows x0 + x1 and shares it by XOR with a PRSS zero sharing,
 * each party then sending its word to the previous one (1 round, K per
 * party); b = -x2, which parties 1 and 2 know, as a trivial sharing.
 * (The MSB takes x = a + b in bit planes: aby3_split_p.)
 */
static int
aby3_split_b(struct spu_mpc *m, void *const a[], void *const b[],
    void *const x[], size_t n)
{
	unsigned f = m->field;
	size_t bytes = n * spu_ring_size(f);

	if (m->party == 0)
		spu_ring_add(f, a[0], x[0], x[1], n);
	else
		spu_ring_zero(f, a[0], n);
	spu_prg_xor(&m->prss_self, a[0], bytes);
	spu_prg_xor(&m->prss_next, a[0], bytes);
	/* b: party 1 holds (b1, b2) = (0, -x2), party 2 (b2, b0) = (-x2, 0) */
	spu_ring_zero(f, b[0], n);
	spu_ring_zero(f, b[1], n);
	if (m->party == 1)
		spu_ring_neg(f, b[1], x[1], n);
	else if (m->party == 2)
		spu_ring_neg(f, b[0], x[0], n);
	return pass(m, PREV(m), a[0], bytes, NEXT(m), a[1], bytes);
}

/*
 * split_b into bit planes: party 0 transposes x0 + x1, every party XORs
 * the PRSS streams into the planes (a zero sharing in any layout) and
 * sends them to the previous party; x2's two holders transpose it.  One
 * transposition per party instead of four, and no word-form copies.
 */
static int
aby3_split_p(struct spu_mpc *m, uint8_t *const a[], uint8_t *const b[],
    void *const x[], size_t n, size_t pb, unsigned bits)
{
	unsigned f = m->field;
	size_t len = (size_t)bits * pb;

	if (m->party == 0) {
		/* x0 + x1 a cache-sized chunk at a time (a multiple of 64
		 * words: whole bytes of every plane) */
		enum { CH = 2048 };
		size_t K = spu_ring_size(f);
		uint8_t *s = spu_malloc(CH, K);
		if (s == NULL)
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i += CH) {
			size_t c = n - i < CH ? n - i : CH;
			spu_ring_add(f, s, (uint8_t *)x[0] + i * K,
			    (uint8_t *)x[1] + i * K, c);
			spu_b_to_planes(f, bits, a[0] + i / 8, s, c, pb);
		}
		spu_free_secret(s, CH * K);
	} else {
		/* b: party 1 holds (b1, b2) = (0, x2), party 2 (x2, 0) */
		spu_b_to_planes(f, bits, b[m->party == 1], x[m->party == 1],
		    n, pb);
	}
	spu_prg_xor(&m->prss_self, a[0], len);
	spu_prg_xor(&m->prss_next, a[0], len);
	return pass(m, PREV(m), a[0], len, NEXT(m), a[1], len);
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
	if (m->party == 0 && bits == 1) {
		/* one whole ring word per element: no bit stream needed */
		spu_prg_ring(&m->prss_self, f, r, n);
		for (size_t i = 0; i < n; i++)
			spu_bset(f, zi, i, (spu_bget(f, x[0], i) ^
			    spu_bget(f, x[1], i)) & 1);
		spu_ring_add(f, r, r, zi, n);
		spu_bool_pack(f, pk, r, n, f);
		rc = pass(m, 1, pk, plen, -1, NULL, 0);
	} else if (m->party == 0) {
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
	} else if (m->party == 1 && bits == 1) {
		if ((rc = pass(m, -1, NULL, 0, 0, pk, plen)) != 0)
			goto out;
		spu_bool_unpack(f, r, pk, n, f);
		for (size_t i = 0; i < n; i++) {
			spu_u128 v = spu_bget(f, x[1], i) & 1;
			spu_bset(f, zi, i, v - (v ? 2 * spu_bget(f, r, i) : 0));
		}
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

/* Bit i of a packed plane. */
static inline unsigned
bit_at(const uint8_t *p, size_t i)
{
	return (p[i >> 3] >> (i & 7)) & 1;
}

/*
 * aby3_b2a for single bits straight from packed planes, its streams and
 * messages unchanged: party 0 sends y = u + r (u = b0 ^ b1, r from the
 * stream it shares with party 2) to party 1; the 3-out-of-3 sharing
 * (u, v - 2 y v, 2 r v) with v = b2 is built in z's first component
 * and reshared there.  2 rounds; party 0 sends n K bytes, then every
 * party n K.  One buffer of n words (party 0: r, party 1: y).
 */
static int
aby3_b2a_bit(struct spu_mpc *m, void *const z[], const uint8_t *const x[],
    size_t n)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f);
	void *r = NULL;
	int rc = 0;

	if (n == 0)
		return 0;
	if (m->party != 2 && (r = spu_malloc(n, K)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if (m->party == 0) {
		spu_prg_ring(&m->prss_self, f, r, n);
		for (size_t i = 0; i < n; i++) {
			unsigned u = bit_at(x[0], i) ^ bit_at(x[1], i);
			spu_bset(f, z[0], i, u);
			spu_bset(f, r, i, spu_bget(f, r, i) + u);
		}
		rc = pass(m, 1, r, n * K, -1, NULL, 0);
	} else if (m->party == 1) {
		if ((rc = pass(m, -1, NULL, 0, 0, r, n * K)) == 0)
			for (size_t i = 0; i < n; i++) {
				unsigned v = bit_at(x[1], i);
				spu_bset(f, z[0], i, v ? 1 - 2 *
				    spu_bget(f, r, i) : 0);
			}
	} else {
		spu_prg_ring(&m->prss_next, f, z[0], n);
		for (size_t i = 0; i < n; i++)
			spu_bset(f, z[0], i, bit_at(x[0], i) ?
			    2 * spu_bget(f, z[0], i) : 0);
	}
	if (r != NULL)
		spu_free_secret(r, n * K);
	if (rc != 0)
		return rc;
	spu_prg_ring_add(&m->prss_self, f, z[0], n, 0);
	spu_prg_ring_add(&m->prss_next, f, z[0], n, 1);
	return pass(m, PREV(m), z[0], n * K, NEXT(m), z[1], n * K);
}

/*
 * b2a_lin: aby3_b2a_bit's messages for the cnt n bits, but each party
 * folds its share of the 3-out-of-3 sharing straight into the L sums
 * (party 0: sum w u, party 1: sum w (v - 2 y v), party 2: sum w 2 r v)
 * and only the L n sums are reshared.  2 rounds; party 0 sends cnt n K
 * bytes, then every party L n K.  Party 2 reads its stream in chunks.
 */
static int
aby3_b2a_lin(struct spu_mpc *m, void *const z[], const uint8_t *const x[],
    size_t n, unsigned cnt, const spu_u128 *w, unsigned L)
{
	enum { CH = 1024 };	/* words of party 2's stream at a time */
	unsigned f = m->field;
	size_t K = spu_ring_size(f), N = (size_t)cnt * n;
	uint8_t *y = NULL, *tv = NULL;
	int rc = 0;

	if (n == 0 || L == 0)
		return 0;
	spu_ring_zero(f, z[0], (size_t)L * n);
	if ((tv = spu_malloc(n, K)) == NULL ||
	    (m->party != 2 && (y = spu_malloc(N, K)) == NULL)) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (m->party == 0) {
		spu_prg_ring(&m->prss_self, f, y, N);
		for (unsigned t = 0; t < cnt; t++) {
			uint8_t *yt = y + (size_t)t * n * K;
			for (size_t i = 0; i < n; i++) {
				size_t j = (size_t)t * n + i;
				unsigned u = bit_at(x[0], j) ^ bit_at(x[1], j);
				spu_bset(f, tv, i, u);
			}
			spu_ring_add(f, yt, yt, tv, n);
			for (unsigned l = 0; l < L; l++)
				spu_ring_axpy(f, (uint8_t *)z[0] + l * n * K,
				    tv, w[(size_t)l * cnt + t], n);
		}
		rc = pass(m, 1, y, N * K, -1, NULL, 0);
	} else if (m->party == 1) {
		if ((rc = pass(m, -1, NULL, 0, 0, y, N * K)) != 0)
			goto out;
		for (unsigned t = 0; t < cnt; t++) {
			for (size_t i = 0; i < n; i++) {
				size_t j = (size_t)t * n + i;
				spu_bset(f, tv, i, bit_at(x[1], j) ? 1 - 2 *
				    spu_bget(f, y, j) : 0);
			}
			for (unsigned l = 0; l < L; l++)
				spu_ring_axpy(f, (uint8_t *)z[0] + l * n * K,
				    tv, w[(size_t)l * cnt + t], n);
		}
	} else {
		/* r as party 0 drew it, CH words at a time: 2 r v */
		uint64_t id = spu_prg_skip(&m->prss_next);
		_Alignas(64) uint8_t r[CH * 16];
		for (size_t j0 = 0; j0 < N; j0 += CH) {
			size_t c = N - j0 < CH ? N - j0 : CH;
			memset(r, 0, c * K);
			spu_prg_xor_at(&m->prss_next, id, j0 * K, r, c * K);
			for (size_t q = 0; q < c; q++) {
				size_t j = j0 + q, t = j / n, i = j % n;
				if (!bit_at(x[0], j))
					continue;
				for (unsigned l = 0; l < L; l++) {
					void *zl = (uint8_t *)z[0] + l * n * K;
					spu_bset(f, zl, i, spu_bget(f, zl, i) +
					    2 * spu_bget(f, r, q) *
					    w[(size_t)l * cnt + t]);
				}
			}
		}
		sodium_memzero(r, sizeof(r));
	}
	if (rc == 0) {
		spu_prg_ring_add(&m->prss_self, f, z[0], (size_t)L * n, 0);
		spu_prg_ring_add(&m->prss_next, f, z[0], (size_t)L * n, 1);
		rc = pass(m, PREV(m), z[0], (size_t)L * n * K, NEXT(m), z[1],
		    (size_t)L * n * K);
	}
out:
	spu_free_secret(y, N * K);
	spu_free_secret(tv, n * K);
	return rc;
}

const struct spu_proto_ops spu_aby3_ops = {
	.p2s = aby3_p2s,
	.add_p = aby3_add_p,
	.open = aby3_open,
	.mul = aby3_mul,
	.matmul = aby3_matmul,
	.matmul_map = aby3_matmul_map,
	.trunc = aby3_trunc,
	.nparts = aby3_nparts,
	.part_b = aby3_part_b,
	.and_b = spu_b_and_words,
	.and_p = aby3_and_p,
	.and_pv = aby3_and_pv,
	.b2a_bit = aby3_b2a_bit,
	.b2a_lin = aby3_b2a_lin,
	.split_b = aby3_split_b,
	.split_p = aby3_split_p,
	.b2a = aby3_b2a,
};
