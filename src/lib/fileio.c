/*
 * fileio.c - whole-file reads with a size limit and atomic writes.
 *
 * Reads: "-" is standard input; anything larger than SPU_FILE_MAX is
 * refused before it is all in memory.  Writes: the bytes go to a fresh
 * temporary file in the target's directory, which is fsync'ed and renamed
 * over the target, so a reader sees the old file or the complete new one,
 * never a half-written one; "-" is standard output.  Not for streaming.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "fileio.h"
#include "mem.h"

static const char *
shown(const char *path, const char *std)
{
	return strcmp(path, "-") == 0 ? std : path;
}

int
spu_read_file(const char *path, uint8_t **bufp, size_t *lenp,
    struct spu_diag *d)
{
	const char *name = shown(path, "<stdin>");
	struct stat st;
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, err;

	*bufp = NULL;
	*lenp = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return spu_fail(d, SPU_EIO, "%s: %s", name, strerror(errno));
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			err = spu_fail(d, SPU_EIO, "%s: is a directory", name);
			goto fail;
		}
		if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size > SPU_FILE_MAX) {
				err = spu_fail(d, SPU_ELIMIT,
				    "%s: file larger than %zu bytes", name,
				    SPU_FILE_MAX);
				goto fail;
			}
			cap = (size_t)st.st_size + 1;
		}
	}
	if (cap < 4096)
		cap = 4096;
	if ((buf = malloc(cap)) == NULL) {
		err = spu_fail(d, SPU_ENOMEM, "%s: out of memory", name);
		goto fail;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap > SPU_FILE_MAX / 2 ?
			    SPU_FILE_MAX + 1 : cap * 2;
			if (len > SPU_FILE_MAX) {
				err = spu_fail(d, SPU_ELIMIT,
				    "%s: file larger than %zu bytes", name,
				    SPU_FILE_MAX);
				goto fail;
			}
			if ((nb = realloc(buf, ncap)) == NULL) {
				err = spu_fail(d, SPU_ENOMEM,
				    "%s: out of memory", name);
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = spu_fail(d, SPU_EIO, "%s: read: %s", name,
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > SPU_FILE_MAX) {
		err = spu_fail(d, SPU_ELIMIT, "%s: file larger than %zu bytes",
		    name, SPU_FILE_MAX);
		goto fail;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
fail:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

#define CHUNK ((size_t)1 << 30)

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len > CHUNK ? CHUNK : len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Open a new file next to path, named ".BASE.XXXXXXXXXXXXXXXX.tmp", with
 * O_EXCL and mode 0666 (the umask applies, as for any new file). */
static int
open_temp(const char *path, char **tmpp)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dirlen;
	size_t n = strlen(path) + 32;
	char *tmp, hex[17];
	uint8_t rnd[8];
	int fd = -1;

	if ((tmp = malloc(n)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (int tries = 0; tries < 100; tries++) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(tmp, n, "%.*s.%s.%s.tmp", (int)dirlen, path, base,
		    hex);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;
		free(tmp);
		errno = e;
		return -1;
	}
	*tmpp = tmp;
	return fd;
}

/* Make the rename durable: fsync the directory (best effort). */
static void
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL) {
		dir = spu_strdup(".");
	} else {
		size_t n = (size_t)(slash - path);
		if ((dir = malloc(n + 2)) == NULL)
			return;
		memcpy(dir, path, n);
		if (n == 0)
			dir[n++] = '/';
		dir[n] = '\0';
	}
	if (dir == NULL)
		return;
	if ((fd = open(dir, O_RDONLY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Every piece to fd; 0 or -1 with errno. */
static int
write_pieces(int fd, const struct spu_piece *pc, int n)
{
	for (int i = 0; i < n; i++)
		if (write_all(fd, pc[i].p, pc[i].len) != 0)
			return -1;
	return 0;
}

int
spu_write_file_atomic_v(const char *path, const struct spu_piece *pc, int n,
    struct spu_diag *d)
{
	char *tmp = NULL;
	int fd, e;

	if (strcmp(path, "-") == 0) {
		if (write_pieces(STDOUT_FILENO, pc, n) != 0)
			return spu_fail(d, SPU_EIO, "<stdout>: write: %s",
			    strerror(errno));
		return 0;
	}
	if (*path == '\0')
		return spu_fail(d, SPU_EINVAL, "empty output file name");
	if ((fd = open_temp(path, &tmp)) < 0)
		return spu_fail(d, SPU_EIO, "%s: cannot create: %s", path,
		    strerror(errno));
	if (write_pieces(fd, pc, n) != 0 || fsync(fd) != 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	free(tmp);
	sync_dir(path);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return spu_fail(d, SPU_EIO, "%s: write: %s", path, strerror(e));
}

int
spu_write_file_atomic(const char *path, const void *buf, size_t len,
    struct spu_diag *d)
{
	struct spu_piece pc = { buf, len };

	return spu_write_file_atomic_v(path, &pc, 1, d);
}

char *
spu_path_template(const char *tmpl, long i)
{
	size_t n = strlen(tmpl) + 24, o = 0;
	char *r = malloc(n);

	if (r == NULL)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		if (*p == '%' && p[1] == 'd') {
			o += (size_t)snprintf(r + o, n - o, "%ld", i);
			p++;
		} else if (*p == '%' && p[1] == '%') {
			r[o++] = '%';
			p++;
		} else {
			r[o++] = *p;
		}
	}
	r[o] = '\0';
	return r;
}

int
spu_path_has_suffix(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);

	return a >= b && strcmp(path + a - b, suffix) == 0;
}
