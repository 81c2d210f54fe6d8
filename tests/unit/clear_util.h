/*
 * clear_util.h - builds small bytecode programs by hand for the tests of
 * the cleartext evaluator (tests/unit/clear_*.c), runs them and compares
 * results.  Every builder allocates with malloc so spu_program_free can
 * free the program.  Allocation failures abort the test.
 */
#ifndef SPU_TEST_CLEAR_UTIL_H
#define SPU_TEST_CLEAR_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytecode.h"
#include "clear/clear.h"
#include "../tap.h"

/* "n, array" argument pairs from a literal list. */
#define V(...) (uint32_t)(sizeof((int64_t[]){ __VA_ARGS__ }) / \
	sizeof(int64_t)), ((int64_t[]){ __VA_ARGS__ })
#define IN(...) (uint32_t)(sizeof((uint32_t[]){ __VA_ARGS__ }) / \
	sizeof(uint32_t)), ((uint32_t[]){ __VA_ARGS__ })
#define SH(...) tb_shape(V(__VA_ARGS__))
#define SCALAR tb_shape(0, NULL)
#define ATTR(in, key, ...) tb_attr(in, key, V(__VA_ARGS__))
#define OP(f, op, t, s, ...) tb_op(f, op, t, s, IN(__VA_ARGS__))
#define RET(f, ...) tb_ret(f, IN(__VA_ARGS__))
#define FUNCS(in, ...) tb_funcs(in, IN(__VA_ARGS__))
#define DV(...) ((double[]){ __VA_ARGS__ })
#define IV(...) ((int64_t[]){ __VA_ARGS__ })
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static inline void *
tb_alloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	return p;
}

static inline char *
tb_strdup(const char *s)
{
	char *d = tb_alloc(strlen(s) + 1);

	memcpy(d, s, strlen(s) + 1);
	return d;
}

static inline struct spu_shape
tb_shape(uint32_t n, const int64_t *d)
{
	struct spu_shape s;

	memset(&s, 0, sizeof(s));
	s.ndim = (int)n;
	for (uint32_t i = 0; i < n; i++)
		s.dim[i] = d[i];
	return s;
}

static inline struct spu_program *
tb_prog(uint32_t nfuncs)
{
	struct spu_program *p = tb_alloc(sizeof(*p));
	char name[32];

	p->name = tb_strdup("test");
	p->nfuncs = nfuncs;
	p->funcs = tb_alloc(nfuncs * sizeof(*p->funcs));
	for (uint32_t i = 0; i < nfuncs; i++) {
		snprintf(name, sizeof(name), i ? "region%u" : "main", i);
		p->funcs[i].name = tb_strdup(name);
	}
	return p;
}

static inline struct spu_insn *
tb_emit(struct spu_func *f, enum spu_op op, uint32_t nin, const uint32_t *in,
    uint32_t nout)
{
	struct spu_insn *ins;

	f->insns = realloc(f->insns, (f->ninsns + 1) * sizeof(*f->insns));
	if (f->insns == NULL)
		exit(99);
	ins = &f->insns[f->ninsns++];
	memset(ins, 0, sizeof(*ins));
	ins->op = op;
	ins->nin = nin;
	if (nin) {
		ins->in = tb_alloc(nin * sizeof(*ins->in));
		memcpy(ins->in, in, nin * sizeof(*in));
	}
	ins->nout = nout;
	ins->out = tb_alloc(nout * sizeof(*ins->out));
	ins->type = tb_alloc(nout * sizeof(*ins->type));
	for (uint32_t k = 0; k < nout; k++)
		ins->out[k] = f->nslots++;
	ins->line = 100 + f->ninsns - 1;
	return ins;
}

static inline struct spu_insn *
tb_last(struct spu_func *f)
{
	return &f->insns[f->ninsns - 1];
}

static inline void
tb_type(struct spu_insn *in, uint32_t k, enum spu_dtype t, struct spu_shape s)
{
	in->type[k].dtype = t;
	in->type[k].vis = SPU_PUBLIC;
	in->type[k].shape = s;
}

/* Set attribute key, keeping the list sorted. */
static inline void
tb_attr(struct spu_insn *in, enum spu_attr_key key, uint32_t n,
    const int64_t *v)
{
	uint32_t at = 0;

	in->attr = realloc(in->attr, (in->nattr + 1) * sizeof(*in->attr));
	if (in->attr == NULL)
		exit(99);
	while (at < in->nattr && in->attr[at].key < key)
		at++;
	memmove(&in->attr[at + 1], &in->attr[at],
	    (in->nattr - at) * sizeof(*in->attr));
	in->nattr++;
	in->attr[at].key = key;
	in->attr[at].n = n;
	in->attr[at].v = n ? tb_alloc(n * sizeof(int64_t)) : NULL;
	if (n)
		memcpy(in->attr[at].v, v, n * sizeof(int64_t));
}

static inline void
tb_funcs(struct spu_insn *in, uint32_t n, const uint32_t *f)
{
	in->nfunc = n;
	in->func = tb_alloc(n * sizeof(*f));
	memcpy(in->func, f, n * sizeof(*f));
}

/* A 2-D convolution's attributes: NHWC input, HWIO kernel, NHWC
 * output; stride and padding on both spatial dimensions. */
static inline void
tb_conv_nhwc(struct spu_insn *in, int64_t stride, int64_t pad, int64_t fg,
    int64_t bg)
{
	ATTR(in, SPU_ATTR_CONV_DIMS, 0, 3, 1, 2, 2, 3, 0, 1, 0, 3, 1, 2);
	ATTR(in, SPU_ATTR_WSTRIDE, stride, stride);
	ATTR(in, SPU_ATTR_PAD_LO, pad, pad);
	ATTR(in, SPU_ATTR_PAD_HI, pad, pad);
	ATTR(in, SPU_ATTR_BASE_DILATE, 1, 1);
	ATTR(in, SPU_ATTR_WIN_DILATE, 1, 1);
	ATTR(in, SPU_ATTR_FEATURE_GROUPS, fg);
	ATTR(in, SPU_ATTR_BATCH_GROUPS, bg);
}

static inline uint32_t
tb_param(struct spu_func *f, uint32_t idx, enum spu_dtype t,
    struct spu_shape s)
{
	struct spu_insn *in = tb_emit(f, SPU_OP_PARAM, 0, NULL, 1);

	tb_type(in, 0, t, s);
	ATTR(in, SPU_ATTR_INDEX, idx);
	if (idx >= f->nparams)
		f->nparams = idx + 1;
	return in->out[0];
}

static inline uint32_t
tb_const(struct spu_func *f, enum spu_dtype t, struct spu_shape s,
    const double *vf, const int64_t *vi)
{
	struct spu_insn *in = tb_emit(f, SPU_OP_CONST, 0, NULL, 1);
	int64_t n = spu_shape_numel(&s);

	tb_type(in, 0, t, s);
	if (spu_dtype_is_float(t)) {
		in->lit_f = tb_alloc((size_t)n * sizeof(double));
		memcpy(in->lit_f, vf, (size_t)n * sizeof(double));
	} else {
		in->lit_i = tb_alloc((size_t)n * sizeof(int64_t));
		memcpy(in->lit_i, vi, (size_t)n * sizeof(int64_t));
	}
	return in->out[0];
}

static inline uint32_t
tb_op(struct spu_func *f, enum spu_op op, enum spu_dtype t,
    struct spu_shape s, uint32_t nin, const uint32_t *in)
{
	struct spu_insn *ins = tb_emit(f, op, nin, in, 1);

	tb_type(ins, 0, t, s);
	return ins->out[0];
}

static inline void
tb_ret(struct spu_func *f, uint32_t n, const uint32_t *slots)
{
	f->nouts = n;
	f->outs = tb_alloc(n * sizeof(*slots));
	memcpy(f->outs, slots, n * sizeof(*slots));
}

static inline struct spu_tensor *
tb_tensor_f(enum spu_dtype t, struct spu_shape s, const double *v)
{
	struct spu_tensor *x = spu_tensor_new(t, &s);

	if (x == NULL)
		exit(99);
	for (size_t i = 0; i < x->n; i++)
		spu_tensor_set_f64(x, i, v[i]);
	return x;
}

static inline struct spu_tensor *
tb_tensor_i(enum spu_dtype t, struct spu_shape s, const int64_t *v)
{
	struct spu_tensor *x = spu_tensor_new(t, &s);

	if (x == NULL)
		exit(99);
	for (size_t i = 0; i < x->n; i++)
		spu_tensor_set_i64(x, i, v[i]);
	return x;
}

static inline void
tb_free_outs(struct spu_tensor **out, size_t n)
{
	for (size_t i = 0; out != NULL && i < n; i++)
		spu_tensor_free(out[i]);
	free(out);
}

/* Run p on in[0..nin) and free p and the inputs; returns result 0 (the
 * others are freed) or NULL after printing the diagnostic. */
static inline struct spu_tensor *
tb_run1(struct spu_program *p, size_t nin, struct spu_tensor **in)
{
	struct spu_tensor **out = NULL, *r = NULL;
	struct spu_diag d;
	size_t nout = 0;
	int err;

	d.msg[0] = '\0';
	err = spu_clear_run(p, in, nin, &out, &nout, &d);
	if (err != 0)
		diag("spu_clear_run: %s (%s)", d.msg, spu_strerror(err));
	else if (nout > 0) {
		r = out[0];
		out[0] = NULL;
	}
	tb_free_outs(out, nout);
	for (size_t i = 0; i < nin; i++)
		spu_tensor_free(in[i]);
	spu_program_free(p);
	return r;
}

/* Run p (then freed with the inputs) expecting n results in out[]. */
static inline int
tb_runn(struct spu_program *p, size_t nin, struct spu_tensor **in,
    struct spu_tensor **out, size_t n)
{
	struct spu_tensor **o = NULL;
	struct spu_diag d;
	size_t nout = 0;
	int err;

	d.msg[0] = '\0';
	err = spu_clear_run(p, in, nin, &o, &nout, &d);
	if (err != 0)
		diag("spu_clear_run: %s (%s)", d.msg, spu_strerror(err));
	for (size_t i = 0; i < n; i++)
		out[i] = err == 0 && i < nout ? o[i] : NULL;
	for (size_t i = n; err == 0 && i < nout; i++)
		spu_tensor_free(o[i]);
	free(o);
	for (size_t i = 0; i < nin; i++)
		spu_tensor_free(in[i]);
	spu_program_free(p);
	return err == 0 && nout == n;
}

/* Run and expect failure err; returns whether the message has needle. */
static inline int
tb_fails(struct spu_program *p, size_t nin, struct spu_tensor **in, int err,
    const char *needle)
{
	struct spu_tensor **out = NULL;
	struct spu_diag d;
	size_t nout = 0;
	int rc, good;

	d.msg[0] = '\0';
	rc = spu_clear_run(p, in, nin, &out, &nout, &d);
	good = rc == err && strstr(d.msg, needle) != NULL && out == NULL;
	if (!good)
		diag("got %d (%s), wanted %d with '%s'", rc, d.msg, err,
		    needle);
	tb_free_outs(out, nout);
	for (size_t i = 0; i < nin; i++)
		spu_tensor_free(in[i]);
	spu_program_free(p);
	return good;
}

static inline int
tb_near(double a, double b, double tol)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (isinf(a) || isinf(b))
		return a == b;
	return fabs(a - b) <= tol * (1.0 + fabs(b));
}

/* t is an f64 tensor of shape s holding want[] within tol; frees t. */
static inline int
tb_check_f(struct spu_tensor *t, struct spu_shape s, const double *want,
    double tol)
{
	int good = t != NULL && t->dtype == SPU_F64 && spu_shape_eq(&t->shape,
	    &s);

	for (size_t i = 0; good && i < t->n; i++)
		if (!tb_near(spu_tensor_get_f64(t, i), want[i], tol)) {
			diag("element %zu: got %.17g, want %.17g", i,
			    spu_tensor_get_f64(t, i), want[i]);
			good = 0;
		}
	if (t != NULL && !good && t->dtype != SPU_F64)
		diag("dtype %s", spu_dtype_name(t->dtype));
	spu_tensor_free(t);
	return good;
}

/* t has dtype dt and shape s, holding want[] exactly; frees t. */
static inline int
tb_check_i(struct spu_tensor *t, enum spu_dtype dt, struct spu_shape s,
    const int64_t *want)
{
	int good = t != NULL && t->dtype == dt && spu_shape_eq(&t->shape, &s);

	for (size_t i = 0; good && i < t->n; i++)
		if (spu_tensor_get_i64(t, i) != want[i]) {
			diag("element %zu: got %lld, want %lld", i,
			    (long long)spu_tensor_get_i64(t, i),
			    (long long)want[i]);
			good = 0;
		}
	if (t != NULL && !good && t->dtype != dt)
		diag("dtype %s", spu_dtype_name(t->dtype));
	spu_tensor_free(t);
	return good;
}

#endif
