/*
 * formats_io.c - fileio, .npy and CSV: hand-built .npy files of every
 * dtype in both byte orders and both memory orders (expected values
 * computed here, not by npy.c), round trips, damaged headers and data,
 * limits; CSV parsing rules, errors and printing; atomic writes.
 */
#include "config.h"

#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "fileio.h"
#include "npy.h"
#include "../tap.h"

static char tmpdir[] = "/tmp/spu-formats-io.XXXXXX";

/* Build a .npy file: magic, version, header dict padded to 64, data. */
static uint8_t *
mknpy(int major, const char *dict, const void *data, size_t dlen,
    size_t *len)
{
	size_t pre = major == 1 ? 10 : 12, hl = strlen(dict) + 1;
	uint8_t *b;

	while ((pre + hl) % 64 != 0)
		hl++;
	*len = pre + hl + dlen;
	b = malloc(*len + 1);
	memcpy(b, "\x93NUMPY", 6);
	b[6] = (uint8_t)major;
	b[7] = 0;
	b[8] = hl & 0xff;
	b[9] = (hl >> 8) & 0xff;
	if (major > 1) {
		b[10] = (hl >> 16) & 0xff;
		b[11] = (hl >> 24) & 0xff;
	}
	memset(b + pre, ' ', hl);
	memcpy(b + pre, dict, strlen(dict));
	b[pre + hl - 1] = '\n';
	if (dlen)
		memcpy(b + pre + hl, data, dlen);
	return b;
}

static const struct {
	const char *code;	/* descr without byte order */
	enum spu_dtype t;
	int size;
} kinds[] = {
	{ "b1", SPU_PRED, 1 }, { "i1", SPU_S8, 1 }, { "i2", SPU_S16, 2 },
	{ "i4", SPU_S32, 4 }, { "i8", SPU_S64, 8 }, { "u1", SPU_U8, 1 },
	{ "u2", SPU_U16, 2 }, { "u4", SPU_U32, 4 }, { "u8", SPU_U64, 8 },
	{ "f2", SPU_F16, 2 }, { "f4", SPU_F32, 4 }, { "f8", SPU_F64, 8 },
};

/* The value of element (i,j,k) of the test arrays, as a double that
 * every dtype represents exactly. */
static double
val(enum spu_dtype t, int i, int j, int k)
{
	int v = i * 12 + j * 4 + k;

	if (t == SPU_PRED)
		return v % 3 == 0;
	if (spu_dtype_is_float(t))
		return (v - 11) * 0.25;
	if (spu_dtype_is_signed(t))
		return v - 11;
	return v * 5;
}

/* Store v as dtype t (size bytes) little- or big-endian at p. */
static void
put(uint8_t *p, enum spu_dtype t, int size, double v, int big)
{
	uint8_t tmp[8];
	uint64_t u = 0;

	if (t == SPU_F16) {
		uint16_t h = spu_f64_to_f16(v);
		memcpy(tmp, &h, 2);
	} else if (t == SPU_F32) {
		float f = (float)v;
		memcpy(tmp, &f, 4);
	} else if (t == SPU_F64) {
		memcpy(tmp, &v, 8);
	} else {
		u = (uint64_t)(int64_t)v;
		memcpy(tmp, &u, 8);
	}
	for (int b = 0; b < size; b++)
		p[b] = big ? tmp[size - 1 - b] : tmp[b];
}

static void
test_npy_dtypes(void)
{
	for (size_t q = 0; q < sizeof(kinds) / sizeof(kinds[0]); q++) {
		for (int variant = 0; variant < 8; variant++) {
			/* one-byte types have no byte order to vary */
			if ((variant & 1) && kinds[q].size == 1)
				continue;
			int big = variant & 1, fortran = (variant >> 1) & 1;
			int major = 1 + (variant >> 2) * 2;	/* 1 or 3 */
			enum spu_dtype t = kinds[q].t;
			int size = kinds[q].size;
			uint8_t data[24 * 8], *file;
			char dict[200];
			struct spu_tensor *x = NULL;
			struct spu_diag d = { "" };
			size_t len;
			int good = 1;

			for (int i = 0; i < 2; i++)
				for (int j = 0; j < 3; j++)
					for (int k = 0; k < 4; k++) {
						int off = fortran ?
						    i + 2 * j + 6 * k :
						    (i * 3 + j) * 4 + k;
						put(data + off * size, t, size,
						    val(t, i, j, k), big);
					}
			snprintf(dict, sizeof(dict),
			    "{'descr': '%c%s', 'fortran_order': %s, "
			    "'shape': (2, 3, 4), }",
			    size == 1 ? '|' : big ? '>' : '<', kinds[q].code,
			    fortran ? "True" : "False");
			file = mknpy(major, dict, data, 24 * (size_t)size,
			    &len);
			if (spu_npy_decode("t.npy", file, len, &x, &d) != 0) {
				ok(0, "npy %s: %s", dict, d.msg);
				free(file);
				continue;
			}
			good = x->dtype == t && x->shape.ndim == 3 &&
			    x->shape.dim[0] == 2 && x->shape.dim[1] == 3 &&
			    x->shape.dim[2] == 4 && x->n == 24;
			for (int i = 0; good && i < 2; i++)
				for (int j = 0; j < 3; j++)
					for (int k = 0; k < 4; k++)
						if (spu_tensor_get_f64(x,
						    (size_t)((i * 3 + j) * 4 + k))
						    != val(t, i, j, k))
							good = 0;
			ok(good, "npy v%d %s%s %s order: values in C order",
			    major, size == 1 ? "|" : big ? ">" : "<",
			    kinds[q].code,
			    fortran ? "Fortran" : "C");
			spu_tensor_free(x);
			free(file);
		}
	}
}

static void
test_npy_roundtrip(void)
{
	for (int t = 0; t < SPU_DTYPE_COUNT; t++) {
		struct spu_shape s = { 2, { 5, 3 } };
		struct spu_tensor *x = spu_tensor_new(t, &s), *y = NULL;
		struct spu_diag d = { "" };
		uint8_t *buf = NULL;
		size_t len = 0;
		int good;

		for (size_t i = 0; i < x->n; i++)
			spu_tensor_set_f64(x, i, t == SPU_PRED ? (double)(i % 2) :
			    spu_dtype_is_float(t) ? (double)i - 7.5 :
			    spu_dtype_is_signed(t) ? (double)i - 7 : (double)i);
		good = spu_npy_encode(x, &buf, &len, &d) == 0 &&
		    len % 64 == x->n * (t == SPU_BF16 ? 4 :
		    spu_dtype_size(t)) % 64 &&
		    spu_npy_decode("rt", buf, len, &y, &d) == 0 &&
		    y->dtype == (t == SPU_BF16 ? SPU_F32 : t) &&
		    spu_shape_eq(&x->shape, &y->shape);
		for (size_t i = 0; good && i < x->n; i++)
			good = spu_tensor_get_f64(x, i) ==
			    spu_tensor_get_f64(y, i);
		ok(good, "npy round trip %s", spu_dtype_name(t));
		/* every proper prefix is rejected */
		for (size_t n = 0; good && n < len; n++) {
			struct spu_tensor *z = NULL;
			if (spu_npy_decode("p", buf, n, &z, &d) == 0) {
				spu_tensor_free(z);
				good = 0;
				diag("prefix %zu accepted", n);
			}
		}
		ok(good, "npy %s: every truncation rejected", spu_dtype_name(t));
		free(buf);
		spu_tensor_free(x);
		spu_tensor_free(y);
	}
}

static int
npy_rejects(const char *why, int major, const char *dict, size_t dlen,
    const char *want)
{
	uint8_t data[64] = { 0 }, *file;
	struct spu_tensor *x = NULL;
	struct spu_diag d = { "" };
	size_t len;
	int err;

	file = mknpy(major, dict, data, dlen, &len);
	err = spu_npy_decode("bad.npy", file, len, &x, &d);
	free(file);
	spu_tensor_free(x);
	return ok(err != 0 && strstr(d.msg, "bad.npy") != NULL &&
	    strstr(d.msg, want) != NULL, "npy rejects %s (%s)", why, d.msg);
}

static void
test_npy_bad(void)
{
	uint8_t junk[32] = "\x93NUMPX\x01\x00\x10\x00";
	struct spu_tensor *x = NULL;
	struct spu_diag d = { "" };
	uint8_t *file;
	size_t len;

	ok(spu_npy_decode("j.npy", junk, sizeof(junk), &x, &d) != 0 &&
	    strstr(d.msg, "magic"), "npy rejects a bad magic");
	file = mknpy(1, "{'descr': '<i4', 'fortran_order': False, "
	    "'shape': (2,), }", "\1\0\0\0\2\0\0\0", 8, &len);
	file[6] = 4;
	ok(spu_npy_decode("v.npy", file, len, &x, &d) == SPU_EVERSION,
	    "npy rejects version 4.0");
	file[6] = 1;
	file[8] = 0xff;		/* header longer than the file */
	ok(spu_npy_decode("v.npy", file, len, &x, &d) != 0 &&
	    strstr(d.msg, "truncated"), "npy rejects an overlong header");
	free(file);
	npy_rejects("complex", 1, "{'descr': '<c8', 'fortran_order': False, "
	    "'shape': (1,), }", 8, "not supported");
	npy_rejects("strings", 1, "{'descr': '<U3', 'fortran_order': False, "
	    "'shape': (1,), }", 12, "not supported");
	npy_rejects("long double", 1, "{'descr': '<f16', 'fortran_order': "
	    "False, 'shape': (1,), }", 16, "not supported");
	npy_rejects("structured", 1, "{'descr': [('a', '<i4')], "
	    "'fortran_order': False, 'shape': (1,), }", 4, "structured");
	npy_rejects("'|' on a wide type", 1, "{'descr': '|i4', "
	    "'fortran_order': False, 'shape': (1,), }", 4, "byte order");
	npy_rejects("an unknown key", 1, "{'descr': '<i4', 'fortran_order': "
	    "False, 'shape': (1,), 'x': 1}", 4, "unexpected key");
	npy_rejects("a missing key", 1, "{'descr': '<i4', 'shape': (1,), }", 4,
	    "missing");
	npy_rejects("a repeated key", 1, "{'descr': '<i4', 'descr': '<i4', "
	    "'fortran_order': False, 'shape': (1,), }", 4, "repeated");
	npy_rejects("a bad fortran_order", 1, "{'descr': '<i4', "
	    "'fortran_order': 0, 'shape': (1,), }", 4, "fortran_order");
	npy_rejects("a negative dimension", 1, "{'descr': '<i4', "
	    "'fortran_order': False, 'shape': (-1,), }", 4, "shape");
	npy_rejects("17 dimensions", 1, "{'descr': '|u1', 'fortran_order': "
	    "False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }", 1,
	    "dimensions");
	npy_rejects("too many elements", 2, "{'descr': '|u1', "
	    "'fortran_order': False, 'shape': (65536, 65536), }", 1,
	    "elements");
	npy_rejects("short data", 1, "{'descr': '<i4', 'fortran_order': "
	    "False, 'shape': (3,), }", 8, "truncated");
	npy_rejects("extra data", 1, "{'descr': '<i4', 'fortran_order': "
	    "False, 'shape': (1,), }", 8, "needs 4");
	npy_rejects("text after the dict", 1, "{'descr': '<i4', "
	    "'fortran_order': False, 'shape': (1,), } x", 4, "after");
	/* Python 2 longs, double quotes, no trailing comma, 0-d */
	file = mknpy(2, "{\"descr\": \"<i2\", \"fortran_order\": False, "
	    "\"shape\": (2L, 1L)}", "\x07\x00\xf9\xff", 4, &len);
	ok(spu_npy_decode("py2", file, len, &x, &d) == 0 && x->n == 2 &&
	    spu_tensor_get_i64(x, 0) == 7 && spu_tensor_get_i64(x, 1) == -7,
	    "npy v2 header with double quotes and 2L");
	spu_tensor_free(x);
	free(file);
	file = mknpy(1, "{'descr': '<f8', 'fortran_order': False, "
	    "'shape': (), }", "\0\0\0\0\0\0\x04\x40", 8, &len);
	ok(spu_npy_decode("0d", file, len, &x, &d) == 0 &&
	    x->shape.ndim == 0 && x->n == 1 && spu_tensor_get_f64(x, 0) == 2.5,
	    "npy 0-d array");
	spu_tensor_free(x);
	free(file);
}

static struct spu_tensor *
csv(const char *text, enum spu_dtype t, struct spu_diag *d)
{
	struct spu_tensor *x = NULL;

	if (spu_csv_decode("in.csv", text, strlen(text), t, &x, d) != 0)
		return NULL;
	return x;
}

static void
test_csv(void)
{
	struct spu_diag d = { "" };
	struct spu_tensor *x;
	char *out = NULL;
	size_t olen = 0;
	FILE *m;

	x = csv("a,b,c\r\n1, 2.5 ,-3\r\n\r\n4,5,6e-1\n", SPU_F64, &d);
	ok(x && x->shape.ndim == 2 && x->shape.dim[0] == 2 &&
	    x->shape.dim[1] == 3 && spu_tensor_get_f64(x, 1) == 2.5 &&
	    spu_tensor_get_f64(x, 5) == 0.6, "csv: header, CRLF, blank line, "
	    "spaces -> f64[2,3]");
	spu_tensor_free(x);
	x = csv("1,2,3\n", SPU_S32, &d);
	ok(x && x->shape.ndim == 1 && x->shape.dim[0] == 3,
	    "csv: one row -> [cols]");
	spu_tensor_free(x);
	x = csv("1\n2\n3\n4", SPU_S32, &d);
	ok(x && x->shape.ndim == 1 && x->shape.dim[0] == 4 &&
	    spu_tensor_get_i64(x, 3) == 4, "csv: one column -> [rows], "
	    "no final newline");
	spu_tensor_free(x);
	x = csv("-128,127,3.0\n", SPU_S8, &d);
	ok(x && spu_tensor_get_i64(x, 0) == -128 &&
	    spu_tensor_get_i64(x, 2) == 3, "csv: s8 limits, integral 3.0");
	spu_tensor_free(x);
	x = csv("18446744073709551615\n", SPU_U64, &d);
	ok(x && ((uint64_t *)x->data)[0] == UINT64_MAX, "csv: u64 max exact");
	spu_tensor_free(x);
	x = csv("true,0,1,false\n", SPU_PRED, &d);
	ok(x && spu_tensor_get_i64(x, 0) == 1 && spu_tensor_get_i64(x, 3) == 0,
	    "csv: pred");
	spu_tensor_free(x);
	ok(csv("1,2\n3\n", SPU_F32, &d) == NULL &&
	    strstr(d.msg, "in.csv:2:") != NULL, "csv: ragged row rejected "
	    "with its line (%s)", d.msg);
	ok(csv("1,2\n3,x\n", SPU_F32, &d) == NULL &&
	    strstr(d.msg, "in.csv:2: field 2") != NULL,
	    "csv: bad field rejected with line and field (%s)", d.msg);
	ok(csv("1\n128\n", SPU_S8, &d) == NULL &&
	    strstr(d.msg, "range") != NULL, "csv: s8 overflow rejected");
	ok(csv("1\n1.5\n", SPU_S32, &d) == NULL, "csv: 1.5 is not an s32");
	ok(csv("x,y\n", SPU_F32, &d) == NULL && strstr(d.msg, "no data"),
	    "csv: header only rejected");
	ok(csv("", SPU_F32, &d) == NULL, "csv: empty input rejected");
	ok(spu_csv_decode("z", "1\0002", 3, SPU_F32, &x, &d) != 0,
	    "csv: NUL byte rejected");

	x = csv("0.1,-2.5\n1e-7,3\n", SPU_F32, &d);
	m = open_memstream(&out, &olen);
	spu_csv_print(m, x);
	fclose(m);
	ok(strcmp(out, "0.1,-2.5\n1e-07,3\n") == 0,
	    "csv print: shortest f32 form, one line per row");
	free(out);
	spu_tensor_free(x);
	{
		struct spu_shape s = { 1, { 3 } };
		struct spu_tensor *y, *z;
		y = spu_tensor_new(SPU_F64, &s);
		spu_tensor_set_f64(y, 0, 0.1);
		spu_tensor_set_f64(y, 1, 1.0 / 3);
		spu_tensor_set_f64(y, 2, -1e300);
		m = open_memstream(&out, &olen);
		spu_csv_print(m, y);
		fclose(m);
		z = csv(out, SPU_F64, &d);
		ok(z && z->n == 3 && memcmp(y->data, z->data, 24) == 0 &&
		    strncmp(out, "0.1\n", 4) == 0,
		    "csv print: f64 one per line, reads back exactly");
		free(out);
		spu_tensor_free(y);
		spu_tensor_free(z);
	}
}

static int
count_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(dp)) != NULL)
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, ".."));
	closedir(dp);
	return n;
}

static void
test_fileio(void)
{
	char path[256], bad[256];
	struct spu_diag d = { "" };
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;

	snprintf(path, sizeof(path), "%s/a.bin", tmpdir);
	ok(spu_write_file_atomic(path, "hello", 5, &d) == 0 &&
	    spu_write_file_atomic(path, "hello, world", 12, &d) == 0,
	    "atomic write, twice");
	ok(spu_read_file(path, &buf, &len, &d) == 0 && len == 12 &&
	    memcmp(buf, "hello, world", 12) == 0, "read back");
	free(buf);
	ok(count_entries(tmpdir) == 1, "no temporary file left behind");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "new files get 0666 less the umask (022)");
	snprintf(bad, sizeof(bad), "%s/nodir/x", tmpdir);
	ok(spu_write_file_atomic(bad, "x", 1, &d) == SPU_EIO &&
	    strstr(d.msg, bad) != NULL, "write into a missing directory "
	    "fails naming the path (%s)", d.msg);
	ok(spu_read_file(bad, &buf, &len, &d) == SPU_EIO &&
	    strstr(d.msg, bad) != NULL, "reading a missing file names it");
	ok(spu_read_file(tmpdir, &buf, &len, &d) == SPU_EIO &&
	    strstr(d.msg, "directory") != NULL, "reading a directory fails");
	ok(spu_write_file_atomic(tmpdir, "x", 1, &d) == SPU_EIO &&
	    count_entries(tmpdir) == 1, "renaming over a directory fails, "
	    "temporary removed");
	unlink(path);
}

int
main(void)
{
	umask(022);
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	test_fileio();
	test_npy_dtypes();
	test_npy_roundtrip();
	test_npy_bad();
	test_csv();
	rmdir(tmpdir);
	return done_testing();
}
