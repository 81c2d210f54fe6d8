/*
 * fuzz.h - checks shared by the fuzz targets in tests/fuzz/: what must
 * hold after a library call, whatever the input.  A violated check calls
 * abort(), which libFuzzer and the standalone driver both report as a
 * crash with the input that caused it.  Not a test framework.
 */
#ifndef SPU_FUZZ_H
#define SPU_FUZZ_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message on stderr; the fuzzer keeps the input. */
#define FUZZ_CHECK(cond, what)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n",\
			    __FILE__, __LINE__, (what));		\
			abort();					\
		}							\
	} while (0)

/* A failing library call must have returned a known error code and left
 * a non-empty, terminated message.  Clear d.msg[0] before the call. */
static inline void
fuzz_check_err(int err, const struct spu_diag *d)
{
	FUZZ_CHECK(err < 0 && err >= SPU_EUNSUPP, "unknown error code");
	FUZZ_CHECK(memchr(d->msg, '\0', sizeof(d->msg)) != NULL,
	    "diagnostic not terminated");
	FUZZ_CHECK(d->msg[0] != '\0', "error without a message");
}

/* Same dtype, shape and elements; NaNs of float dtypes compare equal
 * (their payload and sign need not survive a text round trip). */
static inline int
fuzz_tensor_same(const struct spu_tensor *a, const struct spu_tensor *b)
{
	if (a->dtype != b->dtype || a->n != b->n ||
	    a->shape.ndim != b->shape.ndim)
		return 0;
	for (int i = 0; i < a->shape.ndim; i++)
		if (a->shape.dim[i] != b->shape.dim[i])
			return 0;
	if (!spu_dtype_is_float(a->dtype))
		return a->n == 0 || memcmp(a->data, b->data,
		    a->n * spu_dtype_size(a->dtype)) == 0;
	for (size_t i = 0; i < a->n; i++) {
		double x = spu_tensor_get_f64(a, i);
		double y = spu_tensor_get_f64(b, i);

		if (isnan(x) ? !isnan(y) :
		    memcmp(&x, &y, sizeof(x)) != 0)
			return 0;
	}
	return 1;
}

#endif
