/*
 * npy.h - NumPy .npy files (format versions 1.0, 2.0, 3.0): bool,
 * int8..int64, uint8..uint64, float16, float32, float64, little or big
 * endian, C order or Fortran order (transposed on read).
 */
#ifndef SPU_NPY_H
#define SPU_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "tensor.h"

/* Parse from memory.  Messages use `name` to name the input. */
int spu_npy_decode(const char *name, const uint8_t *buf, size_t len,
    struct spu_tensor **out, struct spu_diag *d);
/* Encode version 1.0, C order, little endian.  *buf is malloc'ed.
 * bf16 is written as float32 (NumPy has no bfloat16). */
int spu_npy_encode(const struct spu_tensor *t, uint8_t **buf, size_t *len,
    struct spu_diag *d);
/* "-" = stdin / stdout; writes atomically. */
int spu_npy_read_file(const char *path, struct spu_tensor **out,
    struct spu_diag *d);
int spu_npy_write_file(const char *path, const struct spu_tensor *t,
    struct spu_diag *d);

#endif
