/*
 * ir.c - the HLO IR's memory (an arena per module), opcode names, name
 * lookup, shape helpers, and the per-computation resolution that turns
 * operand names into instruction indices and orders live instructions.
 * Not for attribute values (attr.c) or semantics (vis.c, lower.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlo.h"
#include "mem.h"

struct hlo_arena_blk {
	struct hlo_arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_BLOCK ((size_t)64 << 10)

void *
hlo_alloc(struct hlo_module *m, size_t n, size_t size)
{
	struct hlo_arena_blk *b = m->arena;
	size_t bytes, cap;
	void *p;

	if (size != 0 && n > SPU_MEM_LIMIT / size)
		return NULL;
	bytes = (n * size + 15) & ~(size_t)15;
	if (bytes == 0)
		bytes = 16;
	if (b == NULL || b->cap - b->used < bytes) {
		cap = bytes > ARENA_BLOCK / 4 ? bytes : ARENA_BLOCK;
		if ((b = spu_malloc(1, sizeof(*b) + cap)) == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		if (m->arena != NULL && bytes > ARENA_BLOCK / 4) {
			/* keep filling the current block */
			b->next = m->arena->next;
			m->arena->next = b;
		} else {
			b->next = m->arena;
			m->arena = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += bytes;
	memset(p, 0, bytes);
	return p;
}

char *
hlo_strndup(struct hlo_module *m, const char *s, size_t len)
{
	char *p = hlo_alloc(m, len + 1, 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void
hlo_module_free(struct hlo_module *m)
{
	struct hlo_arena_blk *b, *nb;

	if (m == NULL)
		return;
	for (b = m->arena; b != NULL; b = nb) {
		nb = b->next;
		free(b);
	}
	free(m);
}

static const char *const opnames[] = {
#define HLO_OP_NAME(e, s) s,
	HLO_OPCODE_LIST(HLO_OP_NAME)
#undef HLO_OP_NAME
};

enum hlo_op
hlo_op_lookup(const char *name)
{
	for (int i = 0; i < HLO_UNKNOWN; i++)
		if (strcmp(opnames[i], name) == 0)
			return (enum hlo_op)i;
	return HLO_UNKNOWN;
}

const char *
hlo_op_name(enum hlo_op op)
{
	return (unsigned)op < HLO_UNKNOWN ? opnames[op] : "?";
}

int
hlo_fail(struct spu_diag *d, int err, const char *file, struct hlo_loc loc,
    const char *fmt, ...)
{
	char msg[SPU_DIAG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return spu_fail(d, err, "%s:%u:%u: %s", file, loc.line, loc.col, msg);
}

static uint32_t
strhash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* Open-addressing table of n indices (+1, 0 = empty) keyed by name(i). */
static uint32_t *
name_table(size_t n, uint32_t *capp)
{
	uint32_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	*capp = cap;
	return spu_calloc(cap, sizeof(uint32_t));
}

int
hlo_module_index(struct hlo_module *m, struct spu_diag *d)
{
	uint32_t i, h, *t;

	if ((t = name_table(m->ncomp, &m->hcap)) == NULL)
		return spu_fail(d, SPU_ENOMEM, "%s: out of memory", m->file);
	if ((m->hash = hlo_alloc(m, m->hcap, sizeof(uint32_t))) == NULL) {
		free(t);
		return spu_fail(d, SPU_ENOMEM, "%s: out of memory", m->file);
	}
	free(t);
	for (i = 0; i < m->ncomp; i++) {
		for (h = strhash(m->comp[i].name) & (m->hcap - 1);
		    m->hash[h] != 0; h = (h + 1) & (m->hcap - 1))
			if (strcmp(m->comp[m->hash[h] - 1].name,
			    m->comp[i].name) == 0)
				return hlo_fail(d, SPU_EFORMAT, m->file,
				    m->comp[i].loc, "duplicate computation "
				    "name '%s'", m->comp[i].name);
		m->hash[h] = i + 1;
	}
	return 0;
}

struct hlo_comp *
hlo_comp_find(struct hlo_module *m, const char *name)
{
	uint32_t h;

	if (m->hash == NULL)
		return NULL;
	for (h = strhash(name) & (m->hcap - 1); m->hash[h] != 0;
	    h = (h + 1) & (m->hcap - 1))
		if (strcmp(m->comp[m->hash[h] - 1].name, name) == 0)
			return &m->comp[m->hash[h] - 1];
	return NULL;
}

const struct hlo_shape *
hlo_shape_leaf(const struct hlo_shape *s, uint32_t i)
{
	uint32_t k;

	while (s->tuple) {
		for (k = 0; k < s->nelem; k++) {
			if (i < s->elem[k].nleaves)
				break;
			i -= s->elem[k].nleaves;
		}
		if (k == s->nelem)
			return NULL;
		s = &s->elem[k];
	}
	return i == 0 ? s : NULL;
}

uint32_t
hlo_shape_elem_first_leaf(const struct hlo_shape *s, uint32_t k)
{
	uint32_t i, n = 0;

	for (i = 0; i < k && i < s->nelem; i++)
		n += s->elem[i].nleaves;
	return n;
}

int64_t
hlo_shape_numel(const struct hlo_shape *s)
{
	struct spu_shape sh;

	if (s->tuple || s->overrank || s->dynamic)
		return -1;
	sh.ndim = s->ndim;
	memcpy(sh.dim, s->dim, sizeof(sh.dim));
	return spu_shape_numel(&sh);
}

static size_t
fmt_shape(char *buf, size_t len, size_t o, const struct hlo_shape *s,
    int depth)
{
#define PUT(...) do {							\
		if (o < len)						\
			o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	if (depth > 8) {
		PUT("...");
		return o;
	}
	if (s->tuple) {
		PUT("(");
		for (uint32_t k = 0; k < s->nelem; k++) {
			if (k > 0)
				PUT(", ");
			o = fmt_shape(buf, len, o, &s->elem[k], depth + 1);
		}
		PUT(")");
		return o;
	}
	PUT("%s[", s->dtname != NULL ? s->dtname : "?");
	for (int i = 0; i < s->ndim; i++)
		PUT("%s%lld", i ? "," : "", (long long)s->dim[i]);
	PUT("]");
	return o;
#undef PUT
}

void
hlo_shape_format(char *buf, size_t len, const struct hlo_shape *s)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	fmt_shape(buf, len, 0, s, 0);
}

const struct hlo_attr *
hlo_attr_find(const struct hlo_instr *in, const char *name)
{
	for (uint32_t i = 0; i < in->nattr; i++)
		if (strcmp(in->attr[i].name, name) == 0)
			return &in->attr[i];
	return NULL;
}

/* Depth-first post-order from instruction `from`, appending to order. */
static int
dfs(struct hlo_module *m, struct hlo_comp *c, uint8_t *state,
    uint32_t *stack, uint32_t *opi, uint32_t from, struct spu_diag *d)
{
	uint32_t sp = 0, x, y;

	stack[sp] = from;
	opi[sp++] = 0;
	state[from] = 1;
	while (sp > 0) {
		x = stack[sp - 1];
		if (opi[sp - 1] < c->instr[x].nopnd) {
			y = c->instr[x].opnd[opi[sp - 1]++];
			if (state[y] == 1)
				return hlo_fail(d, SPU_EFORMAT, m->file,
				    c->instr[x].loc, "instruction '%s' "
				    "depends on itself", c->instr[x].name);
			if (state[y] == 0) {
				state[y] = 1;
				stack[sp] = y;
				opi[sp++] = 0;
			}
			continue;
		}
		state[x] = 2;
		c->order[c->norder++] = x;
		sp--;
	}
	return 0;
}

int
hlo_comp_resolve(struct hlo_module *m, struct hlo_comp *c,
    struct spu_diag *d)
{
	uint32_t cap, h, i, k, *tab = NULL, *stack = NULL, *opi = NULL;
	uint8_t *state = NULL, *live;
	struct hlo_instr *in;
	int err = 0, nroot = 0;

	if (c->resolved)
		return 0;
	if ((tab = name_table(c->ninstr, &cap)) == NULL ||
	    (state = spu_calloc(c->ninstr, 2)) == NULL ||
	    (stack = spu_calloc(c->ninstr, sizeof(uint32_t))) == NULL ||
	    (opi = spu_calloc(c->ninstr, sizeof(uint32_t))) == NULL ||
	    (c->order = hlo_alloc(m, c->ninstr, sizeof(uint32_t))) == NULL)
		goto nomem;
	live = state + c->ninstr;
	for (i = 0; i < c->ninstr; i++) {
		in = &c->instr[i];
		for (h = strhash(in->name) & (cap - 1); tab[h] != 0;
		    h = (h + 1) & (cap - 1))
			if (strcmp(c->instr[tab[h] - 1].name, in->name) == 0) {
				err = hlo_fail(d, SPU_EFORMAT, m->file, in->loc,
				    "duplicate instruction name '%s'",
				    in->name);
				goto out;
			}
		tab[h] = i + 1;
		if (in->op == HLO_PARAMETER)
			c->nparams++;
		if (in->is_root) {
			if (nroot++ > 0) {
				err = hlo_fail(d, SPU_EFORMAT, m->file, in->loc,
				    "second ROOT instruction '%s'", in->name);
				goto out;
			}
			c->root = i;
		}
	}
	if (nroot == 0)
		c->root = c->ninstr - 1;
	for (i = 0; i < c->ninstr; i++) {
		in = &c->instr[i];
		for (k = 0; k < in->nopnd; k++) {
			for (h = strhash(in->opnd_name[k]) & (cap - 1);
			    tab[h] != 0; h = (h + 1) & (cap - 1))
				if (strcmp(c->instr[tab[h] - 1].name,
				    in->opnd_name[k]) == 0)
					break;
			if (tab[h] == 0) {
				err = hlo_fail(d, SPU_EFORMAT, m->file,
				    in->opnd_loc[k], "unknown operand '%s' "
				    "in computation '%s'", in->opnd_name[k],
				    c->name);
				goto out;
			}
			in->opnd[k] = tab[h] - 1;
		}
	}
	if ((c->param = hlo_alloc(m, c->nparams ? c->nparams : 1,
	    sizeof(uint32_t))) == NULL)
		goto nomem;
	memset(live, 0, c->ninstr);
	for (i = 0; i < c->ninstr; i++) {
		in = &c->instr[i];
		if (in->op != HLO_PARAMETER)
			continue;
		if (in->param_no >= c->nparams || live[in->param_no]) {
			err = hlo_fail(d, SPU_EFORMAT, m->file, in->loc,
			    "parameter(%lld) of '%s': numbers must be 0..%u, "
			    "each once", (long long)in->param_no, c->name,
			    c->nparams - 1);
			goto out;
		}
		live[in->param_no] = 1;
		c->param[in->param_no] = i;
	}
	/* Live = reachable from the root; order them def-before-use,
	 * otherwise keeping the source order. */
	if ((err = dfs(m, c, state, stack, opi, c->root, d)) != 0)
		goto out;
	memcpy(live, state, c->ninstr);
	memset(state, 0, c->ninstr);
	c->norder = 0;
	for (i = 0; i < c->ninstr; i++)
		if (live[i] && state[i] == 0 &&
		    (err = dfs(m, c, state, stack, opi, i, d)) != 0)
			goto out;
	c->resolved = 1;
	goto out;
nomem:
	err = spu_fail(d, SPU_ENOMEM, "%s: out of memory", m->file);
out:
	free(tab);
	free(state);
	free(stack);
	free(opi);
	return err;
}
