/*
 * fuzz_npy.c - libFuzzer target for the .npy reader (spu_npy_decode):
 * any bytes must decode or be refused with a message, never overread or
 * allocate from an unchecked size.  A decoded tensor must survive
 * spu_npy_encode and a second decode unchanged.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "npy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spu_tensor *t = NULL, *t2 = NULL;
	struct spu_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	d.msg[0] = '\0';
	if ((err = spu_npy_decode("fuzz.npy", data, size, &t, &d)) != 0) {
		fuzz_check_err(err, &d);
		FUZZ_CHECK(t == NULL, "output set on failure");
		return 0;
	}
	FUZZ_CHECK(t != NULL, "no tensor on success");
	FUZZ_CHECK(spu_shape_numel(&t->shape) == (int64_t)t->n,
	    "element count does not match the shape");
	err = spu_npy_encode(t, &buf, &len, &d);
	FUZZ_CHECK(err == 0, "a decoded tensor does not encode");
	err = spu_npy_decode("fuzz-reencoded.npy", buf, len, &t2, &d);
	FUZZ_CHECK(err == 0, "an encoded tensor does not decode");
	FUZZ_CHECK(fuzz_tensor_same(t, t2), "npy round trip changed the tensor");
	spu_tensor_free(t2);
	free(buf);
	spu_tensor_free(t);
	return 0;
}
