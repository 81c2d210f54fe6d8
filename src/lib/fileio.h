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
/* The same for a file made of n pieces, written in order. */
struct spu_piece {
	const void *p;
	size_t len;
};
int spu_write_file_atomic_v(const char *path, const struct spu_piece *pc,
    int n, struct spu_diag *d);

/* A file name template with %d replaced by i and %% by %; malloc'ed,
 * NULL when out of memory. */
char *spu_path_template(const char *tmpl, long i);
/* Does the path end in suffix (e.g. ".npy")? */
int spu_path_has_suffix(const char *path, const char *suffix);

#endif
