/*
 * ring.c - Z_2^k kernels.  One macro body per kernel, instantiated for the
 * three word types, so the compiler sees three simple loops it can
 * vectorize.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "ring.h"

/* Instantiate the body with T bound to the word type of the field. */
#define RING_DISPATCH(field, ...) do {					\
	switch (field) {						\
	case 32: { typedef uint32_t T; __VA_ARGS__; } break;			\
	case 64: { typedef uint64_t T; __VA_ARGS__; } break;			\
	default: { typedef spu_u128 T; __VA_ARGS__; } break;			\
	}								\
} while (0)

#define RING_DISPATCH_SIGNED(field, ...) do {				\
	switch (field) {						\
	case 32: { typedef uint32_t T; typedef int32_t S; __VA_ARGS__; } break; \
	case 64: { typedef uint64_t T; typedef int64_t S; __VA_ARGS__; } break; \
	default: { typedef spu_u128 T; typedef spu_i128 S; __VA_ARGS__; } break; \
	}								\
} while (0)

size_t
spu_ring_size(unsigned field)
{
	return spu_field_valid(field) ? field / 8 : 0;
}

int
spu_field_valid(unsigned field)
{
	return field == 32 || field == 64 || field == 128;
}

spu_u128
spu_ring_get(unsigned field, const void *x, size_t i)
{
	spu_u128 v = 0;

	RING_DISPATCH(field, v = ((const T *)x)[i]);
	return v;
}

spu_i128
spu_ring_get_signed(unsigned field, const void *x, size_t i)
{
	spu_i128 v = 0;

	RING_DISPATCH_SIGNED(field, v = (S)((const T *)x)[i]);
	return v;
}

void
spu_ring_set(unsigned field, void *x, size_t i, spu_u128 v)
{
	RING_DISPATCH(field, ((T *)x)[i] = (T)v);
}

void *
spu_ring_alloc(unsigned field, size_t n)
{
	return spu_calloc(n, spu_ring_size(field));
}

void
spu_ring_zero(unsigned field, void *x, size_t n)
{
	memset(x, 0, n * spu_ring_size(field));
}

void
spu_ring_copy(unsigned field, void *z, const void *x, size_t n)
{
	if (z != x)
		memmove(z, x, n * spu_ring_size(field));
}

#define BINOP(name, expr)						\
void									\
spu_ring_##name(unsigned field, void *z, const void *x, const void *y,	\
    size_t n)								\
{									\
	RING_DISPATCH(field, {						\
		T *zz = z; const T *xx = x, *yy = y;			\
		for (size_t i = 0; i < n; i++) {			\
			T a = xx[i], b = yy[i];				\
			zz[i] = (T)(expr);				\
		}							\
	});								\
}

BINOP(add, a + b)
BINOP(sub, a - b)
BINOP(mul, a * b)
BINOP(xor, a ^ b)
BINOP(and, a & b)

void
spu_ring_neg(unsigned field, void *z, const void *x, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(0 - xx[i]);
	});
}

void
spu_ring_not(unsigned field, void *z, const void *x, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)~xx[i];
	});
}

void
spu_ring_add_scalar(unsigned field, void *z, const void *x, spu_u128 c, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x; T cc = (T)c;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(xx[i] + cc);
	});
}

void
spu_ring_mul_scalar(unsigned field, void *z, const void *x, spu_u128 c, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x; T cc = (T)c;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(xx[i] * cc);
	});
}

void
spu_ring_lshift(unsigned field, void *z, const void *x, unsigned s, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(xx[i] << s);
	});
}

void
spu_ring_rshift(unsigned field, void *z, const void *x, unsigned s, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(xx[i] >> s);
	});
}

void
spu_ring_arshift(unsigned field, void *z, const void *x, unsigned s, size_t n)
{
	RING_DISPATCH_SIGNED(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)((S)xx[i] >> s);
	});
}

void
spu_ring_trunc_round(unsigned field, void *z, const void *x, unsigned s, size_t n)
{
	if (s == 0) {
		spu_ring_copy(field, z, x, n);
		return;
	}
	RING_DISPATCH_SIGNED(field, {
		T *zz = z; const T *xx = x;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(((S)xx[i] >> s) + (((S)xx[i] >> (s - 1)) & 1));
	});
}

/* ---- matmul ---- */

struct mm_job {
	unsigned field;
	void *z;
	const void *x, *y;
	size_t batch, m, k, n;
	size_t row0, row1;	/* rows of the flattened (batch*m) range */
};

/* i-k-j loop order over a block of rows: streams y rows, accumulates into
 * a z row that stays in cache. */
static void *
mm_rows(void *arg)
{
	struct mm_job *j = arg;
	size_t m = j->m, k = j->k, n = j->n;

	RING_DISPATCH(j->field, {
		T *z = j->z; const T *x = j->x, *y = j->y;
		for (size_t r = j->row0; r < j->row1; r++) {
			size_t b = r / m;
			const T *xr = x + r * k;
			const T *yb = y + b * k * n;
			T *zr = z + r * n;
			memset(zr, 0, n * sizeof(T));
			for (size_t p = 0; p < k; p++) {
				T a = xr[p];
				const T *yp = yb + p * n;
				if (a == 0)
					continue;
				for (size_t c = 0; c < n; c++)
					zr[c] += a * yp[c];
			}
		}
	});
	return NULL;
}

static int
ncpu(void)
{
	static int cached;
	if (cached == 0) {
		const char *e = getenv("SPU_THREADS");
		cached = e ? atoi(e) : 2;
		if (cached < 1)
			cached = 1;
		if (cached > 64)
			cached = 64;
	}
	return cached;
}

void
spu_ring_matmul(unsigned field, void *z, const void *x, const void *y,
    size_t batch, size_t m, size_t k, size_t n)
{
	size_t rows = batch * m;
	int nt = ncpu();
	struct mm_job jobs[64];
	pthread_t tid[64];
	int started[64] = { 0 };

	if ((double)rows * k * n < 1e6 || rows < 2)
		nt = 1;
	if ((size_t)nt > rows)
		nt = (int)rows;
	for (int t = 0; t < nt; t++) {
		jobs[t] = (struct mm_job){ field, z, x, y, batch, m, k, n,
		    rows * t / nt, rows * (t + 1) / nt };
	}
	for (int t = 1; t < nt; t++)
		if (pthread_create(&tid[t], NULL, mm_rows, &jobs[t]) == 0)
			started[t] = 1;
		else
			mm_rows(&jobs[t]);
	mm_rows(&jobs[0]);
	for (int t = 1; t < nt; t++)
		if (started[t])
			pthread_join(tid[t], NULL);
}
