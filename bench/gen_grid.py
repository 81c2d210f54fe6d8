#!/usr/bin/env python3
"""gen_grid.py - write the benchmark grid: one training step per HLO module.

Networks A-D of the SecretFlow-SPU paper's artifact (MNIST shape: 28x28x1
inputs, 10 classes, batch 128) times the optimizers SGD with momentum
(0.01, 0.9), Adam (0.001) and AMSgrad (0.001), softmax cross-entropy loss,
plus the 784-128-10 MLP step with plain SGD used as a micro-benchmark.
Forward, backward (hand-derived, in the ops jax.grad emits: dot, select for
ReLU, select-and-scatter for max pooling, convolutions with swapped
dim_labels for the kernel and input gradients) and the optax update are
printed as HLO text in the form jax.jit(f).lower(...).compiler_ir('hlo')
.as_hlo_text() prints it.  Plain Python 3, no numpy or JAX.

Entry parameters, in order: the network's parameters (per layer W then b;
dense W is [in,out], conv W is HWIO), the optimizer state (SGD: one trace
per parameter; Adam: s32 count, mu per parameter, nu per parameter;
AMSgrad: the same plus nu_max per parameter), then x and the one-hot
labels y.  Results: the updated parameters and state in the same order,
then the loss of the step (computed before the update).  So a step's
outputs minus the last are the next step's leading inputs.

    python3 bench/gen_grid.py [-o DIR] [--batch N]   (default DIR bench/grid)
    python3 bench/gen_grid.py --list                  names of the modules
    python3 bench/gen_grid.py --public MODULE         its public parameters

Adam's step count is public (an MPC deployment counts steps in the clear;
the bias corrections 1 - b^count are then public scalars): compile with
`spu-compile --public N` for each N that --public prints, and share that
input with `spu-share --public`.
"""
import argparse
import os
import sys

BATCH = 128
NETS = {
    # (input shape without batch, layers)
    "A": ((784,), [("dense", 128), ("relu",), ("dense", 128), ("relu",),
                   ("dense", 10)]),
    "B": ((28, 28, 1), [("conv", 16, 5, 1, "VALID"), ("maxpool", 2),
                        ("relu",), ("conv", 16, 5, 1, "VALID"),
                        ("maxpool", 2), ("relu",), ("flatten",),
                        ("dense", 100), ("relu",), ("dense", 10)]),
    "C": ((28, 28, 1), [("conv", 20, 5, 1, "VALID"), ("maxpool", 2),
                        ("relu",), ("conv", 50, 5, 1, "VALID"),
                        ("maxpool", 2), ("relu",), ("flatten",),
                        ("dense", 500), ("relu",), ("dense", 10)]),
    "D": ((28, 28, 1), [("conv", 5, 5, 2, "SAME"), ("relu",), ("flatten",),
                        ("dense", 100), ("relu",), ("dense", 10)]),
    # the micro-benchmark MLP 784-128-10
    "mlp": ((784,), [("dense", 128), ("relu",), ("dense", 10)]),
}
OPTS = {"sgd": ("sgd_momentum", 0.01, 0.9), "adam": ("adam", 0.001),
        "amsgrad": ("amsgrad", 0.001), "plainsgd": ("sgd", 0.01)}
GRID = [(n, o) for n in "ABCD" for o in ("sgd", "adam", "amsgrad")]
EXTRA = [("mlp", "plainsgd")]


def module_name(net, opt):
    return "net%s_%s" % (net, opt) if len(net) == 1 else "%s_%s" % (net, opt)


def parse(module):
    """(net, optimizer) of a module name; KeyError if not in the grid."""
    for n, o in GRID + EXTRA:
        if module_name(n, o) == module:
            return n, o
    raise KeyError(module)


def layout(dims):
    return "{%s}" % ",".join(str(i) for i in reversed(range(len(dims))))


def shape(dtype, dims, lay=None):
    if lay is None:
        lay = layout(dims) if dims else ""
    return "%s[%s]%s" % (dtype, ",".join(str(d) for d in dims), lay)


def flt(x):
    """An f32 literal the way XLA prints it."""
    if x == float("-inf"):
        return "-inf"
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


class Val:
    def __init__(self, name, dims, dtype="f32", lay=None):
        self.name, self.dims, self.dtype = name, list(dims), dtype
        self.lay = lay

    def ty(self):
        return shape(self.dtype, self.dims, self.lay)


class Hlo:
    """Numbers instructions and regions with one counter, as XLA does."""

    def __init__(self, name):
        self.name = name
        self.n = 0
        self.regions = []
        self.body = []
        self.params = []
        self.consts = {}

    def fresh(self, base):
        self.n += 1
        return "%s.%d" % (base, self.n)

    def param(self, dims, dtype="f32"):
        i = len(self.params)
        self.n += 1
        v = Val("Arg_%d.%d" % (i, self.n), dims, dtype)
        self.params.append(v)
        self.body.append("  %s = %s parameter(%d)" % (v.name, v.ty(), i))
        return v

    def op(self, opname, dims, operands, attrs="", dtype="f32", lay=None):
        v = Val(self.fresh(opname), dims, dtype, lay)
        self.body.append("  %s = %s %s(%s)%s" % (
            v.name, v.ty(), opname, ", ".join(o.name for o in operands),
            ", " + attrs if attrs else ""))
        return v

    def const(self, x, dtype="f32"):
        v = Val(self.fresh("constant"), [], dtype)
        lit = flt(x) if dtype == "f32" else str(x)
        self.body.append("  %s = %s[] constant(%s)" % (v.name, dtype, lit))
        return v

    def full(self, x, dims):
        """broadcast of a scalar constant (a fresh pair each time, as JAX
        prints a constant per use site)."""
        c = self.const(x)
        if not dims:
            return c
        return self.op("broadcast", dims, [c], "dimensions={}")

    def region(self, kind, dtype="f32"):
        """A two-argument scalar region: add, maximum, or ge (select)."""
        name = "region_%d.%d" % (len(self.regions), self.n + 1)
        self.n += 1
        a = "Arg_0.%d" % (self.n + 1)
        b = "Arg_1.%d" % (self.n + 2)
        self.n += 2
        if kind == "ge":
            root = "compare.%d = pred[] compare(%s, %s), direction=GE" % (
                self.n + 1, a, b)
        else:
            root = "%s.%d = %s[] %s(%s, %s)" % (kind, self.n + 1, dtype,
                                                kind, a, b)
        self.n += 1
        self.regions.append("%s {\n  %s = %s[] parameter(0)\n"
                            "  %s = %s[] parameter(1)\n  ROOT %s\n}\n" % (
                                name, a, dtype, b, dtype, root))
        return name

    # helpers in the shapes JAX uses
    def add(self, a, b):
        return self.op("add", a.dims, [a, b])

    def sub(self, a, b):
        return self.op("subtract", a.dims, [a, b])

    def mul(self, a, b):
        return self.op("multiply", a.dims, [a, b])

    def div(self, a, b):
        return self.op("divide", a.dims, [a, b])

    def scale(self, a, x):
        return self.mul(a, self.full(x, a.dims))

    def bcast(self, a, dims, keep):
        return self.op("broadcast", dims, [a],
                       "dimensions={%s}" % ",".join(str(k) for k in keep))

    def reduce(self, a, dims, kind="add", init=0.0):
        keep = [d for i, d in enumerate(a.dims) if i not in dims]
        c = self.const(init)
        r = self.region(kind)
        return self.op("reduce", keep, [a, c], "dimensions={%s}, to_apply=%s"
                       % (",".join(str(d) for d in dims), r))

    def text(self, results):
        sig = "(%s)->(%s)" % (", ".join(p.ty() for p in self.params),
                              ", ".join(shape(r.dtype, r.dims)
                                        for r in results))
        out = ["HloModule %s, entry_computation_layout={%s}\n" % (
            self.name, sig)]
        out += self.regions
        root = self.fresh("tuple")
        tys = ", ".join(shape(r.dtype, r.dims) for r in results)
        body = self.body + ["  ROOT %s = (%s) tuple(%s)" % (
            root, tys, ", ".join(r.name for r in results))]
        out.append("ENTRY main.%d {\n%s\n}\n" % (self.n + 1, "\n".join(body)))
        return "\n".join(out)


def conv_out(n, k, stride, pad):
    if pad == "VALID":
        return (n - k) // stride + 1, (0, 0)
    o = -(-n // stride)
    tot = max(0, (o - 1) * stride + k - n)
    return o, (tot // 2, tot - tot // 2)


def param_shapes(insh, layers):
    """[(W dims, b dims)] per parametrised layer, and the shape walk."""
    cur = list(insh)
    ps = []
    for L in layers:
        if L[0] == "dense":
            ps.append(([cur[0], L[1]], [L[1]]))
            cur = [L[1]]
        elif L[0] == "conv":
            o, _ = conv_out(cur[0], L[2], L[3], L[4])
            ps.append(([L[2], L[2], cur[2], L[1]], [L[1]]))
            cur = [o, o, L[1]]
        elif L[0] == "maxpool":
            cur = [cur[0] // L[1], cur[1] // L[1], cur[2]]
        elif L[0] == "flatten":
            n = 1
            for d in cur:
                n *= d
            cur = [n]
    return ps


def build(net, opt, batch=BATCH):
    insh, layers = NETS[net]
    h = Hlo("jit_train_step")
    shapes = param_shapes(insh, layers)
    params = []
    for w, b in shapes:
        params.append(h.param(w))
        params.append(h.param(b))
    kind = OPTS[opt][0]
    state = {}
    if kind in ("sgd_momentum",):
        state["trace"] = [h.param(p.dims) for p in params]
    if kind in ("adam", "amsgrad"):
        state["count"] = h.param([], "s32")
        state["mu"] = [h.param(p.dims) for p in params]
        state["nu"] = [h.param(p.dims) for p in params]
    if kind == "amsgrad":
        state["nu_max"] = [h.param(p.dims) for p in params]
    x = h.param([batch] + list(insh))
    y = h.param([batch, 10])

    # forward, keeping what the backward pass needs
    tape = []
    cur = x
    pi = 0
    for L in layers:
        if L[0] == "dense":
            W, b = params[pi], params[pi + 1]
            pi += 2
            z = h.op("dot", [batch, W.dims[1]], [cur, W],
                     "lhs_contracting_dims={1}, rhs_contracting_dims={0}")
            bb = h.bcast(b, z.dims, [1])
            z = h.add(z, bb)
            tape.append(("dense", cur, W, pi - 2))
            cur = z
        elif L[0] == "conv":
            W, b = params[pi], params[pi + 1]
            pi += 2
            k, stride, pad = L[2], L[3], L[4]
            o, (plo, phi) = conv_out(cur.dims[1], k, stride, pad)
            win = "size=%dx%d" % (k, k)
            if stride != 1:
                win += " stride=%dx%d" % (stride, stride)
            if plo or phi:
                win += " pad=%d_%dx%d_%d" % (plo, phi, plo, phi)
            z = h.op("convolution", [batch, o, o, L[1]], [cur, W],
                     "window={%s}, dim_labels=b01f_01io->b01f" % win)
            bb = h.bcast(b, z.dims, [3])
            z = h.add(z, bb)
            tape.append(("conv", cur, W, pi - 2, stride, (plo, phi), z.dims))
            cur = z
        elif L[0] == "relu":
            zero = h.full(0.0, cur.dims)
            mask = h.op("compare", cur.dims, [cur, zero], "direction=GT",
                        dtype="pred")
            tape.append(("relu", mask))
            cur = h.op("maximum", cur.dims, [cur, zero])
        elif L[0] == "maxpool":
            s = L[1]
            init = h.const(float("-inf"))
            r = h.region("maximum")
            dims = [batch, cur.dims[1] // s, cur.dims[2] // s, cur.dims[3]]
            tape.append(("maxpool", cur, s))
            cur = h.op("reduce-window", dims, [cur, init],
                       "window={size=1x%dx%dx1 stride=1x%dx%dx1}, to_apply=%s"
                       % (s, s, s, s, r))
        elif L[0] == "flatten":
            tape.append(("flatten", cur.dims))
            n = 1
            for d in cur.dims[1:]:
                n *= d
            cur = h.op("reshape", [batch, n], [cur])

    # softmax cross-entropy: -mean(sum(y * log_softmax(logits)))
    logits = cur
    nc = logits.dims[1]
    mx = h.reduce(logits, [1], "maximum", float("-inf"))
    mxb = h.bcast(mx, logits.dims, [0])
    shifted = h.sub(logits, mxb)
    ex = h.op("exponential", logits.dims, [shifted])
    se = h.reduce(ex, [1])
    lse = h.op("log", [batch], [se])
    lsm = h.sub(shifted, h.bcast(lse, logits.dims, [0]))
    ylsm = h.mul(y, lsm)
    tot = h.reduce(ylsm, [0, 1])
    loss = h.op("negate", [], [h.div(tot, h.const(float(batch)))])

    # backward: d loss / d log_softmax = -y / batch
    g_ls = h.scale(y, -1.0 / batch)
    g_sum = h.op("negate", [batch], [h.reduce(g_ls, [1])])
    g_se = h.div(g_sum, se)
    g = h.add(g_ls, h.mul(h.bcast(g_se, logits.dims, [0]), ex))
    del nc

    grads = [None] * len(params)
    for i in range(len(tape) - 1, -1, -1):
        t = tape[i]
        first = i == 0
        if t[0] == "dense":
            _, hin, W, p = t
            gw = h.op("dot", [W.dims[1], W.dims[0]], [g, hin],
                      "lhs_contracting_dims={0}, rhs_contracting_dims={0}")
            gw = h.op("transpose", W.dims, [gw], "dimensions={1,0}",
                      lay="{0,1}")
            grads[p] = gw
            grads[p + 1] = h.reduce(g, [0])
            if not first:
                g = h.op("dot", hin.dims, [g, W],
                         "lhs_contracting_dims={1}, rhs_contracting_dims={1}")
        elif t[0] == "relu":
            g = h.op("select", g.dims, [t[1], g, h.full(0.0, g.dims)])
        elif t[0] == "flatten":
            g = h.op("reshape", t[1], [g])
        elif t[0] == "maxpool":
            _, c, s = t
            init = h.const(0.0)
            rs = h.region("ge")
            ra = h.region("add")
            g = h.op("select-and-scatter", c.dims, [c, g, init],
                     "window={size=1x%dx%dx1 stride=1x%dx%dx1}, select=%s, "
                     "scatter=%s" % (s, s, s, s, rs, ra))
        elif t[0] == "conv":
            _, hin, W, p, stride, (plo, phi), odims = t
            k = W.dims[0]
            n_in, n_out = hin.dims[1], odims[1]
            grads[p + 1] = h.reduce(g, [0, 1, 2])
            # kernel gradient: input (features as batch) * output gradient
            # (as kernel), window = the output's spatial size, dilated by
            # the forward stride (jax _conv_general_vjp_rhs_padding)
            dil = (n_out - 1) * stride + 1
            hi = (dil - n_in) + (k - plo - 1)
            win = "size=%dx%d" % (n_out, n_out)
            if plo or hi:
                win += " pad=%d_%dx%d_%d" % (plo, hi, plo, hi)
            if stride != 1:
                win += " rhs_dilate=%dx%d" % (stride, stride)
            grads[p] = h.op("convolution", W.dims, [hin, g],
                            "window={%s}, dim_labels=f01b_i01o->01bf" % win)
            if not first:
                # input gradient: output gradient * reversed kernel with
                # in/out swapped (jax _conv_general_vjp_lhs_padding)
                before = k - plo - 1
                after = n_in + k - 1 - dil - before
                rev = h.op("reverse", W.dims, [W], "dimensions={0,1}")
                win = "size=%dx%d pad=%d_%dx%d_%d" % (k, k, before, after,
                                                      before, after)
                if stride != 1:
                    win += " lhs_dilate=%dx%d" % (stride, stride)
                g = h.op("convolution", hin.dims, [g, rev],
                         "window={%s}, dim_labels=b01f_01oi->b01f" % win)

    # optimizer (optax)
    outs = []
    if kind == "sgd":
        for p, gr in zip(params, grads):
            outs.append(h.add(p, h.scale(gr, -OPTS[opt][1])))
        return h.text(outs + [loss])
    if kind == "sgd_momentum":
        lr, mom = OPTS[opt][1], OPTS[opt][2]
        newp, newt = [], []
        for p, gr, tr in zip(params, grads, state["trace"]):
            t2 = h.add(gr, h.scale(tr, mom))
            newt.append(t2)
            newp.append(h.add(p, h.scale(t2, -lr)))
        return h.text(newp + newt + [loss])
    lr, b1, b2, eps = OPTS[opt][1], 0.9, 0.999, 1e-8
    cnt = state["count"]
    cnt2 = h.op("add", [], [cnt, h.const(1, "s32")], dtype="s32")
    cf = h.op("convert", [], [cnt2])
    bc1 = h.sub(h.const(1.0), h.op("power", [], [h.const(b1), cf]))
    bc2 = h.sub(h.const(1.0), h.op("power", [], [h.const(b2), cf]))
    newp, newm, newv, newx = [], [], [], []
    for i, (p, gr) in enumerate(zip(params, grads)):
        m = h.add(h.scale(gr, 1 - b1), h.scale(state["mu"][i], b1))
        v = h.add(h.scale(h.mul(gr, gr), 1 - b2),
                  h.scale(state["nu"][i], b2))
        mh = h.div(m, h.bcast(bc1, m.dims, []))
        vh = h.div(v, h.bcast(bc2, v.dims, []))
        if kind == "amsgrad":
            vh = h.op("maximum", v.dims, [state["nu_max"][i], vh])
            newx.append(vh)
        den = h.add(h.op("sqrt", v.dims, [h.add(vh, h.full(0.0, v.dims))]),
                    h.full(eps, v.dims))
        u = h.div(mh, den)
        newp.append(h.add(p, h.scale(u, -lr)))
        newm.append(m)
        newv.append(v)
    return h.text(newp + [cnt2] + newm + newv + newx + [loss])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "grid"))
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--public", metavar="MODULE")
    a = ap.parse_args()
    mods = GRID + EXTRA
    if a.public:
        net, opt = parse(a.public)
        if OPTS[opt][0] in ("adam", "amsgrad"):
            print(2 * len(param_shapes(*NETS[net])))
        return 0
    if a.list:
        for n, o in mods:
            print(module_name(n, o))
        return 0
    os.makedirs(a.output, exist_ok=True)
    for n, o in mods:
        path = os.path.join(a.output, module_name(n, o) + ".hlo.txt")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(build(n, o, a.batch))
        os.replace(tmp, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
