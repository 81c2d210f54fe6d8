/*
 * fuzz_csv.c - libFuzzer target for the CSV reader (spu_csv_decode): the
 * input is decoded as every dtype in turn (integer range checks, pred
 * words and float parsing differ per dtype), never needing a trailing
 * NUL.  A decoded tensor printed with spu_csv_print must read back to
 * the same tensor.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "fuzz.h"

static void
one(const uint8_t *data, size_t size, enum spu_dtype dt)
{
	struct spu_tensor *t = NULL, *t2 = NULL;
	struct spu_diag d;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	d.msg[0] = '\0';
	err = spu_csv_decode("fuzz.csv", (const char *)data, size, dt, &t, &d);
	if (err != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(t == NULL, "output set on failure");
		return;
	}
	FUZZ_CHECK(t != NULL && t->dtype == dt, "bad tensor on success");
	FUZZ_CHECK(t->shape.ndim == 1 || t->shape.ndim == 2,
	    "CSV gives 1-D or 2-D tensors");
	FUZZ_CHECK(spu_shape_numel(&t->shape) == (int64_t)t->n,
	    "element count does not match the shape");
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	err = spu_csv_print(f, t);
	FUZZ_CHECK(fclose(f) == 0 && err == 0, "spu_csv_print failed");
	err = spu_csv_decode("fuzz-printed.csv", text, len, dt, &t2, &d);
	FUZZ_CHECK(err == 0, "printed CSV does not read back");
	FUZZ_CHECK(fuzz_tensor_same(t, t2), "CSV round trip changed the tensor");
	spu_tensor_free(t2);
	free(text);
	spu_tensor_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int dt = 0; dt < SPU_DTYPE_COUNT; dt++)
		one(data, size, (enum spu_dtype)dt);
	return 0;
}
