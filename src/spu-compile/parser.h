/*
 * parser.h - recursive-descent parser from HLO text to the HLO IR.
 */
#ifndef SPU_HLO_PARSER_H
#define SPU_HLO_PARSER_H

#include <stddef.h>

#include "err.h"
#include "hlo.h"

/*
 * Parse buf[0..len) (need not be NUL-terminated).  file names the input
 * in messages ("FILE:LINE:COL: expected ..., found 'tok'").  On success
 * *out is a new module for hlo_module_free.  Returns 0, SPU_EFORMAT
 * (syntax), SPU_EUNSUPP, SPU_ELIMIT (nesting, sizes) or SPU_ENOMEM.
 */
int hlo_parse(const char *file, const char *buf, size_t len,
    struct hlo_module **out, struct spu_diag *d);

#endif
