/*
 * csv.h - comma-separated numbers as tensors.  One row per line, the same
 * number of fields on every line; a first line that does not parse as
 * numbers is a header and skipped.  One row gives a 1-D tensor, otherwise
 * 2-D [rows, cols]; with a single column, [rows].
 */
#ifndef SPU_CSV_H
#define SPU_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "tensor.h"

int spu_csv_decode(const char *name, const char *text, size_t len,
    enum spu_dtype dtype, struct spu_tensor **out, struct spu_diag *d);
/* Print with %.17g for floats (shortest exact form is fine too), integers
 * exactly; 0-D and 1-D tensors one value per line... see csv.c. */
int spu_csv_print(FILE *f, const struct spu_tensor *t);

#endif
