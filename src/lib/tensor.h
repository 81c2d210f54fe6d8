/*
 * tensor.h - element types, shapes and cleartext tensors.
 *
 * A cleartext tensor holds its elements in their own dtype, C order
 * (row-major), little-endian host layout.  f16 and bf16 are stored as their
 * raw 16-bit patterns.  This is the currency of the file readers (npy, csv)
 * and of spu-share / spu-reveal; the VM works on ring values instead.
 */
#ifndef SPU_TENSOR_H
#define SPU_TENSOR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SPU_MAX_DIMS 16
/* Largest element count of any tensor we accept from a file or program. */
#define SPU_MAX_ELEMS ((int64_t)1 << 31)

enum spu_dtype {
	SPU_PRED = 0,
	SPU_S8, SPU_S16, SPU_S32, SPU_S64,
	SPU_U8, SPU_U16, SPU_U32, SPU_U64,
	SPU_F16, SPU_BF16, SPU_F32, SPU_F64,
	SPU_DTYPE_COUNT
};

struct spu_shape {
	int ndim;
	int64_t dim[SPU_MAX_DIMS];
};

struct spu_tensor {
	enum spu_dtype dtype;
	struct spu_shape shape;
	size_t n;		/* number of elements */
	void *data;		/* n * spu_dtype_size(dtype) bytes */
};

/* "pred", "s8", ..., "f64" (HLO spelling). */
const char *spu_dtype_name(enum spu_dtype t);
/* Parse an HLO dtype name; returns -1 if unknown. */
int spu_dtype_parse(const char *name, size_t len);
size_t spu_dtype_size(enum spu_dtype t);
int spu_dtype_is_float(enum spu_dtype t);
int spu_dtype_is_signed(enum spu_dtype t);	/* signed integers */

/* Element count; returns -1 if a dim is negative or the count exceeds
 * SPU_MAX_ELEMS. */
int64_t spu_shape_numel(const struct spu_shape *s);
int spu_shape_eq(const struct spu_shape *a, const struct spu_shape *b);
/* Row-major strides (in elements) of a shape. */
void spu_shape_strides(const struct spu_shape *s, int64_t *st);
/* Advance coordinate c to the next one in row-major order; 0 after the
 * last (c wraps to all zeros). */
int spu_shape_next(const struct spu_shape *s, int64_t *c);
/* Writes e.g. "f32[3,4]" into buf. */
void spu_shape_format(char *buf, size_t len, enum spu_dtype t,
    const struct spu_shape *s);

/* Allocate a zeroed tensor; returns NULL on overflow or no memory. */
struct spu_tensor *spu_tensor_new(enum spu_dtype t, const struct spu_shape *s);
void spu_tensor_free(struct spu_tensor *t);

/* Element access through float64 / int64 (f16/bf16 converted). */
double spu_tensor_get_f64(const struct spu_tensor *t, size_t i);
void spu_tensor_set_f64(struct spu_tensor *t, size_t i, double v);
int64_t spu_tensor_get_i64(const struct spu_tensor *t, size_t i);
void spu_tensor_set_i64(struct spu_tensor *t, size_t i, int64_t v);

/* IEEE half and bfloat16 conversions. */
double spu_f16_to_f64(uint16_t h);
uint16_t spu_f64_to_f16(double v);
double spu_bf16_to_f64(uint16_t h);
uint16_t spu_f64_to_bf16(double v);

#endif
