/*
 * accuracy.c - the accuracy and cost report of the non-linear library
 * (docs/accuracy.md; `make accuracy` regenerates it).  For every field
 * (64, 128, 32) and protocol (ref2k, semi2k with 2 parties, aby3) it
 * samples each function and method over its domain, runs it on secret
 * inputs with every party a thread on in-memory links, reveals, and
 * compares with float64 evaluated at the encoded input; it prints
 * markdown tables of the worst absolute and relative errors and of the
 * rounds and bytes per element each party sent.  A second table sets the
 * FM64 costs of the comparisons and main functions beside SPU's figures
 * from protocols.md.  Not a test: the bounds are asserted by
 * tests/unit/approx.c and tests/unit/cmp.c.
 *
 * usage: bench/accuracy [SAMPLES]	(default 1000, at most 100000)
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "fxpcfg.h"
#include "link.h"
#include "hal/approx.h"
#include "hal/cmp.h"
#include "hal/hal.h"
#include "mpc/boolean.h"
#include "mpc/deal.h"
#include "mpc/mpc.h"

enum op {
	O_EXP, O_EXPM1, O_LOG, O_LOG1P, O_RECIP, O_DIV, O_DIVP, O_SQRT,
	O_RSQRT, O_SIGMOID, O_TANH, O_ERF, O_SIN, O_COS,
	O_MSB, O_LESS, O_EQ, O_RELU, O_MAX, O_ABS
};

/* sampling: 0 uniform, 1 log-uniform, 2 log-uniform with random sign */
struct row {
	const char *fn, *method;
	enum op op;
	int cfg;			/* index into cfgs */
	int kind;
	double lo[3], hi[3];		/* per field 32, 64, 128; lo = hi: skip */
};

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
	{ .sigmoid = SPU_SIGMOID_PW },
	{ .sigmoid = SPU_SIGMOID_REAL },
};

#define D(a, b, c) { a, b, c }
static const struct row rows[] = {
	{ "exp", "bits", O_EXP, 0, 0, D(-5, -20, -40), D(5, 20, 40) },
	{ "exp", "bits", O_EXP, 0, 0, D(-1, -1, -1), D(1, 1, 1) },
	{ "exp", "taylor n=8", O_EXP, 1, 0, D(0, -2, -2), D(0, 2, 2) },
	{ "exp", "taylor n=8", O_EXP, 1, 0, D(0, -20, -20), D(0, 20, 20) },
	{ "exp", "taylor n=12", O_EXP, 8, 0, D(0, -2, -2), D(0, 2, 2) },
	{ "expm1", "bits", O_EXPM1, 0, 0, D(-5, -20, -40), D(5, 20, 40) },
	{ "log", "minimax", O_LOG, 0, 1, D(0.05, 1e-4, 1e-6),
	    D(1000, 0x1p17, 0x1p30) },
	{ "log", "pade", O_LOG, 2, 1, D(0.05, 1e-4, 1e-6),
	    D(1000, 0x1p17, 0x1p30) },
	{ "log1p", "minimax", O_LOG1P, 0, 0, D(-0.5, -0.5, -0.5),
	    D(100, 1000, 1000) },
	{ "reciprocal", "goldschmidt t=2/3", O_RECIP, 0, 2,
	    D(0.25, 0x1p-10, 0x1p-12), D(64, 0x1p17, 0x1p30) },
	{ "reciprocal", "goldschmidt t=1", O_RECIP, 6, 2,
	    D(0.25, 0x1p-10, 0x1p-12), D(64, 0x1p17, 0x1p30) },
	{ "reciprocal", "goldschmidt t=3", O_RECIP, 7, 2,
	    D(0.25, 0x1p-10, 0x1p-12), D(64, 0x1p17, 0x1p30) },
	{ "div a/b (secret b)", "goldschmidt t=2/3", O_DIV, 0, 2,
	    D(0.25, 0x1p-10, 0x1p-12), D(64, 0x1p17, 0x1p30) },
	{ "div a/b (public b)", "exact 1/b", O_DIVP, 0, 2,
	    D(0.25, 0x1p-10, 0x1p-12), D(64, 0x1p17, 0x1p30) },
	{ "sqrt", "cheb", O_SQRT, 0, 1, D(0.05, 1e-4, 1e-6),
	    D(1000, 0x1p17, 0x1p30) },
	{ "rsqrt", "cheb", O_RSQRT, 0, 1, D(0.05, 1e-4, 1e-6),
	    D(1000, 0x1p17, 0x1p30) },
	{ "sigmoid", "auto (pw; real at FM128)", O_SIGMOID, 0, 0,
	    D(-50, -50, -100), D(50, 50, 100) },
	{ "sigmoid", "pw", O_SIGMOID, 9, 0, D(-50, -50, -100),
	    D(50, 50, 100) },
	{ "sigmoid", "real", O_SIGMOID, 10, 0, D(-50, -50, -100),
	    D(50, 50, 100) },
	{ "sigmoid", "mm1", O_SIGMOID, 3, 0, D(-4, -4, -4), D(4, 4, 4) },
	{ "sigmoid", "seg3", O_SIGMOID, 4, 0, D(-50, -50, -50),
	    D(50, 50, 50) },
	{ "tanh", "real", O_TANH, 0, 0, D(-50, -50, -100), D(50, 50, 100) },
	{ "tanh", "cheb", O_TANH, 5, 0, D(-50, -50, -50), D(50, 50, 50) },
	{ "erf", "cheb", O_ERF, 0, 0, D(-5, -5, -10), D(5, 5, 10) },
	{ "sin", "cheb", O_SIN, 0, 0, D(-20, -100, -1000),
	    D(20, 100, 1000) },
	{ "cos", "cheb", O_COS, 0, 0, D(-20, -100, -1000),
	    D(20, 100, 1000) },
	{ "msb (boolean)", "carry-out", O_MSB, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
	{ "less x < y", "msb + b2a", O_LESS, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
	{ "equal x == y", "and-fold", O_EQ, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
	{ "relu", "msb, bit * x", O_RELU, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
	{ "max x, y", "msb, bit * x", O_MAX, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
	{ "abs", "msb, bit * x", O_ABS, 0, 0, D(-100, -1000, -1000),
	    D(100, 1000, 1000) },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

struct stat {
	double maxabs, maxrel, worst;	/* worst = err / bound */
	uint64_t rounds, bytes;
	int done;
};

struct ctx {
	enum spu_protocol proto;
	unsigned field;
	int fxp, nparties, fi;
	size_t n;
	void *x[NROWS], *y[NROWS], *res[NROWS];
	void *xs[NROWS][SPU_MAX_PARTIES][SPU_MAX_SHARES];
	void *ys[NROWS][SPU_MAX_PARTIES][SPU_MAX_SHARES];
	uint64_t rounds[NROWS][SPU_MAX_PARTIES], bytes[NROWS][SPU_MAX_PARTIES];
};

struct job {
	struct ctx *c;
	int party;
	struct spu_link *link;
	int rc;
	struct spu_diag d;
};

static uint8_t session[32];
static uint8_t seed[randombytes_SEEDBYTES];
static uint64_t nonce;

static int
skip(const struct ctx *c, const struct row *r)
{
	return r->lo[c->fi] == r->hi[c->fi];
}

static int
binary(enum op op)
{
	return op == O_DIV || op == O_DIVP || op == O_LESS || op == O_EQ ||
	    op == O_MAX;
}

static struct spu_value *
mkval(struct spu_mpc *m, const struct ctx *c, enum spu_vis vis,
    void *const sh[], const void *pub)
{
	struct spu_shape s = { 1, { c->n } };
	struct spu_value *v = spu_hal_alloc(m, SPU_F32, &s, vis);

	if (v == NULL)
		return NULL;
	if (vis == SPU_PUBLIC)
		spu_ring_copy(m->field, v->share[0], pub, c->n);
	else
		for (int i = 0; i < m->nshares; i++)
			spu_ring_copy(m->field, v->share[i], sh[i], c->n);
	return v;
}

/* The boolean MSB circuit alone, revealed through an arithmetic 0/1
 * that is made after the measurement. */
static int
msb_bool(struct spu_mpc *m, const struct spu_value *x, struct spu_value **z,
    uint64_t *r1, uint64_t *b1, struct spu_link *link)
{
	struct spu_sv b;
	int rc;

	if ((*z = spu_hal_alloc(m, SPU_PRED, &x->shape, SPU_SECRET)) == NULL)
		return SPU_ENOMEM;
	if ((rc = spu_sv_alloc(m, &b, x->n)) != 0)
		return rc;
	rc = spu_b_msb(m, b.s, x->share, x->n, m->field);
	if (link != NULL) {
		*r1 = spu_link_stats(link)->rounds;
		*b1 = spu_link_stats(link)->bytes_sent;
	}
	if (rc == 0)
		rc = m->ops->b2a(m, (*z)->share, b.s, x->n, 1);
	spu_sv_free(m, &b);
	return rc;
}

static int
apply(struct spu_mpc *m, enum op op, const struct spu_value *x,
    const struct spu_value *y, struct spu_value **z)
{
	switch (op) {
	case O_EXP: return spu_hal_exp(m, x, z);
	case O_EXPM1: return spu_hal_expm1(m, x, z);
	case O_LOG: return spu_hal_log(m, x, z);
	case O_LOG1P: return spu_hal_log1p(m, x, z);
	case O_RECIP: return spu_hal_reciprocal(m, x, z);
	case O_DIV: case O_DIVP: return spu_hal_div(m, x, y, SPU_F32, z);
	case O_SQRT: return spu_hal_sqrt(m, x, z);
	case O_RSQRT: return spu_hal_rsqrt(m, x, z);
	case O_SIGMOID: return spu_hal_logistic(m, x, z);
	case O_TANH: return spu_hal_tanh(m, x, z);
	case O_ERF: return spu_hal_erf(m, x, z);
	case O_SIN: return spu_hal_sin(m, x, z);
	case O_COS: return spu_hal_cos(m, x, z);
	case O_LESS: return spu_hal_less(m, x, y, z);
	case O_EQ: return spu_hal_equal(m, x, y, z);
	case O_RELU: return spu_hal_relu(m, x, z);
	case O_MAX: return spu_hal_max(m, x, y, z);
	case O_ABS: return spu_hal_abs(m, x, z);
	default: return SPU_EINVAL;
	}
}

static int
work(struct spu_mpc *m, struct job *j)
{
	struct ctx *c = j->c;
	int p = j->party;

	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		struct spu_value *x, *y = NULL, *z = NULL, *o = NULL;
		uint64_t b0 = 0, r0 = 0, b1 = 0, r1 = 0;
		int rc;

		if (skip(c, r))
			continue;
		m->fxpcfg = cfgs[r->cfg];
		x = mkval(m, c, SPU_SECRET, c->xs[i][p], NULL);
		if (binary(r->op))
			y = r->op == O_DIVP ? mkval(m, c, SPU_PUBLIC, NULL,
			    c->y[i]) : mkval(m, c, SPU_SECRET, c->ys[i][p], NULL);
		if (x == NULL || (binary(r->op) && y == NULL)) {
			spu_value_free(x);
			spu_value_free(y);
			return SPU_ENOMEM;
		}
		if (j->link) {
			b0 = spu_link_stats(j->link)->bytes_sent;
			r0 = spu_link_stats(j->link)->rounds;
		}
		if (r->op == O_MSB)
			rc = msb_bool(m, x, &z, &r1, &b1, j->link);
		else
			rc = apply(m, r->op, x, y, &z);
		if (j->link && r->op != O_MSB) {
			b1 = spu_link_stats(j->link)->bytes_sent;
			r1 = spu_link_stats(j->link)->rounds;
		}
		c->bytes[i][p] = b1 - b0;
		c->rounds[i][p] = r1 - r0;
		spu_value_free(x);
		spu_value_free(y);
		if (rc == 0)
			rc = spu_hal_reveal(m, z, &o);
		spu_value_free(z);
		if (rc != 0)
			return rc;
		if (p == 0)
			spu_ring_copy(m->field, c->res[i], o->share[0], c->n);
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

/* Reproducible sample points: libsodium's deterministic stream. */
static double
unif(void)
{
	uint8_t b[8], nb[randombytes_SEEDBYTES];
	uint64_t v = 0;

	memcpy(nb, seed, sizeof(nb));
	memcpy(nb, &nonce, sizeof(nonce));
	nonce++;
	randombytes_buf_deterministic(b, sizeof(b), nb);
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return (double)(v >> 11) / 9007199254740992.0;
}

/* Point i of n: stratified over the domain, ends included. */
static double
sample(const struct row *r, int fi, size_t i, size_t n)
{
	double lo = r->lo[fi], hi = r->hi[fi], u, v;

	u = i == 0 ? 0 : i == n - 1 ? 1 : (i + unif()) / (double)n;
	if (r->kind == 0)
		return lo + (hi - lo) * u;
	v = exp(log(lo) + (log(hi) - log(lo)) * u);
	return r->kind == 2 && (i & 1) ? -v : v;
}

static double
ref(enum op op, double x, double y)
{
	switch (op) {
	case O_EXP: return exp(x);
	case O_EXPM1: return expm1(x);
	case O_LOG: return log(x);
	case O_LOG1P: return log1p(x);
	case O_RECIP: return 1 / x;
	case O_DIV: case O_DIVP: return x / y;
	case O_SQRT: return sqrt(x);
	case O_RSQRT: return 1 / sqrt(x);
	case O_SIGMOID: return 1 / (1 + exp(-x));
	case O_TANH: return tanh(x);
	case O_ERF: return erf(x);
	case O_SIN: return sin(x);
	case O_COS: return cos(x);
	case O_MSB: return x < 0;
	case O_LESS: return x < y;
	case O_EQ: return x == y;
	case O_RELU: return x > 0 ? x : 0;
	case O_MAX: return x > y ? x : y;
	case O_ABS: return fabs(x);
	default: return NAN;
	}
}

/* Predicates decode as 0/1 integers, everything else as fixed point. */
static int
is_pred(enum op op)
{
	return op == O_MSB || op == O_LESS || op == O_EQ;
}

static int
measure(enum spu_protocol proto, int nparties, unsigned field, size_t n,
    struct stat st[NROWS])
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct job jobs[SPU_MAX_PARTIES];
	pthread_t tid[SPU_MAX_PARTIES];
	struct spu_link *links[SPU_MAX_PARTIES] = { NULL };
	struct spu_diag d;
	int failed = 0, fxp = spu_fxp_default(field);
	double rtol = field == 32 ? 2e-2 : 1e-3;
	double atol = field == 32 ? 0x1p-5 : 1e-4;

	if (c == NULL)
		return -1;
	c->proto = proto;
	c->field = field;
	c->fxp = fxp;
	c->nparties = nparties;
	c->fi = field == 32 ? 0 : field == 64 ? 1 : 2;
	c->n = n;
	nonce = (uint64_t)field << 32;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		if (skip(c, r))
			continue;
		c->x[i] = spu_ring_alloc(field, n);
		c->y[i] = spu_ring_alloc(field, n);
		c->res[i] = spu_ring_alloc(field, n);
		if (c->x[i] == NULL || c->y[i] == NULL || c->res[i] == NULL)
			return -1;
		for (size_t e = 0; e < n; e++) {
			double xv = sample(r, c->fi, e, n), yv = 0;
			if (r->op == O_DIV || r->op == O_DIVP) {
				yv = xv;
				xv = (field == 32 ? 8 : 100) * (2 * unif() - 1);
			} else if (binary(r->op)) {
				yv = r->op == O_EQ && (e & 1) ? xv :
				    sample(r, c->fi, n - 1 - e, n);
			}
			spu_ring_set(field, c->x[i], e,
			    spu_fxp_encode_f64(field, fxp, xv));
			spu_ring_set(field, c->y[i], e,
			    spu_fxp_encode_f64(field, fxp, yv));
		}
		for (int p = 0; p < nparties; p++)
			for (int s = 0; s < SPU_MAX_SHARES; s++) {
				c->xs[i][p][s] = spu_ring_alloc(field, n);
				c->ys[i][p][s] = spu_ring_alloc(field, n);
				if (c->xs[i][p][s] == NULL ||
				    c->ys[i][p][s] == NULL)
					return -1;
			}
		spu_deal_split(proto, field, nparties, c->x[i], n, c->xs[i]);
		spu_deal_split(proto, field, nparties, c->y[i], n, c->ys[i]);
	}
	if (nparties > 1 && spu_link_local(nparties, 60000, links, &d) != 0) {
		fprintf(stderr, "accuracy: local links: %s\n", d.msg);
		return -1;
	}
	for (int p = 0; p < nparties; p++) {
		memset(&jobs[p], 0, sizeof(jobs[p]));
		jobs[p].c = c;
		jobs[p].party = p;
		jobs[p].link = links[p];
		pthread_create(&tid[p], NULL, run, &jobs[p]);
	}
	for (int p = 0; p < nparties; p++)
		pthread_join(tid[p], NULL);
	for (int p = 0; p < nparties; p++)
		if (jobs[p].rc) {
			failed = 1;
			fprintf(stderr, "accuracy: %s field %u: party %d: %s\n",
			    spu_protocol_name(proto), field, p, jobs[p].d.msg);
		}
	for (size_t i = 0; i < NROWS && !failed; i++) {
		const struct row *r = &rows[i];
		struct stat *s = &st[i];
		memset(s, 0, sizeof(*s));
		if (skip(c, r))
			continue;
		s->done = 1;
		for (size_t e = 0; e < n; e++) {
			double x = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, c->x[i], e));
			double y = spu_fxp_decode_f64(field, fxp,
			    spu_ring_get(field, c->y[i], e));
			spu_u128 w = spu_ring_get(field, c->res[i], e);
			double got = is_pred(r->op) ? (double)(w & 1) :
			    spu_fxp_decode_f64(field, fxp, w);
			double want = ref(r->op, x, y), err = fabs(got - want);
			if (isnan(got) || isnan(err))
				err = INFINITY;
			if (err > s->maxabs)
				s->maxabs = err;
			if (fabs(want) >= 0.1 && err / fabs(want) > s->maxrel)
				s->maxrel = err / fabs(want);
			if (err / fmax(rtol * fabs(want), atol) > s->worst)
				s->worst = err / fmax(rtol * fabs(want), atol);
		}
		for (int p = 0; p < nparties; p++) {
			if (c->rounds[i][p] > s->rounds)
				s->rounds = c->rounds[i][p];
			if (c->bytes[i][p] > s->bytes)
				s->bytes = c->bytes[i][p];
		}
	}
	for (int p = 0; p < nparties; p++)
		spu_link_free(links[p]);
	for (size_t i = 0; i < NROWS; i++) {
		for (int p = 0; p < nparties; p++)
			for (int s = 0; s < SPU_MAX_SHARES; s++) {
				free(c->xs[i][p][s]);
				free(c->ys[i][p][s]);
			}
		free(c->x[i]);
		free(c->y[i]);
		free(c->res[i]);
	}
	free(c);
	return failed ? -1 : 0;
}

static void
domain(char *buf, size_t len, const struct row *r, int fi)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), "%g", r->lo[fi]);
	snprintf(b, sizeof(b), "%g", r->hi[fi]);
	if (r->hi[fi] >= 1024 && r->hi[fi] == exp2(round(log2(r->hi[fi]))))
		snprintf(b, sizeof(b), "2^%.0f", log2(r->hi[fi]));
	if (r->lo[fi] > 0 && r->lo[fi] < 0.01 &&
	    r->lo[fi] == exp2(round(log2(r->lo[fi]))))
		snprintf(a, sizeof(a), "2^%.0f", log2(r->lo[fi]));
	if (r->kind == 2)
		snprintf(buf, len, "+-[%s, %s]", a, b);
	else
		snprintf(buf, len, "[%s, %s]", a, b);
}

static void
num(char *buf, size_t len, double v)
{
	if (isinf(v))
		snprintf(buf, len, "inf");
	else if (v == 0)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "%.2g", v);
}

#define NPROTO 3
static const struct {
	enum spu_protocol p;
	int np;
	const char *name;
} protos[NPROTO] = {
	{ SPU_REF2K, 1, "ref2k" },
	{ SPU_SEMI2K, 2, "semi2k 2PC" },
	{ SPU_ABY3, 3, "aby3" },
};

/* SPU's figures at FM64 (protocols.md 2.10, 3.8, 5.x): rounds and bytes
 * per element per party, "~" where summed from the per-primitive costs
 * along the algorithm of section 5 rather than stated there. */
static const struct {
	const char *fn, *method, *semi2k, *aby3, *note;
} spu_ref[] = {
	{ "msb (boolean)", "carry-out", "7 r, ~56 B", "8 r, ~36 B",
	    "MSB (2.7, 3.5); result boolean" },
	{ "less x < y", "msb + b2a", "7 r, ~56 B (+1 r, 1 B B2A)",
	    "8 r, ~36 B (+2 r B2A)", "less = msb(x - y) (5.3)" },
	{ "equal x == y", "and-fold", "7 r, 104 B", "~9 r",
	    "equal (2.7, 3.7): 1 + log k rounds" },
	{ "relu", "msb, bit * x", "~8 r, ~72 B", "~10 r, ~60 B",
	    "relu = mux(msb): MSB + MulA1B (2.5, 2.9, 3.6)" },
	{ "max x, y", "msb, bit * x", "~8 r, ~72 B", "~10 r, ~60 B",
	    "max: as relu" },
	{ "exp", "bits", "~17 r, ~100 B", "~26 r, ~172 B",
	    "SPU default exp taylor: trunc + 8 x (square + trunc) (5.5)" },
	{ "exp", "taylor n=8", "~17 r, ~100 B", "~26 r, ~172 B",
	    "as above" },
	{ "reciprocal", "goldschmidt t=2/3", "~34 r, ~520 B", "~51 r",
	    "Goldschmidt t=2 with MSB, A2B, prefix-or, B2A (5.4)" },
	{ "sigmoid", "auto (pw; real at FM128)", "~51 r", "~77 r",
	    "SPU default real: 1 / (1 + exp(-x)), taylor exp + reciprocal (5.8)" },
	{ "sigmoid", "pw", "~51 r", "~77 r", "as above" },
	{ "sigmoid", "real", "~51 r", "~77 r", "as above" },
	{ "sigmoid", "seg3", "~18 r", "~22 r",
	    "seg3: 2 comparisons, 2 muxes (5.8)" },
	{ "sigmoid", "mm1", "1 r, 4 B", "2 r, ~12 B",
	    "mm1: one truncation (5.8)" },
};
#define NREF (sizeof(spu_ref) / sizeof(spu_ref[0]))

int
main(int argc, char **argv)
{
	static const unsigned fields[] = { 64, 128, 32 };
	static struct stat st[3][NPROTO][NROWS];
	size_t n = 1000;

	if (argc > 2 || (argc == 2 && (n = strtoul(argv[1], NULL, 10)) < 4) ||
	    n > 100000) {
		fprintf(stderr, "usage: accuracy [SAMPLES]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(session, sizeof(session));
	memset(seed, 0x5a, sizeof(seed));
	for (int f = 0; f < 3; f++)
		for (int p = 0; p < NPROTO; p++)
			if (measure(protos[p].p, protos[p].np, fields[f], n,
			    st[f][p]) != 0)
				return 1;
	printf("# Accuracy and cost of the non-linear library\n\n"
	    "Generated by `make accuracy` (bench/accuracy.c, %zu sample "
	    "points per row); do not edit by hand.  Every function runs on "
	    "secret inputs under ref2k, semi2k with 2 parties and aby3, "
	    "all parties threads of one process on in-memory links; the "
	    "results are revealed and compared with float64 evaluated at "
	    "the encoded input.  The sample points are fixed (a "
	    "deterministic stream), the shares and truncation randomness "
	    "are not, so the last digit of an error may change between "
	    "runs; rounds and bytes do not.\n\n"
	    "The target (issue 4): with FM64 and 18 fraction bits, error "
	    "within 1e-3 relative or 1e-4 absolute, whichever is looser, "
	    "over exp [-20, 20], log [1e-4, 2^17], reciprocal and division "
	    "|b| in [2^-10, 2^17], sqrt and rsqrt [1e-4, 2^17], sigmoid and "
	    "tanh [-50, 50], erf [-5, 5], sin and cos [-100, 100]; FM128 "
	    "the same or better over wider domains.  The `bound` column is "
	    "the worst error in units of that tolerance: at most 1 meets "
	    "it.  The defaults (first method of each function) meet it; "
	    "the other methods are spu-run options (spu-run(1): --exp, "
	    "--exp-iters, --log, --recip-iters, --sigmoid, --tanh) that "
	    "trade accuracy for cost and are shown against the same "
	    "target, so a `bound` above 1 there is expected: their own "
	    "bounds are in spu-run(1) and tests/unit/approx.c.\n\n"
	    "relu, abs, max, min and clamp multiply the comparison's "
	    "boolean bit into the operand directly (mpc/bmul.c: MulA1B for "
	    "semi2k 2PC, two three-party OTs for aby3) instead of B2A and a "
	    "product: one round fewer (FM64 relu: semi2k 2PC 9 -> 8 "
	    "rounds, aby3 11 -> 10, bytes unchanged).\n\n", n);
	printf("## Accuracy and cost per field\n\n"
	    "%zu points per row, ends included; errors against float64 at "
	    "the encoded input.  `rel` is the largest relative error where "
	    "|want| >= 0.1; `bound` the largest error over max(rtol |want|, "
	    "atol), rtol 1e-3 and atol 1e-4 (FM32: 2e-2 and 2^-5), so at "
	    "most 1 meets the target.  Rounds and bytes: the most any party "
	    "sent for the call, bytes per element including framing "
	    "(ref2k: no communication).\n", n);
	for (int f = 0; f < 3; f++) {
		int fi = fields[f] == 32 ? 0 : fields[f] == 64 ? 1 : 2;
		printf("\n### FM%u (%d fraction bits)\n\n", fields[f],
		    spu_fxp_default(fields[f]));
		printf("| function | method | domain | protocol | max abs | "
		    "max rel | bound | rounds | bytes/elem |\n"
		    "|---|---|---|---|---|---|---|---|---|\n");
		for (size_t i = 0; i < NROWS; i++) {
			char dom[80];
			if (!st[f][0][i].done)
				continue;
			domain(dom, sizeof(dom), &rows[i], fi);
			for (int p = 0; p < NPROTO; p++) {
				const struct stat *s = &st[f][p][i];
				char a[32], r[32], w[32];
				num(a, sizeof(a), s->maxabs);
				num(r, sizeof(r), s->maxrel);
				num(w, sizeof(w), s->worst);
				printf("| %s | %s | %s | %s | %s | %s | %s | "
				    "%llu | %.1f |\n", p ? "" : rows[i].fn,
				    p ? "" : rows[i].method, p ? "" : dom,
				    protos[p].name, a, r, w,
				    (unsigned long long)s->rounds,
				    (double)s->bytes / (double)n);
			}
		}
	}
	printf("\n## FM64 costs beside SPU\n\n"
	    "Ours measured (rounds, bytes per element, most any party "
	    "sent); SPU's from protocols.md (sections 2.10, 3.8, 5), "
	    "\"~\" where summed from its per-primitive costs rather than "
	    "stated.\n\n"
	    "| operation | ours semi2k 2PC | SPU semi2k 2PC | ours aby3 | "
	    "SPU aby3 | SPU note |\n|---|---|---|---|---|---|\n");
	for (size_t t = 0; t < NREF; t++) {
		size_t i = 0;
		const struct stat *s2, *s3;
		while (i < NROWS && (strcmp(rows[i].fn, spu_ref[t].fn) != 0 ||
		    strcmp(rows[i].method, spu_ref[t].method) != 0))
			i++;
		if (i == NROWS)
			continue;
		s2 = &st[0][1][i];
		s3 = &st[0][2][i];
		printf("| %s %s | %llu r, %.1f B | %s | %llu r, %.1f B | %s | "
		    "%s |\n", rows[i].fn, rows[i].method,
		    (unsigned long long)s2->rounds, (double)s2->bytes /
		    (double)n, spu_ref[t].semi2k,
		    (unsigned long long)s3->rounds, (double)s3->bytes /
		    (double)n, spu_ref[t].aby3, spu_ref[t].note);
	}
	return 0;
}
