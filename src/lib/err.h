/*
 * err.h - error codes and diagnostics shared by every layer of libspu.
 *
 * Library functions return 0 or a negative enum spu_err.  Details (file,
 * place, cause) go into an optional struct spu_diag supplied by the caller;
 * the library never prints and never exits.
 */
#ifndef SPU_ERR_H
#define SPU_ERR_H

#include <stddef.h>

enum spu_err {
	SPU_OK = 0,
	SPU_ENOMEM = -1,	/* allocation failed */
	SPU_EIO = -2,		/* read/write/open failed */
	SPU_EFORMAT = -3,	/* malformed or damaged input */
	SPU_EVERSION = -4,	/* foreign or unsupported format version */
	SPU_EINVAL = -5,	/* invalid argument or mismatched inputs */
	SPU_ESHAPE = -6,	/* shape or type mismatch */
	SPU_ENET = -7,		/* network failure, peer gone */
	SPU_ETIMEOUT = -8,	/* peer did not answer in time */
	SPU_EPROTO = -9,	/* peer misbehaved, a check failed */
	SPU_ELIMIT = -10,	/* a size limit was exceeded */
	SPU_EUNSUPP = -11,	/* valid but not supported */
};

#define SPU_DIAG_MAX 512

/* Where and why something failed.  msg is a complete sentence fragment
 * without a trailing newline; tools prefix it with their name. */
struct spu_diag {
	char msg[SPU_DIAG_MAX];
};

const char *spu_strerror(int err);

/* Record a message in d (if d is not NULL) and return err, so callers can
 * write `return spu_fail(d, SPU_EFORMAT, "%s: bad magic", path);`. */
int spu_fail(struct spu_diag *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
