/*
 * progress.c - spu-run --progress: draw the VM's progress reports as a
 * one-line bar on a terminal, redrawn at most ten times a second.
 *
 * While the entry function runs a while loop whose trip count can be
 * read off its condition (a counter compared with a constant, which is
 * what lax.fori_loop and lax.scan give), the bar counts that loop's
 * iterations; otherwise it counts the entry function's instructions.
 * The estimate of the time left is the elapsed time per unit so far.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define BAR_WIDTH 24
#define REDRAW_SECONDS 0.1
/* counters and bounds beyond this are no loop anyone waits for */
#define BOUND ((int64_t)1 << 60)

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
progress_init(struct progress *pg, FILE *f, const struct spu_program *p,
    int party)
{
	memset(pg, 0, sizeof(*pg));
	pg->f = f;
	pg->prog = p;
	pg->party = party;
	pg->t0 = now();
	if (f == NULL || !isatty(fileno(f)))
		return -1;
	return 0;
}

void
progress_attach(struct progress *pg, struct spu_mpc *m)
{
	pg->field = m->field;
	pg->t0 = now();
	m->progress = progress_report;
	m->progress_arg = pg;
}

/* The instruction of function fn that writes slot s, NULL if none. */
static const struct spu_insn *
writer(const struct spu_func *fn, uint32_t s)
{
	for (uint32_t pc = 0; pc < fn->ninsns; pc++)
		for (uint32_t o = 0; o < fn->insns[pc].nout; o++)
			if (fn->insns[pc].out[o] == s)
				return &fn->insns[pc];
	return NULL;
}

static int
is_int_scalar(const struct spu_type *t)
{
	return t->shape.ndim == 0 && !spu_dtype_is_float(t->dtype) &&
	    t->dtype != SPU_PRED;
}

uint64_t
progress_loop_total(const struct spu_program *p, const struct spu_insn *loop,
    struct spu_value *const *state, unsigned field)
{
	const struct spu_func *cf;
	const struct spu_insn *cmp, *a, *b;
	const struct spu_attr *idx;
	int64_t v, c, left;
	enum spu_op op;

	if (p == NULL || loop == NULL || state == NULL ||
	    loop->op != SPU_OP_WHILE || loop->nfunc < 1 ||
	    loop->func[0] >= p->nfuncs)
		return 0;
	cf = &p->funcs[loop->func[0]];
	if (cf->nouts != 1 || (cmp = writer(cf, cf->outs[0])) == NULL ||
	    cmp->nin != 2)
		return 0;
	op = cmp->op;
	a = writer(cf, cmp->in[0]);
	b = writer(cf, cmp->in[1]);
	if (a == NULL || b == NULL)
		return 0;
	if (a->op == SPU_OP_CONST && b->op == SPU_OP_PARAM) {
		/* C op x is x op' C with the comparison mirrored */
		const struct spu_insn *t = a;
		a = b;
		b = t;
		op = op == SPU_OP_LT ? SPU_OP_GT : op == SPU_OP_GT ? SPU_OP_LT :
		    op == SPU_OP_LE ? SPU_OP_GE : op == SPU_OP_GE ? SPU_OP_LE :
		    op;
	}
	if (a->op != SPU_OP_PARAM || b->op != SPU_OP_CONST ||
	    a->nout != 1 || b->nout != 1 || !is_int_scalar(&a->type[0]) ||
	    !is_int_scalar(&b->type[0]) || b->lit_i == NULL)
		return 0;
	idx = spu_insn_attr(a, SPU_ATTR_INDEX);
	if (idx == NULL || idx->n != 1 || idx->v[0] < 0 ||
	    (uint64_t)idx->v[0] >= loop->nin || state[idx->v[0]] == NULL)
		return 0;
	{
		const struct spu_value *x = state[idx->v[0]];
		if (x->vis != SPU_PUBLIC || x->n != 1 || x->field != field ||
		    spu_dtype_is_float(x->dtype))
			return 0;
		v = (int64_t)spu_ring_get_signed(field, x->share[0], 0);
	}
	c = b->lit_i[0];
	if (c > BOUND || c < -BOUND || v > BOUND || v < -BOUND)
		return 0;
	switch (op) {
	case SPU_OP_LT:
		left = c - v;
		break;
	case SPU_OP_LE:
		left = c - v + 1;
		break;
	case SPU_OP_GT:
		left = v - c;
		break;
	case SPU_OP_GE:
		left = v - c + 1;
		break;
	case SPU_OP_NE:
		left = c > v ? c - v : v - c;
		break;
	default:
		return 0;
	}
	return left > 0 ? (uint64_t)left : 0;
}

static void
fmt_time(char *buf, size_t len, double s)
{
	long t = s < 0 ? 0 : s > 359999 ? 359999 : (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
		    t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void
draw(struct progress *pg, double t)
{
	char bar[BAR_WIDTH + 1], el[48], eta[48], line[200];
	uint64_t done, total;
	const char *unit;
	double start;
	int n, fill;

	if (pg->loop != NULL) {
		done = pg->it;
		total = pg->total;
		unit = "iterations";
		start = pg->loop_t0;
	} else {
		done = pg->pc;
		total = pg->ninsns;
		unit = "instructions";
		start = pg->t0;
	}
	if (total != 0 && done > total)
		total = 0;
	fmt_time(el, sizeof(el), t - pg->t0);
	if (total == 0) {
		n = snprintf(line, sizeof(line), "party %d: %llu %s, %s "
		    "elapsed", pg->party, (unsigned long long)done, unit, el);
	} else {
		fill = (int)(done * BAR_WIDTH / total);
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
		bar[BAR_WIDTH] = '\0';
		if (done > 0)
			fmt_time(eta, sizeof(eta), (t - start) / (double)done *
			    (double)(total - done));
		else
			snprintf(eta, sizeof(eta), "?");
		n = snprintf(line, sizeof(line), "party %d: [%s] %llu/%llu %s, "
		    "%s elapsed, %s left", pg->party, bar,
		    (unsigned long long)done, (unsigned long long)total, unit,
		    el, eta);
	}
	if (n < 0)
		return;
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	/* pad over what the previous line left on the screen */
	fprintf(pg->f, "\r%s%*s", line, pg->width > n ? pg->width - n : 0, "");
	fflush(pg->f);
	pg->width = n;
	pg->drawn = 1;
	pg->last = t;
}

void
progress_report(void *arg, const struct spu_insn *loop, uint64_t done,
    uint64_t total, struct spu_value *const *state)
{
	struct progress *pg = arg;
	double t;

	if (loop == NULL) {
		/* the entry function moved on: any loop it ran is over */
		pg->pc = done;
		pg->ninsns = total;
		pg->loop = NULL;
	} else if (pg->loop == NULL && done == 0) {
		pg->total = total ? total : progress_loop_total(pg->prog, loop,
		    state, pg->field);
		if (pg->total == 0)
			return;		/* unknown trip count: keep counting
					 * instructions */
		pg->loop = loop;
		pg->it = 0;
		pg->loop_t0 = now();
	} else if (loop == pg->loop) {
		pg->it = done;
	} else {
		return;			/* an inner loop */
	}
	t = now();
	if (pg->drawn && t - pg->last < REDRAW_SECONDS)
		return;
	draw(pg, t);
}

void
progress_finish(struct progress *pg)
{
	if (pg->f == NULL || !pg->drawn)
		return;
	if (pg->loop != NULL)
		pg->it = pg->total;
	else
		pg->pc = pg->ninsns;
	draw(pg, now());
	fputc('\n', pg->f);
	fflush(pg->f);
	pg->drawn = 0;
}
