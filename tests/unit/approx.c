/*
 * approx.c - accuracy tests of the fixed-point function library: for
 * every protocol and field, sample each function's stated input range,
 * run it on secret inputs over N threads and local links, reveal, and
 * compare with float64 evaluated at the encoded input.  Bound (FM64 and
 * FM128): |error| <= max(1e-3 |want|, 1e-4); FM32 (8 fraction bits,
 * smaller ranges): max(2e-2 |want|, 2^-5), eight units in the last
 * place.  Reports the worst error and the rounds and bytes of each
 * function.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "link.h"
#include "hal/approx.h"
#include "hal/hal.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"
#include "../tap.h"

#define N 60
#define NF 26

typedef int (*unary_fn)(struct spu_mpc *, const struct spu_value *,
    struct spu_value **);

static double r_logistic(double x) { return 1 / (1 + exp(-x)); }
static double r_rsqrt(double x) { return 1 / sqrt(x); }
static double r_recip(double x) { return 1 / x; }

static int
h_div(struct spu_mpc *m, const struct spu_value *a,
    const struct spu_value *b, struct spu_value **out)
{
	return spu_hal_div(m, a, b, a->dtype, out);
}

/* Method configurations the rows below refer to (index cfg). */
static const struct spu_fxp_config cfgs[] = {
	{ 0 },
	{ .exp = SPU_EXP_TAYLOR },
	{ .log = SPU_LOG_PADE },
	{ .sigmoid = SPU_SIGMOID_MM1 },
	{ .sigmoid = SPU_SIGMOID_SEG3 },
	{ .tanh = SPU_TANH_CHEB },
	{ .recip_iters = 1 },
	{ .recip_iters = 3 },
	{ .exp = SPU_EXP_TAYLOR, .exp_iters = 12 },
	{ .sigmoid = SPU_SIGMOID_REAL },
	{ .sigmoid = SPU_SIGMOID_PW },
};

/*
 * kind: 0 uniform on [lo, hi], 1 log-uniform, 2 log-uniform random sign.
 * A method's own bound (rtol, atol; 0: the default bound) is the one
 * approx_alt.c documents; no32: not meaningful with 8 fraction bits.
 */
static const struct fn {
	const char *name;
	unary_fn f1;
	int (*f2)(struct spu_mpc *, const struct spu_value *,
	    const struct spu_value *, struct spu_value **);
	double (*ref)(double);
	int kind, pubdiv;
	double lo[3], hi[3];	/* per field 32, 64, 128 */
	int isint;		/* s32 operands, exact result */
	int cfg;		/* index into cfgs */
	double rtol, atol;	/* FM64/FM128 bound if not the default */
	int no32;
} fns[NF] = {
	{ "exp", spu_hal_exp, NULL, exp, 0, 0, { -5, -20, -20 },
	    { 5, 20, 20 }, 0, 0, 0, 0, 0 },
	{ "expm1", spu_hal_expm1, NULL, expm1, 0, 0, { -5, -20, -20 },
	    { 5, 20, 20 }, 0, 0, 0, 0, 0 },
	{ "reciprocal", spu_hal_reciprocal, NULL, r_recip, 2, 0,
	    { 0.25, 0x1p-10, 0x1p-10 }, { 64, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "div", NULL, h_div, NULL, 2, 0, { 0.25, 0x1p-10, 0x1p-10 },
	    { 64, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "div by public", NULL, h_div, NULL, 2, 1, { 0.25, 0x1p-10, 0x1p-10 },
	    { 64, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "logistic", spu_hal_logistic, NULL, r_logistic, 0, 0,
	    { -50, -50, -50 }, { 50, 50, 50 }, 0, 0, 0, 0, 0 },
	{ "log", spu_hal_log, NULL, log, 1, 0, { 0.05, 1e-4, 1e-4 },
	    { 1000, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "log1p", spu_hal_log1p, NULL, log1p, 0, 0, { -0.5, -0.5, -0.5 },
	    { 100, 1000, 1000 }, 0, 0, 0, 0, 0 },
	{ "sqrt", spu_hal_sqrt, NULL, sqrt, 1, 0, { 0.05, 1e-4, 1e-4 },
	    { 1000, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "rsqrt", spu_hal_rsqrt, NULL, r_rsqrt, 1, 0, { 0.05, 1e-4, 1e-4 },
	    { 1000, 0x1p17, 0x1p17 }, 0, 0, 0, 0, 0 },
	{ "tanh", spu_hal_tanh, NULL, tanh, 0, 0, { -50, -50, -50 },
	    { 50, 50, 50 }, 0, 0, 0, 0, 0 },
	{ "erf", spu_hal_erf, NULL, erf, 0, 0, { -5, -5, -5 }, { 5, 5, 5 }, 0, 0, 0, 0, 0 },
	{ "sin", spu_hal_sin, NULL, sin, 0, 0, { -20, -100, -100 },
	    { 20, 100, 100 }, 0, 0, 0, 0, 0 },
	{ "cos", spu_hal_cos, NULL, cos, 0, 0, { -20, -100, -100 },
	    { 20, 100, 100 }, 0, 0, 0, 0, 0 },
	{ "exp (small)", spu_hal_exp, NULL, exp, 0, 0, { -1, -1, -1 },
	    { 1, 1, 1 }, 0, 0, 0, 0, 0 },
	/* s32 x / y: x uniform in +-hi, y log-uniform +-[1, 2^10] */
	{ "integer div", NULL, h_div, NULL, 2, 0, { 1, 1, 1 },
	    { 0x1p5, 0x1p17, 0x1p17 }, 1, 0, 0, 0, 0 },
	/* alternative methods; exp taylor: x^2/2^(n+1) + 2^(n-f) relative */
	{ "exp taylor", spu_hal_exp, NULL, exp, 0, 0, { -2, -2, -2 },
	    { 2, 2, 2 }, 0, 1, 1e-2, 1e-3, 1 },
	{ "exp taylor n=12", spu_hal_exp, NULL, exp, 0, 0, { -1, -1, -1 },
	    { 1, 1, 1 }, 0, 8, 2e-2, 1e-3, 1 },
	{ "log pade", spu_hal_log, NULL, log, 1, 0, { 0.05, 1e-4, 1e-4 },
	    { 1000, 0x1p17, 0x1p17 }, 0, 2, 0, 0, 0 },
	{ "logistic real", spu_hal_logistic, NULL, r_logistic, 0, 0,
	    { -50, -50, -50 }, { 50, 50, 50 }, 0, 9, 0, 0, 0 },
	{ "logistic pw", spu_hal_logistic, NULL, r_logistic, 0, 0,
	    { -50, -50, -100 }, { 50, 50, 100 }, 0, 10, 0, 0, 0 },
	{ "logistic mm1", spu_hal_logistic, NULL, r_logistic, 0, 0,
	    { -4, -4, -4 }, { 4, 4, 4 }, 0, 3, 1e-9, 0.14, 0 },
	{ "logistic seg3", spu_hal_logistic, NULL, r_logistic, 0, 0,
	    { -50, -50, -50 }, { 50, 50, 50 }, 0, 4, 1e-9, 0.14, 0 },
	{ "tanh cheb", spu_hal_tanh, NULL, tanh, 0, 0, { -50, -50, -50 },
	    { 50, 50, 50 }, 0, 5, 0, 0, 0 },
	/* Goldschmidt error 0.0858^(2^t) */
	{ "reciprocal 1 iteration", spu_hal_reciprocal, NULL, r_recip, 2, 0,
	    { 0.25, 0x1p-10, 0x1p-10 }, { 64, 0x1p17, 0x1p17 }, 0, 6, 1e-2, 0, 0 },
	{ "div 3 iterations", NULL, h_div, NULL, 2, 0,
	    { 0.25, 0x1p-10, 0x1p-10 }, { 64, 0x1p17, 0x1p17 }, 0, 7, 0, 0, 0 },
};

struct ctx {
	enum spu_protocol proto;
	unsigned field;
	int fxp, nparties;
	void *x[NF], *y[NF], *res[NF];
	void *xs[NF][SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *ys[NF][SPU_MAX_PARTIES][SPU_MAX_SHARES];
	uint64_t rounds[NF][SPU_MAX_PARTIES], bytes[NF][SPU_MAX_PARTIES];
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

static int
work(struct spu_mpc *m, struct job *j)
{
	struct ctx *c = j->c;
	int p = j->party;

	for (int i = 0; i < NF; i++) {
		const struct fn *fn = &fns[i];
		enum spu_dtype t = fn->isint ? SPU_S32 : SPU_F32;
		struct spu_value *x = mkval(m, t, SPU_SECRET, c->xs[i][p], NULL);
		struct spu_value *y = NULL, *z = NULL, *o = NULL;
		uint64_t b0 = 0, r0 = 0;
		int rc;

		m->fxpcfg = cfgs[fn->cfg];
		if (fn->f2 != NULL)
			y = fn->pubdiv ? mkval(m, t, SPU_PUBLIC, NULL, c->y[i]) :
			    mkval(m, t, SPU_SECRET, c->ys[i][p], NULL);
		if (x == NULL || (fn->f2 != NULL && y == NULL)) {
			spu_value_free(x);
			spu_value_free(y);
			return SPU_ENOMEM;
		}
		if (j->link) {
			b0 = spu_link_stats(j->link)->bytes_sent;
			r0 = spu_link_stats(j->link)->rounds;
		}
		rc = fn->f2 ? fn->f2(m, x, y, &z) : fn->f1(m, x, &z);
		if (j->link) {
			c->bytes[i][p] =
			    spu_link_stats(j->link)->bytes_sent - b0;
			c->rounds[i][p] = spu_link_stats(j->link)->rounds - r0;
		}
		spu_value_free(x);
		spu_value_free(y);
		if (rc == 0)
			rc = spu_hal_reveal(m, z, &o);
		spu_value_free(z);
		if (rc != 0)
			return rc;
		if (p == 0)
			spu_ring_copy(m->field, c->res[i], o->share[0], N);
		spu_value_free(o);
	}
	return 0;
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
	spu_mpc_fini(&m);
	return NULL;
}

static double
unif(void)
{
	return randombytes_uniform(1u << 30) / (double)(1u << 30);
}

static double
sample(const struct fn *fn, int fi, int i)
{
	double lo = fn->lo[fi], hi = fn->hi[fi], v;

	/* the ends of the range are always included */
	if (i < 2) {
		v = i == 0 ? lo : hi;
		return fn->kind == 2 && i == 1 ? -v : v;
	}
	if (fn->kind == 0)
		return lo + (hi - lo) * unif();
	v = exp(log(lo) + (log(hi) - log(lo)) * unif());
	return fn->kind == 2 && randombytes_uniform(2) ? -v : v;
}

static void
split(struct ctx *c, const void *v, void *out[][SPU_MAX_SHARES])
{
	for (int p = 0; p < c->nparties; p++)
		for (int s = 0; s < SPU_MAX_SHARES; s++)
			out[p][s] = spu_ring_alloc(c->field, N);
	spu_deal_split(c->proto, c->field, c->nparties, v, N, out);
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
	int fxp = spu_fxp_default(field), fi = field == 32 ? 0 :
	    field == 64 ? 1 : 2, failed = 0;
	double rtol = field == 32 ? 2e-2 : 1e-3;
	double atol = field == 32 ? 0x1p-5 : 1e-4;

	memset(&c, 0, sizeof(c));
	c.proto = proto;
	c.field = field;
	c.fxp = fxp;
	c.nparties = nparties;
	for (int i = 0; i < NF; i++) {
		c.x[i] = spu_ring_alloc(field, N);
		c.y[i] = spu_ring_alloc(field, N);
		c.res[i] = spu_ring_alloc(field, N);
		for (int e = 0; e < N; e++) {
			double xv = sample(&fns[i], fi, e), yv = 0;
			if (fns[i].isint) {
				int64_t xi = (int64_t)llround(fns[i].hi[fi] *
				    (2 * unif() - 1));
				int64_t yi = (int64_t)llround(exp(log(1024) *
				    unif()));
				if (e == 0)
					xi = (int64_t)fns[i].hi[fi];
				yi = randombytes_uniform(2) ? -yi : yi;
				spu_ring_set(field, c.x[i], e, (spu_u128)xi);
				spu_ring_set(field, c.y[i], e, (spu_u128)yi);
				continue;
			}
			if (fns[i].f2 != NULL) {
				yv = xv;
				xv = (field == 32 ? 8 : 100) * (2 * unif() - 1);
			}
			spu_ring_set(field, c.x[i], e,
			    spu_fxp_encode_f64(field, fxp, xv));
			spu_ring_set(field, c.y[i], e,
			    spu_fxp_encode_f64(field, fxp, yv));
		}
		split(&c, c.x[i], c.xs[i]);
		split(&c, c.y[i], c.ys[i]);
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
	for (int i = 0; i < NF && !failed; i++) {
		double worst = 0, wx = 0, wgot = 0, wwant = 0, maxabs = 0;
		double rt = rtol, at = atol;
		uint64_t r = 0, b = 0;
		if (field == 32 && fns[i].no32)
			continue;
		if (field != 32 && fns[i].rtol > 0)
			rt = fns[i].rtol;
		if (field != 32 && fns[i].atol > 0)
			at = fns[i].atol;
		if (field == 32 && fns[i].atol > at)
			at = fns[i].atol;
		for (int e = 0; e < N; e++) {
			double x = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, c.x[i], e));
			double y = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, c.y[i], e));
			double got = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, c.res[i], e));
			double want = fns[i].f2 ? x / y : fns[i].ref(x);
			double err, tol = fmax(rt * fabs(want), at);
			if (fns[i].isint) {
				int64_t xi = (int64_t)spu_ring_get_signed(field,
				    c.x[i], e);
				int64_t yi = (int64_t)spu_ring_get_signed(field,
				    c.y[i], e);
				x = (double)xi;
				y = (double)yi;
				want = (double)(xi / yi);
				got = (double)spu_ring_get_signed(field,
				    c.res[i], e);
				tol = 1e-9;	/* exact */
			}
			err = fabs(got - want);
			if (err / tol > worst || isnan(got)) {
				worst = isnan(got) ? INFINITY : err / tol;
				wx = fns[i].f2 ? y : x;
				wgot = got;
				wwant = want;
			}
			if (err > maxabs)
				maxabs = err;
		}
		for (int p = 0; p < nparties; p++) {
			if (c.rounds[i][p] > r)
				r = c.rounds[i][p];
			if (c.bytes[i][p] > b)
				b = c.bytes[i][p];
		}
		ok(worst <= 1, "%s field %u, %d parties: %s within bound "
		    "(worst %.3f of it, max abs err %.2g; %llu rounds, "
		    "%.0f bytes/elem)", pn, field, nparties, fns[i].name,
		    worst, maxabs, (unsigned long long)r, (double)b / N);
		if (worst > 1)
			diag("worst at %s %.9g: got %.9g want %.9g",
			    fns[i].f2 ? "divisor" : "x", wx, wgot, wwant);
	}
	for (int p = 0; p < nparties; p++)
		spu_link_free(links[p]);
	for (int i = 0; i < NF; i++) {
		for (int p = 0; p < nparties; p++)
			for (int s = 0; s < SPU_MAX_SHARES; s++) {
				free(c.xs[i][p][s]);
				free(c.ys[i][p][s]);
			}
		free(c.x[i]);
		free(c.y[i]);
		free(c.res[i]);
	}
}

int
main(void)
{
	static const unsigned fields[] = { 64, 128, 32 };

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
