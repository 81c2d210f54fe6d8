/*
 * standalone.c - a main() for the fuzz targets when they are not built
 * with libFuzzer (./configure without --enable-fuzzing): every argument is
 * a file whose bytes are passed once to LLVMFuzzerTestOneInput, as a
 * libFuzzer binary does when given files.  tests/fuzz/replay.sh runs the
 * seed corpora and crash reproducers this way in `make check`.
 *
 * Each input is copied into a buffer of exactly its size, so that a
 * sanitizer build catches a read past the end.  Not a fuzzer: it does not
 * mutate anything.  Exit status: 0 when every input ran, 1 when a file
 * could not be read, 2 on bad usage; a crash in the target kills it.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read all of path into a malloc'ed buffer of exactly *len bytes (one
 * byte is allocated for an empty file, *len is then 0). */
static uint8_t *
slurp(const char *path, size_t *len)
{
	uint8_t *buf = NULL, *nb, *exact;
	size_t n = 0, cap = 0, r;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	if ((exact = malloc(n ? n : 1)) == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(exact, buf, n);
	free(buf);
	*len = n;
	return exact;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	int rc = 0, ran = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		uint8_t *buf;
		size_t len = 0;

		errno = 0;
		if ((buf = slurp(argv[i], &len)) == NULL) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], argv[i],
			    errno ? strerror(errno) : "cannot read");
			rc = 1;
			continue;
		}
		fprintf(stderr, "Running: %s (%zu bytes)\n", argv[i], len);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
		ran++;
	}
	fprintf(stderr, "%s: %d input%s done\n", argv[0], ran,
	    ran == 1 ? "" : "s");
	return rc;
}
