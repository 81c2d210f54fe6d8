/* tensor.c - dtypes, shapes and cleartext tensors. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "tensor.h"

static const struct {
	const char *name;
	size_t size;
	int is_float, is_signed;
} dtypes[SPU_DTYPE_COUNT] = {
	[SPU_PRED] = { "pred", 1, 0, 0 },
	[SPU_S8] = { "s8", 1, 0, 1 },
	[SPU_S16] = { "s16", 2, 0, 1 },
	[SPU_S32] = { "s32", 4, 0, 1 },
	[SPU_S64] = { "s64", 8, 0, 1 },
	[SPU_U8] = { "u8", 1, 0, 0 },
	[SPU_U16] = { "u16", 2, 0, 0 },
	[SPU_U32] = { "u32", 4, 0, 0 },
	[SPU_U64] = { "u64", 8, 0, 0 },
	[SPU_F16] = { "f16", 2, 1, 1 },
	[SPU_BF16] = { "bf16", 2, 1, 1 },
	[SPU_F32] = { "f32", 4, 1, 1 },
	[SPU_F64] = { "f64", 8, 1, 1 },
};

const char *
spu_dtype_name(enum spu_dtype t)
{
	return (unsigned)t < SPU_DTYPE_COUNT ? dtypes[t].name : "?";
}

int
spu_dtype_parse(const char *name, size_t len)
{
	for (int t = 0; t < SPU_DTYPE_COUNT; t++)
		if (strlen(dtypes[t].name) == len &&
		    memcmp(dtypes[t].name, name, len) == 0)
			return t;
	return -1;
}

size_t
spu_dtype_size(enum spu_dtype t)
{
	return (unsigned)t < SPU_DTYPE_COUNT ? dtypes[t].size : 0;
}

int
spu_dtype_is_float(enum spu_dtype t)
{
	return (unsigned)t < SPU_DTYPE_COUNT && dtypes[t].is_float;
}

int
spu_dtype_is_signed(enum spu_dtype t)
{
	return (unsigned)t < SPU_DTYPE_COUNT && dtypes[t].is_signed &&
	    !dtypes[t].is_float;
}

int64_t
spu_shape_numel(const struct spu_shape *s)
{
	int64_t n = 1;

	if (s->ndim < 0 || s->ndim > SPU_MAX_DIMS)
		return -1;
	for (int i = 0; i < s->ndim; i++) {
		if (s->dim[i] < 0 || s->dim[i] > SPU_MAX_ELEMS)
			return -1;
		n *= s->dim[i];
		if (n > SPU_MAX_ELEMS)
			return -1;
	}
	return n;
}

int
spu_shape_eq(const struct spu_shape *a, const struct spu_shape *b)
{
	if (a->ndim != b->ndim)
		return 0;
	for (int i = 0; i < a->ndim; i++)
		if (a->dim[i] != b->dim[i])
			return 0;
	return 1;
}

void
spu_shape_strides(const struct spu_shape *s, int64_t *st)
{
	int64_t acc = 1;

	for (int i = s->ndim - 1; i >= 0; i--) {
		st[i] = acc;
		acc *= s->dim[i];
	}
}

int
spu_shape_next(const struct spu_shape *s, int64_t *c)
{
	for (int d = s->ndim - 1; d >= 0; d--) {
		if (++c[d] < s->dim[d])
			return 1;
		c[d] = 0;
	}
	return 0;
}

void
spu_shape_format(char *buf, size_t len, enum spu_dtype t,
    const struct spu_shape *s)
{
	size_t off;

	off = (size_t)snprintf(buf, len, "%s[", spu_dtype_name(t));
	for (int i = 0; i < s->ndim && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%lld",
		    i ? "," : "", (long long)s->dim[i]);
	if (off < len)
		snprintf(buf + off, len - off, "]");
}

struct spu_tensor *
spu_tensor_new(enum spu_dtype t, const struct spu_shape *s)
{
	struct spu_tensor *x;
	int64_t n = spu_shape_numel(s);

	if (n < 0 || (unsigned)t >= SPU_DTYPE_COUNT)
		return NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->dtype = t;
	x->shape = *s;
	x->n = (size_t)n;
	if ((x->data = spu_calloc(x->n, spu_dtype_size(t))) == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

void
spu_tensor_free(struct spu_tensor *t)
{
	if (t == NULL)
		return;
	free(t->data);
	free(t);
}

double
spu_f16_to_f64(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	double v;

	if (e == 0)
		v = ldexp(m, -24);
	else if (e == 31)
		v = m ? NAN : INFINITY;
	else
		v = ldexp(m | 0x400, e - 25);
	return (h & 0x8000) ? -v : v;
}

uint16_t
spu_f64_to_f16(double v)
{
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	double a = fabs(v);
	int e;

	if (isnan(v))
		return 0x7e00;
	if (a >= 65520.0)
		return sign | 0x7c00;
	if (a < ldexp(1, -14)) {	/* subnormal */
		return sign | (uint16_t)nearbyint(ldexp(a, 24));
	}
	frexp(a, &e);			/* a = f * 2^e, f in [0.5, 1) */
	{
		long m = lrint(ldexp(a, 11 - e));	/* 11 significant bits */
		if (m == 2048) {
			m = 1024;
			e++;
		}
		return sign | (uint16_t)(((e + 14) << 10) | (m & 0x3ff));
	}
}

double
spu_bf16_to_f64(uint16_t h)
{
	union { uint32_t u; float f; } c = { .u = (uint32_t)h << 16 };
	return c.f;
}

uint16_t
spu_f64_to_bf16(double v)
{
	union { uint32_t u; float f; } c = { .f = (float)v };

	if (isnan(c.f))
		return 0x7fc0;
	/* round to nearest even on the dropped 16 bits */
	c.u += 0x7fff + ((c.u >> 16) & 1);
	return (uint16_t)(c.u >> 16);
}

double
spu_tensor_get_f64(const struct spu_tensor *t, size_t i)
{
	const void *p = t->data;

	switch (t->dtype) {
	case SPU_PRED: return ((const uint8_t *)p)[i] != 0;
	case SPU_S8: return ((const int8_t *)p)[i];
	case SPU_S16: return ((const int16_t *)p)[i];
	case SPU_S32: return ((const int32_t *)p)[i];
	case SPU_S64: return (double)((const int64_t *)p)[i];
	case SPU_U8: return ((const uint8_t *)p)[i];
	case SPU_U16: return ((const uint16_t *)p)[i];
	case SPU_U32: return ((const uint32_t *)p)[i];
	case SPU_U64: return (double)((const uint64_t *)p)[i];
	case SPU_F16: return spu_f16_to_f64(((const uint16_t *)p)[i]);
	case SPU_BF16: return spu_bf16_to_f64(((const uint16_t *)p)[i]);
	case SPU_F32: return ((const float *)p)[i];
	case SPU_F64: return ((const double *)p)[i];
	default: return 0;
	}
}

void
spu_tensor_set_f64(struct spu_tensor *t, size_t i, double v)
{
	void *p = t->data;

	if (!spu_dtype_is_float(t->dtype)) {
		spu_tensor_set_i64(t, i, isnan(v) ? 0 : (int64_t)v);
		return;
	}
	switch (t->dtype) {
	case SPU_F16: ((uint16_t *)p)[i] = spu_f64_to_f16(v); break;
	case SPU_BF16: ((uint16_t *)p)[i] = spu_f64_to_bf16(v); break;
	case SPU_F32: ((float *)p)[i] = (float)v; break;
	case SPU_F64: ((double *)p)[i] = v; break;
	default: break;
	}
}

int64_t
spu_tensor_get_i64(const struct spu_tensor *t, size_t i)
{
	const void *p = t->data;

	switch (t->dtype) {
	case SPU_PRED: return ((const uint8_t *)p)[i] != 0;
	case SPU_S8: return ((const int8_t *)p)[i];
	case SPU_S16: return ((const int16_t *)p)[i];
	case SPU_S32: return ((const int32_t *)p)[i];
	case SPU_S64: return ((const int64_t *)p)[i];
	case SPU_U8: return ((const uint8_t *)p)[i];
	case SPU_U16: return ((const uint16_t *)p)[i];
	case SPU_U32: return ((const uint32_t *)p)[i];
	case SPU_U64: return (int64_t)((const uint64_t *)p)[i];
	default: return (int64_t)spu_tensor_get_f64(t, i);
	}
}

void
spu_tensor_set_i64(struct spu_tensor *t, size_t i, int64_t v)
{
	void *p = t->data;

	switch (t->dtype) {
	case SPU_PRED: ((uint8_t *)p)[i] = v != 0; break;
	case SPU_S8: ((int8_t *)p)[i] = (int8_t)v; break;
	case SPU_S16: ((int16_t *)p)[i] = (int16_t)v; break;
	case SPU_S32: ((int32_t *)p)[i] = (int32_t)v; break;
	case SPU_S64: ((int64_t *)p)[i] = v; break;
	case SPU_U8: ((uint8_t *)p)[i] = (uint8_t)v; break;
	case SPU_U16: ((uint16_t *)p)[i] = (uint16_t)v; break;
	case SPU_U32: ((uint32_t *)p)[i] = (uint32_t)v; break;
	case SPU_U64: ((uint64_t *)p)[i] = (uint64_t)v; break;
	default: spu_tensor_set_f64(t, i, (double)v); break;
	}
}
