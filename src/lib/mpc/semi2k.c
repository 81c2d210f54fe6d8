/*
 * semi2k.c - N-party additive sharing over Z_2^k (protocols.md section 2).
 *
 * Correlated randomness comes from a trusted first party: every party
 * draws its share of a triple from its own dealer stream; party 0, which
 * holds every party's dealer seed, replays those streams and corrects its
 * own share so the correlation holds.  No online traffic for the dealer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mpc.h"
#include "semi2k_int.h"
#include "boolean.h"
#include "../mem.h"

static void
semi2k_p2s(struct spu_mpc *m, void *const z[], const void *p, size_t n)
{
	if (m->party == 0)
		spu_ring_copy(m->field, z[0], p, n);
	else
		spu_ring_zero(m->field, z[0], n);
}

static void
semi2k_add_p(struct spu_mpc *m, void *const z[], void *const x[],
    const void *p, size_t n)
{
	if (m->party == 0)
		spu_ring_add(m->field, z[0], x[0], p, n);
	else
		spu_ring_copy(m->field, z[0], x[0], n);
}

/*
 * All-gather of `width` words per party and sum: out = sum_i x_i.
 * 1 round, K * width * (N-1) bytes per party.
 */
int
spu_semi2k_allreduce_add(struct spu_mpc *m, void *out, const void *mine,
    size_t width)
{
	size_t bytes = width * spu_ring_size(m->field);
	const void *sbuf[SPU_MAX_PARTIES];
	void *rbuf[SPU_MAX_PARTIES];
	size_t slen[SPU_MAX_PARTIES], rlen[SPU_MAX_PARTIES];
	uint8_t *in;
	int rc;

	if ((in = spu_mpc_peer_bufs(m, bytes, rbuf, rlen)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (int j = 0; j < m->nparties; j++) {
		sbuf[j] = mine;
		slen[j] = rlen[j];
	}
	if ((rc = spu_mpc_exchange(m, sbuf, slen, rbuf, rlen)) == 0) {
		if (out != mine)
			spu_ring_copy(m->field, out, mine, width);
		for (int j = 0; j < m->nparties; j++)
			if (j != m->party)
				spu_ring_add(m->field, out, out, rbuf[j],
				    width);
	}
	spu_mpc_peer_free(m, in, bytes);
	return rc;
}

static int
semi2k_open(struct spu_mpc *m, void *out, void *const x[], size_t n)
{
	void *tmp = spu_ring_alloc(m->field, n);
	int rc;

	if (tmp == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	spu_ring_copy(m->field, tmp, x[0], n);
	rc = spu_semi2k_allreduce_add(m, out, tmp, n);
	free(tmp);
	return rc;
}

/*
 * Draw this party's share of `count` dealer vectors of n words each from
 * its dealer stream.  At party 0 also reconstruct their sums over all
 * parties into sum[] (when sum is not NULL): party 0 replays every
 * party's stream in the same order.
 */
static int
dealer_draw(struct spu_mpc *m, void **mine, void **sum, const size_t *n,
    int count)
{
	for (int v = 0; v < count; v++)
		spu_prg_ring(&m->dealer[m->party], m->field, mine[v], n[v]);
	if (m->party != 0 || sum == NULL)
		return 0;
	for (int v = 0; v < count; v++)
		spu_ring_copy(m->field, sum[v], mine[v], n[v]);
	for (int j = 1; j < m->nparties; j++) {
		for (int v = 0; v < count; v++) {
			void *t = spu_ring_alloc(m->field, n[v]);
			if (t == NULL)
				return spu_mpc_fail(m, SPU_ENOMEM,
				    "out of memory");
			spu_prg_ring(&m->dealer[j], m->field, t, n[v]);
			spu_ring_add(m->field, sum[v], sum[v], t, n[v]);
			spu_free_secret(t, n[v] * spu_ring_size(m->field));
		}
	}
	return 0;
}

/* Free a set of secret scratch vectors. */
static void
free_all(void **v, const size_t *n, int count, unsigned field)
{
	for (int i = 0; i < count; i++)
		spu_free_secret(v[i], n[i] * spu_ring_size(field));
}

static int
alloc_all(struct spu_mpc *m, void **v, const size_t *n, int count)
{
	for (int i = 0; i < count; i++)
		if ((v[i] = spu_ring_alloc(m->field, n[i])) == NULL) {
			free_all(v, n, i, m->field);
			return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		}
	return 0;
}

/*
 * Square with a dealer pair a, c = a^2 (party 0 replays the other
 * parties' dealer streams and fixes c_0, as for a triple): open
 * e = x - a; x^2 = e^2 + 2 e a + a^2, so z_i = c_i + 2 e a_i and party 0
 * adds e^2.  1 round, K n (N-1) bytes per party: half a Beaver
 * product's.
 */
static int
semi2k_square(struct spu_mpc *m, void *const z[], void *const x[], size_t n)
{
	unsigned f = m->field;
	size_t nv[4] = { n, n, n, n };
	void *v[4];		/* a c | party 0: sum a, sum c */
	void **sum = m->party == 0 ? v + 2 : NULL;
	void *e = NULL, *t = NULL;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = alloc_all(m, v, nv, m->party == 0 ? 4 : 2)) != 0)
		return rc;
	if ((rc = dealer_draw(m, v, sum, nv, 2)) != 0)
		goto out;
	e = spu_ring_alloc(f, n);
	t = spu_ring_alloc(f, n);
	if (e == NULL || t == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if (m->party == 0) {
		/* c_0 += (sum a)^2 - sum c */
		spu_ring_mul(f, t, v[2], v[2], n);
		spu_ring_sub(f, t, t, v[3], n);
		spu_ring_add(f, v[1], v[1], t, n);
	}
	spu_ring_sub(f, t, x[0], v[0], n);
	if ((rc = spu_semi2k_allreduce_add(m, e, t, n)) != 0)
		goto out;
	/* z = c + 2 e a (+ e^2 at party 0) */
	spu_ring_mul(f, t, e, v[0], n);
	spu_ring_lshift(f, t, t, 1, n);
	spu_ring_add(f, z[0], v[1], t, n);
	if (m->party == 0) {
		spu_ring_mul(f, t, e, e, n);
		spu_ring_add(f, z[0], z[0], t, n);
	}
	rc = 0;
out:
	if (e != NULL)
		spu_free_secret(e, n * spu_ring_size(f));
	if (t != NULL)
		spu_free_secret(t, n * spu_ring_size(f));
	free_all(v, nv, m->party == 0 ? 4 : 2, f);
	return rc;
}

/*
 * Truncation with two parties: TruncAPr2 (protocols.md 2.6, trunc2.c).
 * The private product u0 u1 uses a dealer pair: party 1 draws (b, c1)
 * from its dealer stream, party 0 replays it, draws a and sets c0 =
 * a b - c1; they swap u0 + a and u1 + b, and u0 u1 = [u0 (u1 + b) + c0]
 * + [c1 - b (u0 + a)].  1 round, 4 bytes per element per party (m <= 32).
 */
static int
trunc2_2pc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field, sw = spu_trunc2_width(f, bits);
	size_t sb = n * spu_ring_size(sw);
	void *v[5] = { NULL, NULL, NULL, NULL, NULL };	/* a|b c u e in */
	void *ab, *c, *u, *e, *in;
	const void *sbuf[2] = { NULL, NULL };
	void *rbuf[2] = { NULL, NULL };
	size_t sl[2] = { 0, 0 }, rl[2] = { 0, 0 };
	int other = 1 - m->party, rc = 0;

	for (int i = 0; i < 5; i++)
		if ((v[i] = spu_ring_alloc(sw, n)) == NULL) {
			rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
			goto out;
		}
	ab = v[0], c = v[1], u = v[2], e = v[3], in = v[4];
	if (m->party == 1) {
		spu_prg_ring(&m->dealer[1], sw, ab, n);		/* b */
		spu_prg_ring(&m->dealer[1], sw, c, n);		/* c1 */
	} else {
		spu_prg_ring(&m->dealer[1], sw, in, n);		/* b */
		spu_prg_ring(&m->dealer[1], sw, e, n);		/* c1 */
		spu_prg_ring(&m->dealer[0], sw, ab, n);		/* a */
		spu_ring_mul(sw, c, ab, in, n);
		spu_ring_sub(sw, c, c, e, n);			/* c0 */
	}
	spu_trunc2_bit(f, sw, u, x[0], n, m->party == 0);
	spu_ring_add(sw, e, u, ab, n);
	sbuf[other] = e;
	sl[other] = sb;
	rbuf[other] = in;
	rl[other] = sb;
	if ((rc = spu_mpc_exchange(m, sbuf, sl, rbuf, rl)) != 0)
		goto out;
	if (m->party == 0) {
		spu_ring_mul(sw, u, u, in, n);			/* u0 (u1 + b) */
		spu_ring_add(sw, u, u, c, n);
	} else {
		spu_ring_mul(sw, u, ab, in, n);			/* b (u0 + a) */
		spu_ring_sub(sw, u, c, u, n);
	}
	spu_trunc2_finish(f, sw, z[0], x[0], u, n, bits, m->party == 0);
out:
	for (int i = 0; i < 5; i++)
		spu_free_secret(v[i], sb);
	return rc;
}

/*
 * Probabilistic truncation TruncAPr (Escudero et al., eprint 2020/338,
 * protocols.md 2.6): dealer pair r, rc = bits [m, k-1) of r, rb = msb(r);
 * open c = x + 2^(k-2) + r; y = c_hat - rc + b 2^(k-1-m) - 2^(k-2-m)
 * with b = msb(c) xor rb.  Exact up to the last bit for |x| < 2^(k-2).
 * 1 round, K (N-1) bytes per party.  For three or more parties; two use
 * trunc2_2pc.
 */
static int
semi2k_trunc(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field, k = f;
	size_t nv[6] = { n, n, n, n, n, n };
	void *v[6];		/* r rc rb | party 0: sum r, sum rc_j, sum rb_j */
	void *c = NULL;
	int rc;

	if (bits == 0) {
		spu_ring_copy(f, z[0], x[0], n);
		return 0;
	}
	if (m->nparties == 2)
		return trunc2_2pc(m, z, x, n, bits);
	if ((rc = alloc_all(m, v, nv, m->party == 0 ? 6 : 3)) != 0)
		return rc;
	/* every party draws r_i, rc_i, rb_i; party 0 replays the others'
	 * streams in the same order and fixes its own rc_0, rb_0 */
	for (int i = 0; i < 3; i++)
		spu_prg_ring(&m->dealer[m->party], f, v[i], n);
	if (m->party == 0) {
		void *r = v[3], *rcs = v[4], *rbs = v[5];
		void *t = spu_ring_alloc(f, n);
		if (t == NULL) {
			rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
			goto out;
		}
		spu_ring_copy(f, r, v[0], n);
		for (int j = 1; j < m->nparties; j++) {
			spu_prg_ring(&m->dealer[j], f, t, n);
			spu_ring_add(f, r, r, t, n);
			spu_prg_ring(&m->dealer[j], f, t, n);
			spu_ring_add(f, rcs, rcs, t, n);
			spu_prg_ring(&m->dealer[j], f, t, n);
			spu_ring_add(f, rbs, rbs, t, n);
		}
		spu_free_secret(t, n * spu_ring_size(f));
		spu_ring_lshift(f, v[1], r, 1, n);
		spu_ring_rshift(f, v[1], v[1], bits + 1, n);
		spu_ring_sub(f, v[1], v[1], rcs, n);
		spu_ring_rshift(f, v[2], r, k - 1, n);
		spu_ring_sub(f, v[2], v[2], rbs, n);
	}
	if ((c = spu_ring_alloc(f, n)) == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	spu_ring_add(f, c, x[0], v[0], n);
	if (m->party == 0)
		spu_ring_add_scalar(f, c, c, (spu_u128)1 << (k - 2), n);
	if ((rc = spu_semi2k_allreduce_add(m, c, c, n)) != 0)
		goto out;
	rc = spu_mpc_truncpr_finish(m, z[0], c, v[1], v[2], n, bits,
	    m->party == 0);
out:
	if (c != NULL)
		spu_free_secret(c, n * spu_ring_size(f));
	free_all(v, nv, m->party == 0 ? 6 : 3, f);
	return rc;
}

/* ---- boolean shares (protocols.md 2.7, 2.8) ---- */

static int
semi2k_nparts(struct spu_mpc *m)
{
	return m->nparties;
}

/* Component j is party j's share: it holds it, everyone else 0. */
static void
semi2k_part_b(struct spu_mpc *m, void *const z[], void *const x[], int j,
    size_t n)
{
	if (m->party == j)
		spu_ring_copy(m->field, z[0], x[0], n);
	else
		spu_ring_zero(m->field, z[0], n);
}

/* All-gather of len bytes per party and XOR: 1 round, len (N-1). */
static int
allreduce_xor(struct spu_mpc *m, uint8_t *out, const uint8_t *mine,
    size_t len)
{
	const void *sbuf[SPU_MAX_PARTIES];
	void *rbuf[SPU_MAX_PARTIES];
	size_t slen[SPU_MAX_PARTIES], rlen[SPU_MAX_PARTIES];
	uint8_t *in;
	int rc;

	if ((in = spu_mpc_peer_bufs(m, len, rbuf, rlen)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	for (int j = 0; j < m->nparties; j++) {
		sbuf[j] = mine;
		slen[j] = rlen[j];
	}
	if ((rc = spu_mpc_exchange(m, sbuf, slen, rbuf, rlen)) == 0) {
		if (out != mine)
			memcpy(out, mine, len);
		for (int j = 0; j < m->nparties; j++)
			if (j != m->party)
				spu_bytes_xor(out, out, rbuf[j], len);
	}
	spu_mpc_peer_free(m, in, len);
	return rc;
}

/* Mask every word of v to its low bits bits. */
static void
mask_bits(unsigned f, void *v, size_t n, unsigned bits)
{
	spu_u128 mk = spu_bool_mask(bits);

	if (bits >= f)
		return;
	for (size_t i = 0; i < n; i++)
		spu_bset(f, v, i, spu_bget(f, v, i) & mk);
}

/*
 * Party 0's share of a packed triple's c: c_0 = A & B ^ xor_{j>0} c_j,
 * A = a ^ xor_{j>0} a_j, B likewise, the other parties' three draws
 * replayed a chunk at a time (no buffer of len bytes per stream).
 */
static void
dealer_fix_and(struct spu_mpc *m, uint8_t *c, const uint8_t *a,
    const uint8_t *b, size_t len)
{
	uint64_t draw[SPU_MAX_PARTIES][3];
	enum { R = SPU_SEMI2K_REPLAY };
	_Alignas(64) uint8_t A[R], B[R];

	for (int j = 1; j < m->nparties; j++)
		for (int v = 0; v < 3; v++)
			draw[j][v] = spu_prg_skip(&m->dealer[j]);
	for (size_t o = 0; o < len; o += R) {
		size_t cnt = len - o < R ? len - o : R;
		memcpy(A, a + o, cnt);
		memcpy(B, b + o, cnt);
		memset(c + o, 0, cnt);
		for (int j = 1; j < m->nparties; j++) {
			spu_prg_xor_at(&m->dealer[j], draw[j][0], o, A, cnt);
			spu_prg_xor_at(&m->dealer[j], draw[j][1], o, B, cnt);
			spu_prg_xor_at(&m->dealer[j], draw[j][2], o, c + o,
			    cnt);
		}
		spu_bytes_and(A, A, B, cnt);
		spu_bytes_xor(c + o, c + o, A, cnt);
	}
	sodium_memzero(A, sizeof(A));
	sodium_memzero(B, sizeof(B));
}

/*
 * Beaver AND on packed shares: a dealer triple a, b, c = a & b drawn as
 * len bytes each (party 0 replays the other parties' dealer streams and
 * fixes c_0).  Open e = x ^ a and d = y ^ b to everyone in one round;
 * z = c ^ e&b ^ d&a (^ e&d at party 0).  (N-1) 2 len bytes per party.
 * c is drawn straight into z once x and y are read (z may alias them):
 * four buffers of len bytes besides z and the exchange's.
 */
static int
semi2k_and_pv(struct spu_mpc *m, uint8_t *const z[], const uint8_t *const *x[],
    const uint8_t *const *y[], size_t np, size_t pb)
{
	uint8_t *a, *b, *ed;
	size_t len;
	int rc = 0;

	if (pb != 0 && np > (SIZE_MAX / 2 - 8) / pb)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	len = np * pb;
	a = spu_bytes_alloc(len);
	b = spu_bytes_alloc(len);
	ed = spu_bytes_alloc(2 * len);
	if (a == NULL || b == NULL || ed == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	spu_prg_bytes(&m->dealer[m->party], a, len);
	spu_prg_bytes(&m->dealer[m->party], b, len);
	for (size_t q = 0; q < np; q++) {		/* e | d */
		spu_bytes_xor(ed + q * pb, x[0][q], a + q * pb, pb);
		spu_bytes_xor(ed + len + q * pb, y[0][q], b + q * pb, pb);
	}
	if (m->party == 0) {
		(void)spu_prg_skip(&m->dealer[0]);	/* c_0 is the fix */
		dealer_fix_and(m, z[0], a, b, len);
	} else {
		spu_prg_bytes(&m->dealer[m->party], z[0], len);
	}
	if ((rc = allreduce_xor(m, ed, ed, 2 * len)) != 0)
		goto out;
	if (m->party == 0)		/* e&b ^ e&d = e&(b^d) */
		spu_bytes_xor(b, b, ed + len, len);
	spu_bytes_xor_and2(z[0], ed, b, ed + len, a, len);
out:
	spu_bytes_free(a, len);
	spu_bytes_free(b, len);
	spu_bytes_free(ed, 2 * len);
	return rc;
}

static int
semi2k_and_p(struct spu_mpc *m, uint8_t *const z[], uint8_t *const x[],
    uint8_t *const y[], size_t len)
{
	const uint8_t *xp = x[0], *yp = y[0];
	const uint8_t *const *xs[1] = { &xp }, *const *ys[1] = { &yp };

	return semi2k_and_pv(m, z, xs, ys, 1, len);
}

/*
 * B2A with dealer random bits (protocols.md 2.7, "B2A_Randbit"): the
 * dealer gives arithmetic shares of n*bits random bits r_t; each party's
 * XOR share of r is read off the lsbs of its arithmetic shares.  Open
 * c = x ^ r (packed, 1 round, n bits/8 (N-1) bytes); then
 * [x] = sum_t 2^t (c_t + (1 - 2 c_t) [r_t]), c_t only at party 0.
 */
static int
semi2k_b2a(struct spu_mpc *m, void *const z[], void *const x[], size_t n,
    unsigned bits)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), nb, plen;
	void *r = NULL, *t = NULL, *c = NULL;
	uint8_t *pk = NULL;
	int rc;

	if (n == 0)
		return 0;
	if (bits == 0 || bits > f)
		return spu_mpc_fail(m, SPU_EINVAL, "b2a: bad width");
	if (n > SIZE_MAX / bits)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	nb = n * bits;
	plen = spu_bool_packed_size(n, bits);
	r = spu_ring_alloc(f, nb);
	t = spu_ring_alloc(f, nb);
	c = spu_ring_alloc(f, n);
	pk = spu_malloc(plen, 1);
	if (r == NULL || t == NULL || c == NULL || pk == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	spu_prg_ring(&m->dealer[m->party], f, r, nb);
	if (m->party == 0) {
		/* r_0 = bit - sum_{j>0} r_j with bit = lsb of my own draw */
		for (size_t i = 0; i < nb; i++)
			spu_bset(f, r, i, spu_bget(f, r, i) & 1);
		for (int j = 1; j < m->nparties; j++) {
			spu_prg_ring(&m->dealer[j], f, t, nb);
			spu_ring_sub(f, r, r, t, nb);
		}
	}
	/* my XOR share of r, then c_i = x_i ^ r_i */
	for (size_t i = 0; i < n; i++) {
		spu_u128 rb = 0;
		for (unsigned b = 0; b < bits; b++)
			rb |= (spu_bget(f, r, i * bits + b) & 1) << b;
		spu_bset(f, c, i, spu_bget(f, x[0], i) ^ rb);
	}
	mask_bits(f, c, n, bits);
	spu_bool_pack(f, pk, c, n, bits);
	if ((rc = allreduce_xor(m, pk, pk, plen)) != 0)
		goto out;
	spu_bool_unpack(f, c, pk, n, bits);
	for (size_t i = 0; i < n; i++) {
		spu_u128 cv = spu_bget(f, c, i), acc = 0;
		for (unsigned b = 0; b < bits; b++) {
			spu_u128 rt = spu_bget(f, r, i * bits + b);
			if ((cv >> b) & 1)
				rt = -rt;
			acc += rt << b;
		}
		if (m->party == 0)
			acc += cv;
		spu_bset(f, z[0], i, acc);
	}
	rc = 0;
out:
	if (r != NULL)
		spu_free_secret(r, nb * K);
	if (t != NULL)
		spu_free_secret(t, nb * K);
	if (c != NULL)
		spu_free_secret(c, n * K);
	free(pk);
	return rc;
}

/*
 * The dealer's N random bits r as arithmetic shares (r_0 = bit - sum of
 * the others' draws, bit = the lsb of party 0's own draw; every party's
 * XOR share of a bit is the lsb of its arithmetic share), and c = x ^ r
 * for N packed bits x, opened packed into pk (1 round, N / 8 bytes to
 * every peer): what every B2A of single bits starts with.
 */
static int
open_masked_bits(struct spu_mpc *m, void *r, uint8_t *pk, const uint8_t *x,
    size_t N)
{
	unsigned f = m->field;
	size_t pb = (N + 7) / 8;

	spu_prg_ring(&m->dealer[m->party], f, r, N);
	if (m->party == 0) {
		for (size_t j = 0; j < N; j++)
			spu_bset(f, r, j, spu_bget(f, r, j) & 1);
		for (int p = 1; p < m->nparties; p++)
			spu_prg_ring_add(&m->dealer[p], f, r, N, 1);
	}
	memset(pk, 0, pb);
	for (size_t j = 0; j < N; j++)
		pk[j >> 3] |= (uint8_t)((((x[j >> 3] >> (j & 7)) ^
		    (unsigned)spu_bget(f, r, j)) & 1) << (j & 7));
	return allreduce_xor(m, pk, pk, pb);
}

/*
 * semi2k_b2a for single bits straight from packed bits, its dealer
 * draws and message unchanged: the dealer's random bit r is drawn
 * into z (party 0 replays the others' draws into it), c = x ^ lsb(r)
 * is opened packed, z = r or -r by c, plus c at party 0.  No buffer of
 * n words.
 */
static int
semi2k_b2a_bit(struct spu_mpc *m, void *const z[], const uint8_t *const x[],
    size_t n)
{
	unsigned f = m->field;
	size_t pb = (n + 7) / 8;
	uint8_t *pk;
	int rc;

	if (n == 0)
		return 0;
	if ((pk = spu_bytes_alloc(pb)) == NULL)
		return spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
	if ((rc = open_masked_bits(m, z[0], pk, x[0], n)) == 0)
		for (size_t i = 0; i < n; i++) {
			unsigned c = (pk[i >> 3] >> (i & 7)) & 1;
			spu_u128 r = spu_bget(f, z[0], i);
			spu_bset(f, z[0], i, (c ? 0 - r : r) +
			    (m->party == 0 ? c : 0));
		}
	spu_bytes_free(pk, pb);
	return rc;
}

/*
 * b2a_lin: semi2k_b2a_bit over the cnt n bits (the same draws and the
 * same packed opening of c), each plane's arithmetic bits folded into
 * the L sums as they are made.
 */
static int
semi2k_b2a_lin(struct spu_mpc *m, void *const z[], const uint8_t *const x[],
    size_t n, unsigned cnt, const spu_u128 *w, unsigned L)
{
	unsigned f = m->field;
	size_t K = spu_ring_size(f), N = (size_t)cnt * n, pb = (N + 7) / 8;
	uint8_t *r = NULL, *tv = NULL, *pk = NULL;
	int rc = 0;

	if (n == 0 || L == 0)
		return 0;
	r = spu_malloc(N, K);
	tv = spu_malloc(n, K);
	pk = spu_bytes_alloc(pb);
	if (r == NULL || tv == NULL || pk == NULL) {
		rc = spu_mpc_fail(m, SPU_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = open_masked_bits(m, r, pk, x[0], N)) != 0)
		goto out;
	spu_ring_zero(f, z[0], (size_t)L * n);
	for (unsigned t = 0; t < cnt; t++) {
		for (size_t i = 0; i < n; i++) {
			size_t j = (size_t)t * n + i;
			unsigned c = (pk[j >> 3] >> (j & 7)) & 1;
			spu_u128 v = spu_bget(f, r, j);
			spu_bset(f, tv, i, (c ? 0 - v : v) +
			    (m->party == 0 ? c : 0));
		}
		for (unsigned l = 0; l < L; l++)
			spu_ring_axpy(f, (uint8_t *)z[0] + l * n * K, tv,
			    w[(size_t)l * cnt + t], n);
	}
out:
	spu_free_secret(r, N * K);
	spu_free_secret(tv, n * K);
	spu_bytes_free(pk, pb);
	return rc;
}

const struct spu_proto_ops spu_semi2k_ops = {
	.p2s = semi2k_p2s,
	.add_p = semi2k_add_p,
	.open = semi2k_open,
	.mul = spu_semi2k_mul,
	.matmul = spu_semi2k_matmul,
	.matmul_id = spu_semi2k_matmul_id,
	.matmul_map = spu_semi2k_matmul_map,
	.forget = spu_semi2k_forget,
	.trunc = semi2k_trunc,
	.nparts = semi2k_nparts,
	.part_b = semi2k_part_b,
	.and_b = spu_b_and_words,
	.and_p = semi2k_and_p,
	.and_pv = semi2k_and_pv,
	.b2a_bit = semi2k_b2a_bit,
	.b2a_lin = semi2k_b2a_lin,
	.b2a = semi2k_b2a,
	.square = semi2k_square,
};
