/* fxp.c - fixed-point encoding. */
#include "config.h"

#include <math.h>

#include "fxp.h"

int
spu_fxp_default(unsigned field)
{
	return field == 32 ? 8 : field == 64 ? 18 : 26;
}

int
spu_fxp_max(unsigned field)
{
	return field == 32 ? 14 : field == 64 ? 30 : 62;
}

spu_u128
spu_fxp_encode_f64(unsigned field, int fxp, double x)
{
	long double lim = ldexpl(1.0L, (int)field - 2);
	long double v;

	if (isnan(x))
		return 0;
	v = ldexpl((long double)x, fxp);
	if (v >= lim)
		v = lim - 1;
	if (v <= -lim)
		v = -lim;
	/* long double holds 64 mantissa bits: enough for any double scaled */
	return (spu_u128)(spu_i128)truncl(v);
}

double
spu_fxp_decode_f64(unsigned field, int fxp, spu_u128 v)
{
	spu_i128 s;

	/* sign-extend from the field width */
	if (field < 128) {
		spu_u128 m = (spu_u128)1 << field;
		v &= m - 1;
		s = (v >> (field - 1)) ? (spu_i128)(v - m) : (spu_i128)v;
	} else {
		s = (spu_i128)v;
	}
	return (double)ldexpl((long double)s, -fxp);
}

void
spu_encode_tensor(unsigned field, int fxp, const struct spu_tensor *t,
    void *out)
{
	int is_float = spu_dtype_is_float(t->dtype);

	for (size_t i = 0; i < t->n; i++) {
		spu_u128 v;
		if (is_float)
			v = spu_fxp_encode_f64(field, fxp,
			    spu_tensor_get_f64(t, i));
		else if (t->dtype == SPU_U64)
			v = (spu_u128)((const uint64_t *)t->data)[i];
		else
			v = (spu_u128)(spu_i128)spu_tensor_get_i64(t, i);
		spu_ring_set(field, out, i, v);
	}
}

void
spu_decode_tensor(unsigned field, int fxp, const void *in,
    struct spu_tensor *t)
{
	int is_float = spu_dtype_is_float(t->dtype);

	for (size_t i = 0; i < t->n; i++) {
		spu_u128 v = spu_ring_get(field, in, i);
		if (is_float)
			spu_tensor_set_f64(t, i, spu_fxp_decode_f64(field, fxp, v));
		else if (t->dtype == SPU_PRED)
			spu_tensor_set_i64(t, i, (int64_t)(v & 1));
		else
			spu_tensor_set_i64(t, i, (int64_t)spu_ring_get_signed(
			    field, in, i));
	}
}
