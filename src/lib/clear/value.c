/*
 * value.c - values of the cleartext evaluator (clear_int.h): allocation
 * and reference counts, dtype wrapping and conversion, attribute reading
 * and the located error messages.  No op semantics beyond CONVERT's.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clear_int.h"
#include "mem.h"

struct clear_val *
clear_val_new(enum spu_dtype t, const struct spu_shape *s)
{
	struct clear_val *v;
	int64_t n = spu_shape_numel(s);

	if (n < 0 || (unsigned)t >= SPU_DTYPE_COUNT)
		return NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if ((v->e = spu_calloc((size_t)n, sizeof(*v->e))) == NULL) {
		free(v);
		return NULL;
	}
	v->refs = 1;
	v->dtype = t;
	v->shape = *s;
	v->n = (size_t)n;
	return v;
}

struct clear_val *
clear_val_ref(struct clear_val *v)
{
	v->refs++;
	return v;
}

void
clear_val_unref(struct clear_val *v)
{
	if (v == NULL || --v->refs > 0)
		return;
	free(v->e);
	free(v);
}

int
clear_isf(enum spu_dtype t)
{
	return t == SPU_F16 || t == SPU_BF16 || t == SPU_F32 || t == SPU_F64;
}

int
clear_isu(enum spu_dtype t)
{
	return t == SPU_U8 || t == SPU_U16 || t == SPU_U32 || t == SPU_U64;
}

int
clear_bits(enum spu_dtype t)
{
	switch (t) {
	case SPU_PRED: return 1;
	case SPU_S8: case SPU_U8: return 8;
	case SPU_S16: case SPU_U16: case SPU_F16: case SPU_BF16: return 16;
	case SPU_S32: case SPU_U32: case SPU_F32: return 32;
	default: return 64;
	}
}

int64_t
clear_wrap(enum spu_dtype t, uint64_t v)
{
	int w = clear_bits(t);
	uint64_t m, sign;

	if (t == SPU_PRED)
		return v != 0;
	if (w == 64)
		return (int64_t)v;
	m = ((uint64_t)1 << w) - 1;
	v &= m;
	if (clear_isu(t))
		return (int64_t)v;
	sign = (uint64_t)1 << (w - 1);
	/* sign-extend without relying on implementation-defined casts */
	return (v & sign) ? -(int64_t)(m - v) - 1 : (int64_t)v;
}

double
clear_get_f(const struct clear_val *v, size_t k)
{
	if (clear_isf(v->dtype))
		return v->e[k].f;
	if (v->dtype == SPU_U64)
		return (double)(uint64_t)v->e[k].i;
	return (double)v->e[k].i;
}

int64_t
clear_get_index(const struct clear_val *v, size_t k)
{
	if (clear_isf(v->dtype))
		return 0;
	if (v->dtype == SPU_U64 && v->e[k].i < 0)
		return INT64_MAX;
	return v->e[k].i;
}

/* float -> integer: toward zero, NaN to 0, saturating at the range. */
static int64_t
f2i(enum spu_dtype t, double v)
{
	int w = clear_bits(t);

	if (isnan(v))
		return 0;
	v = trunc(v);
	if (clear_isu(t)) {
		if (v <= 0)
			return 0;
		if (v >= ldexp(1, w))
			return clear_wrap(t, UINT64_MAX);
		return clear_wrap(t, (uint64_t)v);
	}
	if (v >= ldexp(1, w - 1))
		return clear_wrap(t, ((uint64_t)1 << (w - 1)) - 1);
	if (v <= -ldexp(1, w - 1))
		return clear_wrap(t, (uint64_t)1 << (w - 1));
	return (int64_t)v;
}

union clear_elem
clear_convert(enum spu_dtype to, enum spu_dtype from, union clear_elem x)
{
	union clear_elem r;

	if (clear_isf(from)) {
		if (clear_isf(to))
			r.f = x.f;
		else if (to == SPU_PRED)
			r.i = x.f != 0;
		else
			r.i = f2i(to, x.f);
	} else if (clear_isf(to)) {
		r.f = from == SPU_U64 ? (double)(uint64_t)x.i : (double)x.i;
	} else {
		r.i = clear_wrap(to, (uint64_t)x.i);
	}
	return r;
}

int
clear_coerce(struct clear_ctx *cx, struct clear_val *v, enum spu_dtype t,
    struct clear_val **out)
{
	struct clear_val *z;

	if (v->dtype == t || (clear_isf(v->dtype) && clear_isf(t))) {
		*out = clear_val_ref(v);
		return 0;
	}
	if (clear_isf(v->dtype) || clear_isf(t))
		return clear_fail(cx, SPU_ESHAPE, "operand is %s, result %s "
		    "(needs a convert)", spu_dtype_name(v->dtype),
		    spu_dtype_name(t));
	if ((z = clear_val_new(t, &v->shape)) == NULL)
		return clear_fail(cx, SPU_ENOMEM, "out of memory");
	for (size_t k = 0; k < v->n; k++)
		z->e[k].i = clear_wrap(t, (uint64_t)v->e[k].i);
	*out = z;
	return 0;
}

void
clear_strides(const struct spu_shape *s, int64_t *st)
{
	int64_t m = 1;

	for (int i = s->ndim - 1; i >= 0; i--) {
		st[i] = m;
		m *= s->dim[i];
	}
}

int
clear_next_index(int64_t *idx, const struct spu_shape *s)
{
	for (int d = s->ndim - 1; d >= 0; d--) {
		if (++idx[d] < s->dim[d])
			return 1;
		idx[d] = 0;
	}
	return 0;
}

int
clear_fail(struct clear_ctx *cx, int err, const char *fmt, ...)
{
	char why[SPU_DIAG_MAX], line[32] = "";
	const struct spu_func *fn;
	const struct spu_insn *in;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (cx->p == NULL || cx->fn >= cx->p->nfuncs)
		return spu_fail(cx->d, err, "%s", why);
	fn = &cx->p->funcs[cx->fn];
	if (cx->pc >= fn->ninsns)
		return spu_fail(cx->d, err, "function %s: %s",
		    fn->name ? fn->name : "?", why);
	in = &fn->insns[cx->pc];
	if (in->line)
		snprintf(line, sizeof(line), ", HLO line %u", in->line);
	return spu_fail(cx->d, err, "function %s: instruction %u (%s%s): %s",
	    fn->name ? fn->name : "?", cx->pc, spu_op_name(in->op), line, why);
}

int
clear_result(struct clear_ctx *cx, const struct spu_insn *in, uint32_t k,
    struct clear_val **out)
{
	const struct spu_type *t = &in->type[k];

	if ((*out = clear_val_new(t->dtype, &t->shape)) == NULL)
		return clear_fail(cx, spu_shape_numel(&t->shape) < 0 ?
		    SPU_ELIMIT : SPU_ENOMEM, "cannot allocate result %u", k);
	return 0;
}

int
clear_check_shape(struct clear_ctx *cx, const struct spu_shape *want,
    const struct spu_shape *got, const char *what)
{
	char a[160], b[160];

	if (spu_shape_eq(want, got))
		return 0;
	spu_shape_format(a, sizeof(a), SPU_F64, want);
	spu_shape_format(b, sizeof(b), SPU_F64, got);
	/* print the dims only: skip the "f64" prefix */
	return clear_fail(cx, SPU_ESHAPE, "%s has shape %s, expected %s",
	    what, b + 3, a + 3);
}

int
clear_attr_n(struct clear_ctx *cx, const struct spu_insn *in,
    enum spu_attr_key key, uint32_t n, int required, int64_t dflt,
    int64_t *v)
{
	const struct spu_attr *a = spu_insn_attr(in, key);

	if (a == NULL) {
		if (required && n > 0)
			return clear_fail(cx, SPU_EFORMAT,
			    "missing attribute %s", spu_attr_name(key));
		for (uint32_t i = 0; i < n; i++)
			v[i] = dflt;
		return 0;
	}
	if (a->n != n)
		return clear_fail(cx, SPU_EFORMAT, "attribute %s has %u "
		    "values, expected %u", spu_attr_name(key), a->n, n);
	if (n > 0)
		memcpy(v, a->v, n * sizeof(*v));
	return 0;
}

int
clear_attr_list(struct clear_ctx *cx, const struct spu_insn *in,
    enum spu_attr_key key, uint32_t max, int required, const int64_t **v,
    uint32_t *n)
{
	const struct spu_attr *a = spu_insn_attr(in, key);

	*v = NULL;
	*n = 0;
	if (a == NULL)
		return required ? clear_fail(cx, SPU_EFORMAT,
		    "missing attribute %s", spu_attr_name(key)) : 0;
	if (a->n > max)
		return clear_fail(cx, SPU_EFORMAT, "attribute %s has %u "
		    "values, at most %u allowed", spu_attr_name(key), a->n,
		    max);
	*v = a->v;
	*n = a->n;
	return 0;
}

int
clear_check_dims(struct clear_ctx *cx, const int64_t *d, uint32_t n,
    int rank, unsigned *mask, const char *what)
{
	for (uint32_t i = 0; i < n; i++) {
		if (d[i] < 0 || d[i] >= rank)
			return clear_fail(cx, SPU_EFORMAT, "%s dimension %lld "
			    "out of range (rank %d)", what, (long long)d[i],
			    rank);
		if (*mask & (1u << d[i]))
			return clear_fail(cx, SPU_EFORMAT, "%s dimension %lld "
			    "repeated", what, (long long)d[i]);
		*mask |= 1u << d[i];
	}
	return 0;
}
