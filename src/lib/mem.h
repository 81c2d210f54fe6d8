/*
 * mem.h - checked allocation.  All sizes are checked for overflow; secret
 * buffers are wiped on free.
 */
#ifndef SPU_MEM_H
#define SPU_MEM_H

#include <stddef.h>

/* calloc(n, size) that fails (returns NULL) on overflow or above the
 * process-wide limit SPU_MEM_LIMIT; never aborts. */
void *spu_calloc(size_t n, size_t size);
void *spu_malloc(size_t n, size_t size);
void *spu_realloc(void *p, size_t n, size_t size);
char *spu_strdup(const char *s);

/* Free a buffer that held shares, seeds or keys: wipe, then free. */
void spu_free_secret(void *p, size_t len);

/* Free a buffer of len bytes (at most its size) from spu_malloc or
 * spu_calloc that held nothing secret. */
void spu_free_sized(void *p, size_t len);

/* For a long-running VM: from now on back buffers of 4 MiB and more
 * with transparent huge pages (where the kernel offers them) and keep
 * freed ones of the calling thread for reuse, until spu_mem_release(),
 * which the thread must call before it ends. */
void spu_mem_tune_for_run(void);
void spu_mem_release(void);
/* Bytes the calling thread keeps for reuse now. */
size_t spu_mem_kept(void);

/* Largest single allocation libspu will attempt (bytes). */
#define SPU_MEM_LIMIT ((size_t)16 << 30)

#endif
