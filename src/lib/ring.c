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
spu_ring_axpy(unsigned field, void *z, const void *x, spu_u128 c, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *xx = x; T cc = (T)c;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(zz[i] + cc * xx[i]);
	});
}

void
spu_ring_mac2(unsigned field, void *z, const void *a, const void *b,
    const void *c, const void *d, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *aa = a, *bb = b, *cc = c, *dd = d;
		for (size_t i = 0; i < n; i++)
			zz[i] = (T)(zz[i] + aa[i] * bb[i] + cc[i] * dd[i]);
	});
}

void
spu_ring_cross(unsigned field, void *z, const void *x0, const void *x1,
    const void *y0, const void *y1, size_t n)
{
	RING_DISPATCH(field, {
		T *zz = z; const T *a = x0, *b = x1, *c = y0, *d = y1;
		for (size_t i = 0; i < n; i++) {
			T ci = c[i];
			zz[i] = (T)(a[i] * (ci + d[i]) + b[i] * ci);
		}
	});
}

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

/*
 * The matmul micro-kernel: 4 rows of z at a time over a strip of NB
 * columns, so each row of y is read once per 4 output rows and the z
 * strip stays in L1.  The inner loops are plain, for the vectorizer,
 * which builds each kernel three times: for AVX-512 with its 64-bit
 * vector multiply (DQ), for AVX2, and plain; the first run picks one by
 * the CPU's features (a virtual CPU often has no model name for
 * target_clones' "arch=" to match).
 */
#define MM_NB 256
#if defined(__clang__)
#define MM_O3			/* clang vectorizes these at -O2 */
#else
#define MM_O3 optimize("O3")
#endif

#define MM_KERNEL(NAME, T, TARGET)					\
__attribute__((TARGET MM_O3))						\
static void								\
NAME(T *z, const T *x, const T *y, size_t r0, size_t r1, size_t m,	\
    size_t k, size_t n)							\
{									\
	if (n == 1) {	/* matrix times vector: dot products of rows */	\
		for (size_t r = r0; r < r1; r++) {			\
			const T *xr = x + r * k, *yb = y + (r / m) * k;	\
			T s = 0;					\
			for (size_t p = 0; p < k; p++)			\
				s += xr[p] * yb[p];			\
			z[r] = s;					\
		}							\
		return;							\
	}								\
	for (size_t r = r0; r < r1; ) {					\
		size_t b = r / m, rows = r1 - r;			\
		const T *yb = y + b * k * n;				\
		if (rows > 4)						\
			rows = 4;					\
		if ((r % m) + rows > m)	/* stay in one batch */		\
			rows = m - r % m;				\
		for (size_t c0 = 0; c0 < n; c0 += MM_NB) {		\
			size_t w = n - c0 < MM_NB ? n - c0 : MM_NB;	\
			T *z0 = z + r * n + c0;				\
			T *z1 = rows > 1 ? z0 + n : z0;			\
			T *z2 = rows > 2 ? z0 + 2 * n : z0;		\
			T *z3 = rows > 3 ? z0 + 3 * n : z0;		\
			for (size_t i = 0; i < rows; i++)		\
				memset(z0 + i * n, 0, w * sizeof(T));	\
			for (size_t p = 0; p < k; p++) {		\
				const T *yp = yb + p * n + c0;		\
				T a0 = x[r * k + p];			\
				T a1 = rows > 1 ? x[(r + 1) * k + p] : 0; \
				T a2 = rows > 2 ? x[(r + 2) * k + p] : 0; \
				T a3 = rows > 3 ? x[(r + 3) * k + p] : 0; \
				if (rows == 4) {			\
					for (size_t c = 0; c < w; c++) { \
						T v = yp[c];		\
						z0[c] += a0 * v;	\
						z1[c] += a1 * v;	\
						z2[c] += a2 * v;	\
						z3[c] += a3 * v;	\
					}				\
				} else {				\
					for (size_t c = 0; c < w; c++)	\
						z0[c] += a0 * yp[c];	\
					if (rows > 1)			\
						for (size_t c = 0; c < w; c++) \
							z1[c] += a1 * yp[c]; \
					if (rows > 2)			\
						for (size_t c = 0; c < w; c++) \
							z2[c] += a2 * yp[c]; \
				}					\
			}						\
		}							\
		r += rows;						\
	}								\
}

#define AVX512 target("avx512f,avx512dq,avx512vl,avx512bw"),
#define AVX2 target("avx2"),
MM_KERNEL(mm32_avx512, uint32_t, AVX512)
MM_KERNEL(mm32_avx2, uint32_t, AVX2)
MM_KERNEL(mm32_plain, uint32_t, )
MM_KERNEL(mm64_avx512, uint64_t, AVX512)
MM_KERNEL(mm64_avx2, uint64_t, AVX2)
MM_KERNEL(mm64_plain, uint64_t, )
#undef AVX512
#undef AVX2

typedef void mm_fn32(uint32_t *, const uint32_t *, const uint32_t *, size_t,
    size_t, size_t, size_t, size_t);
typedef void mm_fn64(uint64_t *, const uint64_t *, const uint64_t *, size_t,
    size_t, size_t, size_t, size_t);

/* 0 plain, 1 AVX2, 2 AVX-512DQ.  __builtin_cpu_supports reads a table
 * libgcc fills before main: cheap, and no state of ours to race on. */
static int
mm_level(void)
{
	return __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl") &&
	    __builtin_cpu_supports("avx512bw") ? 2 :
	    __builtin_cpu_supports("avx2") ? 1 : 0;
}

static void
mm_kernel32(uint32_t *z, const uint32_t *x, const uint32_t *y, size_t r0,
    size_t r1, size_t m, size_t k, size_t n)
{
	static mm_fn32 *const fn[3] = { mm32_plain, mm32_avx2, mm32_avx512 };

	fn[mm_level()](z, x, y, r0, r1, m, k, n);
}

static void
mm_kernel64(uint64_t *z, const uint64_t *x, const uint64_t *y, size_t r0,
    size_t r1, size_t m, size_t k, size_t n)
{
	static mm_fn64 *const fn[3] = { mm64_plain, mm64_avx2, mm64_avx512 };

	fn[mm_level()](z, x, y, r0, r1, m, k, n);
}

/* 128-bit words: no vector multiply; the plain i-k-j loop. */
static void
mm_kernel128(spu_u128 *z, const spu_u128 *x, const spu_u128 *y, size_t r0,
    size_t r1, size_t m, size_t k, size_t n)
{
	for (size_t r = r0; r < r1; r++) {
		const spu_u128 *xr = x + r * k, *yb = y + (r / m) * k * n;
		spu_u128 *zr = z + r * n;
		memset(zr, 0, n * sizeof(*zr));
		for (size_t p = 0; p < k; p++) {
			spu_u128 a = xr[p];
			const spu_u128 *yp = yb + p * n;
			if (a == 0)
				continue;
			for (size_t c = 0; c < n; c++)
				zr[c] += a * yp[c];
		}
	}
}

static void *
mm_rows(void *arg)
{
	struct mm_job *j = arg;

	if (j->field == 32)
		mm_kernel32(j->z, j->x, j->y, j->row0, j->row1, j->m, j->k, j->n);
	else if (j->field == 64)
		mm_kernel64(j->z, j->x, j->y, j->row0, j->row1, j->m, j->k, j->n);
	else
		mm_kernel128(j->z, j->x, j->y, j->row0, j->row1, j->m, j->k,
		    j->n);
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
