/*
 * fileio.h - whole-file reads with a size limit, and atomic writes
 * (temporary name in the same directory, fsync, rename; "-" = stdio).
 */
#ifndef SPU_FILEIO_H
#define SPU_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SPU_FILE_MAX ((size_t)8 << 30)

int spu_read_file(const char *path, uint8_t **buf, size_t *len,
    struct spu_diag *d);
int spu_write_file_atomic(const char *path, const void *buf, size_t len,
    struct spu_diag *d);

#endif
