/*
 * ring.c - Z_2^k kernels and fixed-point encoding against a reference
 * computed here with 128-bit integers and doubles, for k = 32, 64, 128.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fxp.h"
#include "ring.h"
#include "../tap.h"

static const unsigned fields[] = { 32, 64, 128 };

static spu_u128
mask(unsigned f, spu_u128 v)
{
	return f == 128 ? v : v & (((spu_u128)1 << f) - 1);
}

static spu_u128
rnd128(void)
{
	spu_u128 v;

	randombytes_buf(&v, sizeof(v));
	return v;
}

/* Arithmetic shift of the k-bit word v, in 128-bit arithmetic. */
static spu_u128
sar(unsigned f, spu_u128 v, unsigned s)
{
	spu_i128 x = f == 128 ? (spu_i128)v :
	    ((v >> (f - 1)) & 1) ? (spu_i128)(v | ~(((spu_u128)1 << f) - 1)) :
	    (spu_i128)v;
	return mask(f, (spu_u128)(x >> s));
}

static void
elementwise(unsigned f)
{
	enum { N = 1000 };
	void *x = spu_ring_alloc(f, N), *y = spu_ring_alloc(f, N),
	    *z = spu_ring_alloc(f, N);
	int ok_add = 1, ok_sub = 1, ok_mul = 1, ok_neg = 1, ok_sh = 1,
	    ok_tr = 1, ok_sc = 1;
	unsigned s = 1 + randombytes_uniform(f - 1);

	for (size_t i = 0; i < N; i++) {
		spu_ring_set(f, x, i, rnd128());
		spu_ring_set(f, y, i, rnd128());
	}
#define CHECK(flag, call, expr) do {					\
	call;								\
	for (size_t i = 0; i < N; i++) {				\
		spu_u128 a = spu_ring_get(f, x, i), b = spu_ring_get(f, y, i); \
		(void)b;						\
		if (spu_ring_get(f, z, i) != mask(f, (expr)))		\
			flag = 0;					\
	}								\
} while (0)
	CHECK(ok_add, spu_ring_add(f, z, x, y, N), a + b);
	CHECK(ok_sub, spu_ring_sub(f, z, x, y, N), a - b);
	CHECK(ok_mul, spu_ring_mul(f, z, x, y, N), a * b);
	CHECK(ok_neg, spu_ring_neg(f, z, x, N), 0 - a);
	CHECK(ok_sh, spu_ring_lshift(f, z, x, s, N), a << s);
	CHECK(ok_sh, spu_ring_rshift(f, z, x, s, N), a >> s);
	CHECK(ok_sh, spu_ring_arshift(f, z, x, s, N), sar(f, a, s));
	CHECK(ok_tr, spu_ring_trunc_round(f, z, x, s, N),
	    sar(f, a, s) + (sar(f, a, s - 1) & 1));
	CHECK(ok_sc, spu_ring_mul_scalar(f, z, x, 12345, N), a * 12345);
	CHECK(ok_sc, spu_ring_add_scalar(f, z, x, 777, N), a + 777);
#undef CHECK
	ok(ok_add && ok_sub && ok_mul && ok_neg, "Z_2^%u: add, sub, mul, neg "
	    "wrap exactly", f);
	ok(ok_sh, "Z_2^%u: shifts by %u (logical and arithmetic)", f, s);
	ok(ok_tr, "Z_2^%u: truncation by %u rounds to nearest", f, s);
	ok(ok_sc, "Z_2^%u: scalar multiply and add", f);
	{
		/* the fused product kernels, z also as their own operand */
		void *u = spu_ring_alloc(f, N), *z0 = spu_ring_alloc(f, N);
		int ok_mac = 1, ok_cross = 1;
		for (size_t i = 0; i < N; i++) {
			spu_ring_set(f, u, i, rnd128());
			spu_ring_set(f, z, i, rnd128());
		}
		spu_ring_copy(f, z0, z, N);
		spu_ring_mac2(f, z, x, y, u, z, N);
		for (size_t i = 0; i < N; i++) {
			spu_u128 a = spu_ring_get(f, x, i);
			spu_u128 b = spu_ring_get(f, y, i);
			spu_u128 c = spu_ring_get(f, u, i);
			spu_u128 d = spu_ring_get(f, z0, i);
			if (spu_ring_get(f, z, i) != mask(f, d + a * b + c * d))
				ok_mac = 0;
		}
		spu_ring_copy(f, z, u, N);
		spu_ring_cross(f, z, x, u, y, z, N);
		for (size_t i = 0; i < N; i++) {
			spu_u128 a = spu_ring_get(f, x, i);
			spu_u128 b = spu_ring_get(f, y, i);
			spu_u128 c = spu_ring_get(f, u, i);
			spu_u128 want = mask(f, a * (b + c) + c * b);
			if (spu_ring_get(f, z, i) != want)
				ok_cross = 0;
		}
		ok(ok_mac, "Z_2^%u: z += a b + c d wraps exactly", f);
		ok(ok_cross, "Z_2^%u: x0 (y0 + y1) + x1 y0 wraps exactly", f);
		free(u);
		free(z0);
	}
	free(x);
	free(y);
	free(z);
}

static void
matmul(unsigned f, size_t b, size_t m, size_t k, size_t n)
{
	void *x = spu_ring_alloc(f, b * m * k), *y = spu_ring_alloc(f, b * k * n),
	    *z = spu_ring_alloc(f, b * m * n);
	int good = 1;

	for (size_t i = 0; i < b * m * k; i++)
		spu_ring_set(f, x, i, rnd128());
	for (size_t i = 0; i < b * k * n; i++)
		spu_ring_set(f, y, i, rnd128());
	spu_ring_matmul(f, z, x, y, b, m, k, n);
	for (size_t bb = 0; bb < b; bb++)
		for (size_t r = 0; r < m; r++)
			for (size_t c = 0; c < n; c++) {
				spu_u128 s = 0;
				for (size_t p = 0; p < k; p++)
					s += spu_ring_get(f, x, (bb * m + r) * k + p) *
					    spu_ring_get(f, y, (bb * k + p) * n + c);
				if (spu_ring_get(f, z, (bb * m + r) * n + c) !=
				    mask(f, s))
					good = 0;
			}
	ok(good, "Z_2^%u: matmul [%zu] %zux%zu . %zux%zu", f, b, m, k, k, n);
	free(x);
	free(y);
	free(z);
}

static void
encoding(unsigned f)
{
	int fxp = spu_fxp_default(f), good = 1, ints = 1;
	double lim = ldexp(1, (int)f - 2 - fxp);

	for (int i = 0; i < 2000; i++) {
		double v = (randombytes_uniform(1u << 30) / (double)(1u << 30) -
		    0.5) * 2 * fmin(lim, 1e6);
		double back = spu_fxp_decode_f64(f, fxp,
		    spu_fxp_encode_f64(f, fxp, v));
		if (fabs(back - v) > ldexp(1, -fxp) || fabs(back) > fabs(v))
			good = 0;
	}
	ok(good, "Z_2^%u: fixed point (%d bits) round trip within 2^-%d, "
	    "toward zero", f, fxp, fxp);
	ok(spu_fxp_decode_f64(f, fxp, spu_fxp_encode_f64(f, fxp, 1e300)) <=
	    lim && spu_fxp_decode_f64(f, fxp, spu_fxp_encode_f64(f, fxp,
	    -1e300)) >= -lim, "Z_2^%u: huge values saturate below 2^(k-2)", f);
	ok(spu_fxp_encode_f64(f, fxp, NAN) == 0, "Z_2^%u: NaN encodes as 0", f);
	{
		struct spu_shape s = { 1, { 5 } };
		struct spu_tensor *t = spu_tensor_new(SPU_S32, &s),
		    *u = spu_tensor_new(SPU_S32, &s);
		void *r = spu_ring_alloc(f, 5);
		int32_t want[5] = { 0, 1, -1, 2147483647, -2147483647 - 1 };
		memcpy(t->data, want, sizeof(want));
		spu_encode_tensor(f, fxp, t, r);
		spu_decode_tensor(f, fxp, r, u);
		for (int i = 0; i < 5; i++)
			if (((int32_t *)u->data)[i] != want[i])
				ints = 0;
		ok(ints, "Z_2^%u: s32 values embed and decode exactly", f);
		spu_tensor_free(t);
		spu_tensor_free(u);
		free(r);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
		return 99;
	for (int i = 0; i < 3; i++) {
		unsigned f = fields[i];
		elementwise(f);
		matmul(f, 1, 1, 1, 1);
		matmul(f, 1, 7, 13, 5);
		matmul(f, 3, 5, 7, 300);	/* crosses a column strip */
		matmul(f, 2, 9, 4, 3);
		matmul(f, 1, 130, 64, 70);	/* threads */
		matmul(f, 3, 5, 37, 1);		/* matrix times vector */
		matmul(f, 1, 128, 784, 1);
		encoding(f);
	}
	return done_testing();
}
