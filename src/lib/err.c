/* err.c - error strings and diagnostic formatting. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

const char *
spu_strerror(int err)
{
	switch (err) {
	case SPU_OK: return "success";
	case SPU_ENOMEM: return "out of memory";
	case SPU_EIO: return "input/output error";
	case SPU_EFORMAT: return "malformed input";
	case SPU_EVERSION: return "unsupported format version";
	case SPU_EINVAL: return "invalid argument";
	case SPU_ESHAPE: return "shape or type mismatch";
	case SPU_ENET: return "network failure";
	case SPU_ETIMEOUT: return "timed out";
	case SPU_EPROTO: return "protocol violation";
	case SPU_ELIMIT: return "limit exceeded";
	case SPU_EUNSUPP: return "not supported";
	}
	return "unknown error";
}

int
spu_fail(struct spu_diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (d != NULL) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}
