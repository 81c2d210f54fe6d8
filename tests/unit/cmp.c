/*
 * cmp.c - comparison tests: for every protocol and field, run the HAL
 * comparisons, select, max/min, relu, abs, sign, clamp and logic on
 * random secret/secret and secret/public operands (with equal values,
 * zeros and negatives mixed in) on N threads over local links, reveal,
 * and compare exactly with the cleartext result.  Also checks the
 * A2B/B2A round trip and reports rounds and bytes of one comparison.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "link.h"
#include "hal/cmp.h"
#include "hal/hal.h"
#include "hal/pieces.h"
#include "hal/shape.h"
#include "mpc/boolean.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "../tap.h"

#define N 97

enum {
	R_LT, R_LTP, R_PLT, R_LE, R_GT, R_GE, R_EQ, R_EQP, R_NE, R_SEL,
	R_SELP, R_MAX, R_MIN, R_MINP, R_RELU, R_ABS, R_SIGN, R_CLAMP, R_CLAMPS,
	R_AND, R_OR, R_NOT, R_ILT, R_IEQ, R_IAND, R_IOR, R_A2B, R_MSB, R_LIN,
	R_LTK, R_RELUK, R_LTX, R_LEX, R_GEX, R_NOTX, R_SELX, R_SELXS, R_REVX,
	R_LTXP, NRES
};
static const char *rname[NRES] = {
	"lt(x,y)", "lt(x,p)", "lt(p,x)", "le(x,y)", "gt(x,y)", "ge(x,p)",
	"eq(x,y)", "eq(x,p)", "ne(x,y)", "select(lt,x,y)", "select(pub,x,y)",
	"max(x,y)", "min(x,y)", "min(x,p)", "relu(x)", "abs(x)", "sign(x)",
	"clamp(-1,x,1)", "clamp(lo,x,hi) secret bounds", "and(lt,eq)",
	"or(lt,eq)", "not(lt)", "lt int", "eq int", "and int", "or int",
	"b2a(a2b(x))", "msb_a(x)", "3 x_0 - 7 x_5 + 2^(k-2) x_(k-1) (bits_lin)",
	"lt(x,y) on cmp_bits(f)", "relu(x) on cmp_bits(f)",
	"less_x(x,y) -> arith", "less_x(x,p,or_equal) -> arith",
	"less_x(p,x,or_equal) -> arith", "not(less_x(x,y)) -> arith",
	"select(less_x(x,y),x,p)", "select(less_x scalar,x,y)",
	"reveal(less_x(x,y))", "less_x(x,y) in pieces of 10"
};

/* spu_hal_pieces_of's fn: less_x of v[0], v[1]. */
static int
less_x_fn(struct spu_mpc *m, void *arg, struct spu_value *const *v,
    struct spu_value **out)
{
	(void)arg;
	return spu_hal_less_x(m, v[0], v[1], 0, out);
}

/* --compare-bits for the operands here: |x - y| < 2^21 (lim 10^6) */
static unsigned
narrow_bits(int fxp)
{
	return (unsigned)fxp + 23;
}

struct ctx {
	enum spu_protocol proto;
	unsigned field;
	int fxp, nparties;
	void *x, *y, *p, *lo, *hi, *ix, *iy, *pb;	/* cleartext words */
	void *xs[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *ys[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *los[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *his[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *ixs[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *iys[SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *res[NRES];
	uint64_t rounds[SPU_MAX_PARTIES], bytes[SPU_MAX_PARTIES];
	uint64_t mrounds[SPU_MAX_PARTIES], mbytes[SPU_MAX_PARTIES];
	uint64_t rrounds[SPU_MAX_PARTIES];	/* relu */
	uint64_t erounds[SPU_MAX_PARTIES], ebytes[SPU_MAX_PARTIES]; /* eq */
	uint64_t kbytes[SPU_MAX_PARTIES];	/* lt on narrow_bits */
	uint64_t xrounds[SPU_MAX_PARTIES];	/* less_x */
	int empty_ok[SPU_MAX_PARTIES];
};

struct job {
	struct ctx *c;
	int party;
	struct spu_link *link;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32];

static struct spu_value *
mkval(struct spu_mpc *m, enum spu_dtype t, enum spu_vis vis,
    void *const sh[], const void *pub)
{
	struct spu_shape s = { 1, { N } };
	struct spu_value *v = spu_hal_alloc(m, t, &s, vis);

	if (v == NULL)
		return NULL;
	if (vis == SPU_PUBLIC)
		spu_ring_copy(m->field, v->share[0], pub, N);
	else
		for (int i = 0; i < m->nshares; i++)
			spu_ring_copy(m->field, v->share[i], sh[i], N);
	return v;
}

/* Reveal v into res (party 0 keeps it); frees v. */
static int
keep(struct spu_mpc *m, struct job *j, int slot, struct spu_value *v, int rc)
{
	struct spu_value *o;

	if (rc != 0)
		return rc;
	rc = spu_hal_reveal(m, v, &o);
	spu_value_free(v);
	if (rc != 0)
		return rc;
	if (j->party == 0)
		spu_ring_copy(m->field, j->c->res[slot], o->share[0], N);
	spu_value_free(o);
	return 0;
}

/* keep() of a <= b as a boolean sharing, converted to 0/1. */
static int
keep_less_x(struct spu_mpc *m, struct job *j, int slot,
    const struct spu_value *a, const struct spu_value *b)
{
	struct spu_value *t = NULL;
	int rc;

	if ((rc = spu_hal_less_x(m, a, b, 1, &t)) == 0)
		rc = spu_hal_arith(m, t);
	return keep(m, j, slot, t, rc);
}

/*
 * A2B of x, then back: the whole word by b2a (lin 0), or the linear
 * combination 3 x_0 - 7 x_5 + 2^(k-2) x_(k-1) of its bits by
 * spu_b_bits_lin, the bits themselves never made (lin 1).  NULL on
 * failure.
 */
static struct spu_value *
from_bits(struct spu_mpc *m, const struct spu_value *x, int lin)
{
	unsigned pos[3] = { 0, 5, m->field - 1 };
	spu_u128 w[3] = { 3, (spu_u128)0 - 7, (spu_u128)1 << (m->field - 2) };
	struct spu_value *z = spu_value_dup(x);
	struct spu_sv b;
	int rc;

	if (z == NULL || spu_sv_alloc(m, &b, N) != 0) {
		spu_value_free(z);
		return NULL;
	}
	if ((rc = spu_b_a2b(m, b.s, x->share, N)) == 0)
		rc = lin ? spu_b_bits_lin(m, z->share, b.s, N, pos, 3, w, 1) :
		    m->ops->b2a(m, z->share, b.s, N, m->field);
	spu_sv_free(m, &b);
	if (rc != 0) {
		spu_value_free(z);
		return NULL;
	}
	return z;
}

static int
work(struct spu_mpc *m, struct job *j)
{
	struct ctx *c = j->c;
	int p = j->party, rc = 0;
	struct spu_value *X = NULL, *Y = NULL, *P = NULL, *LO = NULL,
	    *HI = NULL, *IX = NULL, *IY = NULL, *PB = NULL, *lt = NULL,
	    *eq = NULL, *t, *one = NULL, *mone = NULL;
	struct spu_shape s1 = { 0, { 0 } };
	uint64_t b0 = 0, r0 = 0;

	X = mkval(m, SPU_F32, SPU_SECRET, c->xs[p], NULL);
	Y = mkval(m, SPU_F32, SPU_SECRET, c->ys[p], NULL);
	P = mkval(m, SPU_F32, SPU_PUBLIC, NULL, c->p);
	LO = mkval(m, SPU_F32, SPU_SECRET, c->los[p], NULL);
	HI = mkval(m, SPU_F32, SPU_SECRET, c->his[p], NULL);
	IX = mkval(m, SPU_S32, SPU_SECRET, c->ixs[p], NULL);
	IY = mkval(m, SPU_S32, SPU_SECRET, c->iys[p], NULL);
	PB = mkval(m, SPU_PRED, SPU_PUBLIC, NULL, c->pb);
	one = spu_hal_alloc(m, SPU_F32, &s1, SPU_PUBLIC);
	mone = spu_hal_alloc(m, SPU_F32, &s1, SPU_PUBLIC);
	if (!X || !Y || !P || !LO || !HI || !IX || !IY || !PB || !one ||
	    !mone) {
		rc = SPU_ENOMEM;
		goto out;
	}
	spu_ring_set(m->field, one->share[0], 0,
	    spu_fxp_encode_f64(m->field, m->fxp, 1.0));
	spu_ring_set(m->field, mone->share[0], 0,
	    spu_fxp_encode_f64(m->field, m->fxp, -1.0));

	{
		/* empty operands: no traffic, empty results */
		struct spu_shape s0 = { 1, { 0 } };
		struct spu_value *e = spu_hal_alloc(m, SPU_F32, &s0, SPU_SECRET);
		struct spu_value *e1 = NULL, *e2 = NULL;
		c->empty_ok[p] = e != NULL &&
		    spu_hal_less(m, e, e, &e1) == 0 && e1->n == 0 &&
		    spu_hal_equal(m, e, e, &e2) == 0 && e2->n == 0;
		spu_value_free(e);
		spu_value_free(e1);
		spu_value_free(e2);
	}
	if (j->link) {
		b0 = spu_link_stats(j->link)->bytes_sent;
		r0 = spu_link_stats(j->link)->rounds;
	}
	if ((rc = spu_hal_less(m, X, Y, &lt)) != 0)
		goto out;
	if (j->link) {
		c->bytes[p] = spu_link_stats(j->link)->bytes_sent - b0;
		c->rounds[p] = spu_link_stats(j->link)->rounds - r0;
		b0 = spu_link_stats(j->link)->bytes_sent;
		r0 = spu_link_stats(j->link)->rounds;
	}
	{
		struct spu_value *z = spu_hal_alloc(m, SPU_PRED, &X->shape,
		    SPU_SECRET);
		if (z == NULL) {
			rc = SPU_ENOMEM;
			goto out;
		}
		rc = spu_b_msb_a(m, z->share, X->share, N, m->field);
		if (j->link) {
			c->mbytes[p] = spu_link_stats(j->link)->bytes_sent - b0;
			c->mrounds[p] = spu_link_stats(j->link)->rounds - r0;
		}
		if ((rc = keep(m, j, R_MSB, z, rc)) != 0)
			goto out;
	}
	if (j->link) {
		b0 = spu_link_stats(j->link)->bytes_sent;
		r0 = spu_link_stats(j->link)->rounds;
	}
	if ((rc = spu_hal_equal(m, X, Y, &eq)) != 0)
		goto out;
	if (j->link) {
		c->ebytes[p] = spu_link_stats(j->link)->bytes_sent - b0;
		c->erounds[p] = spu_link_stats(j->link)->rounds - r0;
	}
#define DO(slot, call) do {						\
		t = NULL;						\
		rc = call;						\
		if ((rc = keep(m, j, slot, t, rc)) != 0)		\
			goto out;					\
	} while (0)
	DO(R_LTP, spu_hal_less(m, X, P, &t));
	DO(R_PLT, spu_hal_less(m, P, X, &t));
	DO(R_LE, spu_hal_less_equal(m, X, Y, &t));
	DO(R_GT, spu_hal_greater(m, X, Y, &t));
	DO(R_GE, spu_hal_greater_equal(m, X, P, &t));
	DO(R_EQP, spu_hal_equal(m, X, P, &t));
	DO(R_NE, spu_hal_not_equal(m, X, Y, &t));
	DO(R_SEL, spu_hal_select(m, lt, X, Y, &t));
	DO(R_SELP, spu_hal_select(m, PB, X, P, &t));
	DO(R_MAX, spu_hal_max(m, X, Y, &t));
	DO(R_MIN, spu_hal_min(m, X, Y, &t));
	DO(R_MINP, spu_hal_min(m, X, P, &t));
	if (j->link)
		r0 = spu_link_stats(j->link)->rounds;
	DO(R_RELU, spu_hal_relu(m, X, &t));
	if (j->link)
		c->rrounds[p] = spu_link_stats(j->link)->rounds - r0;
	DO(R_ABS, spu_hal_abs(m, X, &t));
	DO(R_SIGN, spu_hal_sign(m, X, &t));
	DO(R_CLAMP, spu_hal_clamp(m, mone, X, one, &t));
	DO(R_CLAMPS, spu_hal_clamp(m, LO, X, HI, &t));
	DO(R_AND, spu_hal_and(m, lt, eq, &t));
	DO(R_OR, spu_hal_or(m, lt, eq, &t));
	DO(R_NOT, spu_hal_not(m, lt, &t));
	DO(R_ILT, spu_hal_less(m, IX, IY, &t));
	DO(R_IEQ, spu_hal_equal(m, IX, IY, &t));
	DO(R_IAND, spu_hal_and(m, IX, IY, &t));
	DO(R_IOR, spu_hal_or(m, IX, IY, &t));
	m->fxpcfg.cmp_bits = narrow_bits(m->fxp);
	if (j->link)
		b0 = spu_link_stats(j->link)->bytes_sent;
	t = NULL;
	rc = spu_hal_less(m, X, Y, &t);
	if (j->link)
		c->kbytes[p] = spu_link_stats(j->link)->bytes_sent - b0;
	if ((rc = keep(m, j, R_LTK, t, rc)) != 0)
		goto out;
	DO(R_RELUK, spu_hal_relu(m, X, &t));
	m->fxpcfg.cmp_bits = 0;
	/* predicates left as boolean sharings (cmp_xor.c) */
	{
		struct spu_value *lx = NULL, *x0 = NULL, *y0 = NULL;
		int64_t z0 = 0, z1 = 1, st = 1;
		if (j->link)
			r0 = spu_link_stats(j->link)->rounds;
		rc = spu_hal_less_x(m, X, Y, 0, &lx);
		if (j->link)
			c->xrounds[p] = spu_link_stats(j->link)->rounds - r0;
		if (rc == 0 && !lx->xor_shared)
			rc = SPU_EPROTO;
		if (rc != 0)
			goto out;
		DO(R_REVX, (t = spu_value_dup(lx)) == NULL ? SPU_ENOMEM : 0);
		DO(R_NOTX, spu_hal_not(m, lx, &t));
		DO(R_SELX, spu_hal_select(m, lx, X, P, &t));
		DO(R_LTX, (t = spu_value_dup(lx)) == NULL ? SPU_ENOMEM :
		    spu_hal_arith(m, t));
		spu_value_free(lx);
		lx = NULL;
		/* a scalar predicate: element 0's comparison */
		if ((rc = spu_hal_slice(m, X, &z0, &z1, &st, &x0)) == 0 &&
		    (rc = spu_hal_slice(m, Y, &z0, &z1, &st, &y0)) == 0) {
			x0->shape.ndim = y0->shape.ndim = 0;
			rc = spu_hal_less_x(m, x0, y0, 0, &lx);
		}
		spu_value_free(x0);
		spu_value_free(y0);
		if (rc != 0)
			goto out;
		t = NULL;
		rc = spu_hal_select(m, lx, X, Y, &t);
		spu_value_free(lx);
		if ((rc = keep(m, j, R_SELXS, t, rc)) != 0)
			goto out;
	}
	if ((rc = keep_less_x(m, j, R_LEX, X, P)) != 0)
		goto out;
	{
		/* pieces assemble boolean sharings as such */
		struct spu_value *const xy[2] = { X, Y };
		t = NULL;
		rc = spu_hal_pieces_of(m, less_x_fn, NULL, xy, 2, &t, 1, 10);
		if (rc == 0 && !t->xor_shared)
			rc = SPU_EPROTO;
		if ((rc = keep(m, j, R_LTXP, t, rc)) != 0)
			goto out;
	}
	if ((rc = keep_less_x(m, j, R_GEX, P, X)) != 0)
		goto out;
	for (int lin = 0; lin < 2; lin++) {
		struct spu_value *z = from_bits(m, X, lin);
		if ((rc = keep(m, j, lin ? R_LIN : R_A2B, z,
		    z != NULL ? 0 : SPU_EPROTO)) != 0)
			goto out;
	}
	if ((rc = keep(m, j, R_LT, lt, 0)) != 0) {
		lt = NULL;
		goto out;
	}
	lt = NULL;
	rc = keep(m, j, R_EQ, eq, 0);
	eq = NULL;
#undef DO
out:
	spu_value_free(X); spu_value_free(Y); spu_value_free(P);
	spu_value_free(LO); spu_value_free(HI); spu_value_free(IX);
	spu_value_free(IY); spu_value_free(PB); spu_value_free(lt);
	spu_value_free(eq); spu_value_free(one); spu_value_free(mone);
	return rc;
}

static void *
run(void *arg)
{
	struct job *j = arg;
	struct spu_mpc m;

	j->rc = spu_mpc_init(&m, j->c->proto, j->party, j->c->nparties,
	    j->c->field, j->c->fxp, j->link, session, &j->d);
	if (j->rc == 0)
		j->rc = work(&m, j);
	if (j->rc != 0 && j->d.msg[0] == '\0')
		snprintf(j->d.msg, sizeof(j->d.msg), "error %d", j->rc);
	spu_mpc_fini(&m);
	return NULL;
}

static double
rnd(double lo, double hi)
{
	return lo + (hi - lo) *
	    (randombytes_uniform(1u << 30) / (double)(1u << 30));
}

static void
split(struct ctx *c, const void *v, void *out[][SPU_MAX_SHARES])
{
	int nsh = spu_protocol_nshares(c->proto);

	for (int p = 0; p < c->nparties; p++)
		for (int s = 0; s < nsh; s++)
			out[p][s] = spu_ring_alloc(c->field, N);
	spu_deal_split(c->proto, c->field, c->nparties, v, N, out);
}

static void
freesplit(struct ctx *c, void *v[][SPU_MAX_SHARES])
{
	for (int p = 0; p < c->nparties; p++)
		for (int s = 0; s < SPU_MAX_SHARES; s++)
			free(v[p][s]);
}

static void
check(enum spu_protocol proto, unsigned field, int nparties)
{
	struct ctx c;
	struct job jobs[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct spu_diag d;
	const char *pn = spu_protocol_name(proto);
	int fxp = spu_fxp_default(field), failed = 0;
	double lim = field == 32 ? 1000 : 1e6;
	unsigned f = field;
	spu_u128 want[NRES][N];

	memset(&c, 0, sizeof(c));
	c.proto = proto;
	c.field = field;
	c.fxp = fxp;
	c.nparties = nparties;
	c.x = spu_ring_alloc(f, N); c.y = spu_ring_alloc(f, N);
	c.p = spu_ring_alloc(f, N); c.lo = spu_ring_alloc(f, N);
	c.hi = spu_ring_alloc(f, N); c.ix = spu_ring_alloc(f, N);
	c.iy = spu_ring_alloc(f, N); c.pb = spu_ring_alloc(f, N);
	for (int r = 0; r < NRES; r++)
		c.res[r] = spu_ring_alloc(f, N);
	for (int i = 0; i < N; i++) {
		double x = rnd(-lim, lim), y = rnd(-lim, lim);
		double p = rnd(-lim, lim);
		double lo = rnd(-3, 0), hi = rnd(0, 3);
		int64_t ix = (int64_t)randombytes_uniform(2000001) - 1000000;
		int64_t iy = (int64_t)randombytes_uniform(2000001) - 1000000;
		switch (i % 8) {
		case 0: y = x; iy = ix; break;
		case 1: p = x; break;
		case 2: x = 0; ix = 0; break;
		case 3: x = rnd(-2, 2); y = -x; iy = -ix; break;
		case 4: x = rnd(-4, 4); break;
		case 5: y = x + ldexp(1, -fxp); break;	/* one ulp apart */
		case 6: ix = -ix; iy = ix - 1; break;
		}
		spu_ring_set(f, c.x, i, spu_fxp_encode_f64(f, fxp, x));
		spu_ring_set(f, c.y, i, spu_fxp_encode_f64(f, fxp, y));
		spu_ring_set(f, c.p, i, spu_fxp_encode_f64(f, fxp, p));
		spu_ring_set(f, c.lo, i, spu_fxp_encode_f64(f, fxp, lo));
		spu_ring_set(f, c.hi, i, spu_fxp_encode_f64(f, fxp, hi));
		spu_ring_set(f, c.ix, i, (spu_u128)(spu_i128)ix);
		spu_ring_set(f, c.iy, i, (spu_u128)(spu_i128)iy);
		spu_ring_set(f, c.pb, i, randombytes_uniform(2));
	}
	split(&c, c.x, c.xs); split(&c, c.y, c.ys);
	split(&c, c.lo, c.los); split(&c, c.hi, c.his);
	split(&c, c.ix, c.ixs); split(&c, c.iy, c.iys);

	/* expected values from the encoded words */
	for (int i = 0; i < N; i++) {
		spu_i128 x = spu_ring_get_signed(f, c.x, i);
		spu_i128 y = spu_ring_get_signed(f, c.y, i);
		spu_i128 p = spu_ring_get_signed(f, c.p, i);
		spu_i128 lo = spu_ring_get_signed(f, c.lo, i);
		spu_i128 hi = spu_ring_get_signed(f, c.hi, i);
		spu_i128 ix = spu_ring_get_signed(f, c.ix, i);
		spu_i128 iy = spu_ring_get_signed(f, c.iy, i);
		spu_i128 one = (spu_i128)1 << fxp, cl;
		int pb = (int)spu_ring_get(f, c.pb, i);
		want[R_LT][i] = x < y;
		want[R_LTP][i] = x < p;
		want[R_PLT][i] = p < x;
		want[R_LE][i] = x <= y;
		want[R_GT][i] = x > y;
		want[R_GE][i] = x >= p;
		want[R_EQ][i] = x == y;
		want[R_EQP][i] = x == p;
		want[R_NE][i] = x != y;
		want[R_SEL][i] = (spu_u128)(x < y ? x : y);
		want[R_SELP][i] = (spu_u128)(pb ? x : p);
		want[R_MAX][i] = (spu_u128)(x > y ? x : y);
		want[R_MIN][i] = (spu_u128)(x < y ? x : y);
		want[R_MINP][i] = (spu_u128)(x < p ? x : p);
		want[R_RELU][i] = (spu_u128)(x > 0 ? x : 0);
		want[R_ABS][i] = (spu_u128)(x < 0 ? -x : x);
		want[R_SIGN][i] = (spu_u128)(x > 0 ? one : x < 0 ? -one : 0);
		cl = x < -one ? -one : x > one ? one : x;
		want[R_CLAMP][i] = (spu_u128)cl;
		cl = x < lo ? lo : x;
		want[R_CLAMPS][i] = (spu_u128)(cl > hi ? hi : cl);
		want[R_AND][i] = (x < y) && (x == y);
		want[R_OR][i] = (x < y) || (x == y);
		want[R_NOT][i] = !(x < y);
		want[R_ILT][i] = ix < iy;
		want[R_IEQ][i] = ix == iy;
		want[R_IAND][i] = (spu_u128)(ix & iy);
		want[R_IOR][i] = (spu_u128)(ix | iy);
		want[R_A2B][i] = (spu_u128)x;
		want[R_MSB][i] = x < 0;
		want[R_LTK][i] = x < y;
		want[R_LTX][i] = want[R_REVX][i] = want[R_LTXP][i] = x < y;
		want[R_LEX][i] = x <= p;
		want[R_GEX][i] = p <= x;
		want[R_NOTX][i] = !(x < y);
		want[R_SELX][i] = (spu_u128)(x < y ? x : p);
		want[R_RELUK][i] = (spu_u128)(x > 0 ? x : 0);
		{
			spu_u128 u = (spu_u128)x;
			want[R_LIN][i] = 3 * (u & 1) - 7 * ((u >> 5) & 1) +
			    (((u >> (field - 1)) & 1) << (field - 2));
		}
	}

	for (int i = 0; i < N; i++) {
		int s0 = spu_ring_get_signed(f, c.x, 0) <
		    spu_ring_get_signed(f, c.y, 0);
		want[R_SELXS][i] = spu_ring_get(f, s0 ? c.x : c.y, i);
	}

	if (nparties > 1 && spu_link_local(nparties, 10000, links, &d) != 0) {
		ok(0, "%s/%u/%d: local links: %s", pn, field, nparties, d.msg);
		return;
	}
	for (int p = 0; p < nparties; p++) {
		memset(&jobs[p], 0, sizeof(jobs[p]));
		jobs[p].c = &c;
		jobs[p].party = p;
		jobs[p].link = links[p];
		pthread_create(&tid[p], NULL, run, &jobs[p]);
	}
	for (int p = 0; p < nparties; p++)
		pthread_join(tid[p], NULL);
	for (int p = 0; p < nparties; p++)
		if (jobs[p].rc) {
			failed = 1;
			diag("party %d: %s", p, jobs[p].d.msg);
		}
	ok(!failed, "%s field %u, %d parties: all parties finish", pn, field,
	    nparties);
	if (!failed) {
		int eok = 1;
		for (int p = 0; p < nparties; p++)
			eok &= c.empty_ok[p];
		ok(eok, "%s field %u, %d parties: empty operands", pn, field,
		    nparties);
	}
	if (!failed) {
		spu_u128 mk = field == 128 ? ~(spu_u128)0 :
		    ((spu_u128)1 << field) - 1;
		for (int r = 0; r < NRES; r++) {
			int bad = -1;
			for (int i = 0; i < N && bad < 0; i++)
				if (((spu_ring_get(f, c.res[r], i) ^
				    want[r][i]) & mk) != 0)
					bad = i;
			ok(bad < 0, "%s field %u, %d parties: %s exact", pn,
			    field, nparties, rname[r]);
			if (bad >= 0)
				diag("element %d: got %.6g want %.6g (x %.6g)",
				    bad, (double)spu_ring_get_signed(f,
				    c.res[r], bad),
				    (double)(spu_i128)want[r][bad],
				    (double)spu_ring_get_signed(f, c.x, bad));
		}
		if (proto != SPU_REF2K) {
			uint64_t mr = 0, mb = 0, lr = 0, lb = 0, rr = 0;
			for (int p = 0; p < nparties; p++) {
				if (c.mrounds[p] > mr) mr = c.mrounds[p];
				if (c.mbytes[p] > mb) mb = c.mbytes[p];
				if (c.rounds[p] > lr) lr = c.rounds[p];
				if (c.bytes[p] > lb) lb = c.bytes[p];
			}
			diag("%s field %u, %d parties: msb %llu rounds %.1f "
			    "bytes/elem, less %llu rounds %.1f bytes/elem "
			    "(max over parties, %d elements, incl. framing)",
			    pn, field, nparties, (unsigned long long)mr,
			    (double)mb / N, (unsigned long long)lr,
			    (double)lb / N, N);
			/* relu applies the MSB circuit's boolean bit directly:
			 * as many rounds as msb_a (circuit + B2A) except
			 * for semi2k with more than 2 parties (+1 product);
			 * plus the reveal in keep() */
			for (int p = 0; p < nparties; p++)
				if (c.rrounds[p] > rr)
					rr = c.rrounds[p];
			ok(rr == mr + 1 + (proto == SPU_SEMI2K && nparties > 2),
			    "%s field %u, %d parties: relu takes %llu rounds "
			    "(msb_a %llu)", pn, field, nparties,
			    (unsigned long long)rr, (unsigned long long)mr);
			/* equality: two bitwise-comparable sharings (semi2k
			 * 2PC: the shares; aby3: one reshare), an AND fold
			 * of log2 k rounds, B2A (aby3: 2 rounds) */
			uint64_t er = 0, eb = 0;
			for (int p = 0; p < nparties; p++) {
				if (c.erounds[p] > er) er = c.erounds[p];
				if (c.ebytes[p] > eb) eb = c.ebytes[p];
			}
			if (proto == SPU_ABY3 || nparties == 2) {
				unsigned lg = field == 32 ? 5 : field == 64 ?
				    6 : 7;
				uint64_t wr = proto == SPU_ABY3 ? lg + 3 :
				    lg + 1;
				ok(er == wr && (double)eb / N <=
				    (proto == SPU_ABY3 ? 5.5 : 2.5) * field / 8,
				    "%s field %u, %d parties: equal takes %llu "
				    "rounds, %.1f bytes/elem (want %llu rounds)",
				    pn, field, nparties, (unsigned long long)er,
				    (double)eb / N, (unsigned long long)wr);
			}
			{
				uint64_t xr = 0;
				for (int p = 0; p < nparties; p++)
					if (c.xrounds[p] > xr)
						xr = c.xrounds[p];
				ok(xr < lr, "%s field %u, %d parties: less as a "
				    "boolean sharing takes %llu rounds, as 0/1 "
				    "%llu", pn, field, nparties,
				    (unsigned long long)xr,
				    (unsigned long long)lr);
			}
			if (narrow_bits(fxp) < field) {
				uint64_t kb = 0;
				for (int p = 0; p < nparties; p++)
					if (c.kbytes[p] > kb)
						kb = c.kbytes[p];
				ok(kb < lb, "%s field %u, %d parties: less on %u "
				    "bits sends %.1f bytes/elem, the ring's %.1f",
				    pn, field, nparties, narrow_bits(fxp),
				    (double)kb / N, (double)lb / N);
			}
			ok(lr == mr && lr <= (proto == SPU_ABY3 ? 2u : 1u) +
			    (nparties > 2 ? 1u : 0u) + 1 +
			    (field == 32 ? 5 : field == 64 ? 6 : 7),
			    "%s field %u, %d parties: less takes %llu rounds",
			    pn, field, nparties, (unsigned long long)lr);
		}
	}
	for (int p = 0; p < nparties; p++)
		spu_link_free(links[p]);
	freesplit(&c, c.xs); freesplit(&c, c.ys); freesplit(&c, c.los);
	freesplit(&c, c.his); freesplit(&c, c.ixs); freesplit(&c, c.iys);
	free(c.x); free(c.y); free(c.p); free(c.lo); free(c.hi);
	free(c.ix); free(c.iy); free(c.pb);
	for (int r = 0; r < NRES; r++)
		free(c.res[r]);
}

int
main(void)
{
	static const unsigned fields[] = { 32, 64, 128 };

	if (sodium_init() < 0)
		return 99;
	randombytes_buf(session, sizeof(session));
	for (int f = 0; f < 3; f++) {
		check(SPU_REF2K, fields[f], 1);
		check(SPU_SEMI2K, fields[f], 2);
		check(SPU_SEMI2K, fields[f], 3);
		check(SPU_ABY3, fields[f], 3);
	}
	return done_testing();
}
