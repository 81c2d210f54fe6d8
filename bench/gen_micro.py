#!/usr/bin/env python3
"""gen_micro.py - HLO text and inputs of the micro-benchmarks.

Each program is one op on secret inputs, in the form JAX prints it:
  matmul N     f32[N,N] . f32[N,N]                  (jnp.dot)
  mul N        f32[N] * f32[N]                      (x * y)
  less N       f32[N] < f32[N] -> pred[N]           (x < y)
  relu N       max(f32[N], 0)                       (jax.nn.relu)
  exp N        exponential                          (jnp.exp)
  recip N      1 / f32[N]                           (1 / x)
  sigmoid N    logistic                             (jax.nn.sigmoid)
  rsqrt N      rsqrt                                (jax.lax.rsqrt)
  logreg B F   one logistic-regression SGD step, batch B, F features
               (w f32[F], b f32[], x f32[B,F], y f32[B]; lr 0.1)
  logregloop B F  ten such steps in a while loop (jax.lax.fori_loop),
               step i on batch i of x f32[10,B,F], y f32[10,B]: the
               cost of a step inside a training run, start-up excluded
Inputs are written as .npy in a range where the op is accurate (exp on
[-2, 2], reciprocal and rsqrt on [0.5, 4], sigmoid on [-4, 4], the rest on
[-1, 1]; logreg: x in [0, 1), y in {0, 1}).  Plain Python 3.

    python3 bench/gen_micro.py DIR KIND N [F]
writes DIR/KIND_N.hlo.txt and DIR/KIND_N.in.I.npy (one per parameter) and
prints the program's name (KIND_N).
"""
import os
import random
import sys

sys.dont_write_bytecode = True       # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grid_data  # noqa: E402

UNARY = {"exp": ("exponential", -2.0, 2.0),
         "sigmoid": ("logistic", -4.0, 4.0),
         "rsqrt": ("rsqrt", 0.5, 4.0),
         "recip": (None, 0.5, 4.0),
         "relu": (None, -1.0, 1.0)}


def header(name, params, results):
    return "HloModule %s, entry_computation_layout={(%s)->%s}\n\n" % (
        name, ", ".join(params), results)


def lay(n):
    return "{%s}" % ",".join(str(i) for i in reversed(range(n)))


def program(kind, n, f):
    if kind == "matmul":
        t = "f32[%d,%d]" % (n, n)
        return header("jit_matmul", [t + "{1,0}"] * 2, t + "{1,0}") + (
            "ENTRY main.4 {\n"
            "  Arg_0.1 = %s{1,0} parameter(0)\n"
            "  Arg_1.2 = %s{1,0} parameter(1)\n"
            "  ROOT dot.3 = %s{1,0} dot(Arg_0.1, Arg_1.2), "
            "lhs_contracting_dims={1}, rhs_contracting_dims={0}\n}\n"
            % (t, t, t)), [[n, n], [n, n]]
    t = "f32[%d]{0}" % n
    if kind in ("mul", "less"):
        rt = "pred[%d]{0}" % n if kind == "less" else t
        op = "compare.3 = %s compare(Arg_0.1, Arg_1.2), direction=LT" % rt \
            if kind == "less" else \
            "multiply.3 = %s multiply(Arg_0.1, Arg_1.2)" % rt
        return header("jit_" + kind, [t, t], rt) + (
            "ENTRY main.4 {\n  Arg_0.1 = %s parameter(0)\n"
            "  Arg_1.2 = %s parameter(1)\n  ROOT %s\n}\n" % (t, t, op)), \
            [[n], [n]]
    if kind == "relu":
        body = ("  constant.2 = f32[] constant(0)\n"
                "  broadcast.3 = %s broadcast(constant.2), dimensions={}\n"
                "  ROOT maximum.4 = %s maximum(Arg_0.1, broadcast.3)\n"
                % (t, t))
    elif kind == "recip":
        body = ("  constant.2 = f32[] constant(1)\n"
                "  broadcast.3 = %s broadcast(constant.2), dimensions={}\n"
                "  ROOT divide.4 = %s divide(broadcast.3, Arg_0.1)\n"
                % (t, t))
    elif kind in UNARY:
        body = "  ROOT %s.2 = %s %s(Arg_0.1)\n" % (UNARY[kind][0], t,
                                                    UNARY[kind][0])
    elif kind == "logreg":
        return logreg(n, f)
    elif kind == "logregloop":
        return logreg_loop(n, f, LOOP_STEPS)
    else:
        raise KeyError(kind)
    return header("jit_" + kind, [t], t) + (
        "ENTRY main.5 {\n  Arg_0.1 = %s parameter(0)\n%s}\n" % (t, body)), \
        [[n]]


def logreg(b, f):
    """w -= lr * x^T (sigmoid(x w + c) - y) / b; c -= lr * mean(...)."""
    w, x, y = "f32[%d]{0}" % f, "f32[%d,%d]{1,0}" % (b, f), \
        "f32[%d]{0}" % b
    s = header("jit_logreg_step", [w, "f32[]", x, y],
               "(%s, f32[])" % w)
    s += ("region_0.1 {\n  Arg_0.2 = f32[] parameter(0)\n"
          "  Arg_1.3 = f32[] parameter(1)\n"
          "  ROOT add.4 = f32[] add(Arg_0.2, Arg_1.3)\n}\n\n")
    s += ("ENTRY main.30 {\n"
          "  Arg_0.5 = %(w)s parameter(0)\n"
          "  Arg_1.6 = f32[] parameter(1)\n"
          "  Arg_2.7 = %(x)s parameter(2)\n"
          "  Arg_3.8 = %(y)s parameter(3)\n"
          "  dot.9 = %(y)s dot(Arg_2.7, Arg_0.5), lhs_contracting_dims={1}, "
          "rhs_contracting_dims={0}\n"
          "  broadcast.10 = %(y)s broadcast(Arg_1.6), dimensions={}\n"
          "  add.11 = %(y)s add(dot.9, broadcast.10)\n"
          "  logistic.12 = %(y)s logistic(add.11)\n"
          "  subtract.13 = %(y)s subtract(logistic.12, Arg_3.8)\n"
          "  constant.14 = f32[] constant(%(s)r)\n"
          "  broadcast.15 = %(y)s broadcast(constant.14), dimensions={}\n"
          "  multiply.16 = %(y)s multiply(subtract.13, broadcast.15)\n"
          "  dot.17 = %(w)s dot(multiply.16, Arg_2.7), "
          "lhs_contracting_dims={0}, rhs_contracting_dims={0}\n"
          "  subtract.18 = %(w)s subtract(Arg_0.5, dot.17)\n"
          "  constant.19 = f32[] constant(0)\n"
          "  reduce.20 = f32[] reduce(multiply.16, constant.19), "
          "dimensions={0}, to_apply=region_0.1\n"
          "  subtract.21 = f32[] subtract(Arg_1.6, reduce.20)\n"
          "  ROOT tuple.22 = (%(w)s, f32[]) tuple(subtract.18, "
          "subtract.21)\n}\n") % {"w": w, "x": x, "y": y, "s": 0.1 / b}
    return s, [[f], [], [b, f], [b]]


LOOP_STEPS = 10


def logreg_loop(b, f, steps):
    """The step of logreg() as the body of a fori_loop over batches."""
    w, x, y = "f32[%d]{0}" % f, "f32[%d,%d]{1,0}" % (b, f), \
        "f32[%d]{0}" % b
    xs, ys = "f32[%d,%d,%d]{2,1,0}" % (steps, b, f), \
        "f32[%d,%d]{1,0}" % (steps, b)
    st = "(s32[], %s, f32[], %s, %s)" % (w, xs, ys)
    d = {"w": w, "x": x, "y": y, "xs": xs, "ys": ys, "st": st,
         "s": 0.1 / b, "b": b, "f": f, "n": steps}
    s = header("jit_logreg_loop", [w, "f32[]", xs, ys], "(%s, f32[])" % w)
    s += ("region_0.1 {\n  Arg_0.2 = f32[] parameter(0)\n"
          "  Arg_1.3 = f32[] parameter(1)\n"
          "  ROOT add.4 = f32[] add(Arg_0.2, Arg_1.3)\n}\n\n")
    s += ("body.5 {\n"
          "  arg_tuple.6 = %(st)s parameter(0)\n"
          "  i.7 = s32[] get-tuple-element(arg_tuple.6), index=0\n"
          "  w.8 = %(w)s get-tuple-element(arg_tuple.6), index=1\n"
          "  c.9 = f32[] get-tuple-element(arg_tuple.6), index=2\n"
          "  xs.10 = %(xs)s get-tuple-element(arg_tuple.6), index=3\n"
          "  ys.11 = %(ys)s get-tuple-element(arg_tuple.6), index=4\n"
          "  zero.12 = s32[] constant(0)\n"
          "  dynamic-slice.13 = f32[1,%(b)d,%(f)d]{2,1,0} "
          "dynamic-slice(xs.10, i.7, zero.12, zero.12), "
          "dynamic_slice_sizes={1,%(b)d,%(f)d}\n"
          "  x.14 = %(x)s reshape(dynamic-slice.13)\n"
          "  dynamic-slice.15 = f32[1,%(b)d]{1,0} "
          "dynamic-slice(ys.11, i.7, zero.12), "
          "dynamic_slice_sizes={1,%(b)d}\n"
          "  y.16 = %(y)s reshape(dynamic-slice.15)\n"
          "  dot.17 = %(y)s dot(x.14, w.8), lhs_contracting_dims={1}, "
          "rhs_contracting_dims={0}\n"
          "  broadcast.18 = %(y)s broadcast(c.9), dimensions={}\n"
          "  add.19 = %(y)s add(dot.17, broadcast.18)\n"
          "  logistic.20 = %(y)s logistic(add.19)\n"
          "  subtract.21 = %(y)s subtract(logistic.20, y.16)\n"
          "  constant.22 = f32[] constant(%(s)r)\n"
          "  broadcast.23 = %(y)s broadcast(constant.22), dimensions={}\n"
          "  multiply.24 = %(y)s multiply(subtract.21, broadcast.23)\n"
          "  dot.25 = %(w)s dot(multiply.24, x.14), "
          "lhs_contracting_dims={0}, rhs_contracting_dims={0}\n"
          "  subtract.26 = %(w)s subtract(w.8, dot.25)\n"
          "  constant.27 = f32[] constant(0)\n"
          "  reduce.28 = f32[] reduce(multiply.24, constant.27), "
          "dimensions={0}, to_apply=region_0.1\n"
          "  subtract.29 = f32[] subtract(c.9, reduce.28)\n"
          "  one.30 = s32[] constant(1)\n"
          "  add.31 = s32[] add(i.7, one.30)\n"
          "  ROOT tuple.32 = %(st)s tuple(add.31, subtract.26, "
          "subtract.29, xs.10, ys.11)\n}\n\n"
          "cond.33 {\n"
          "  arg_tuple.34 = %(st)s parameter(0)\n"
          "  i.35 = s32[] get-tuple-element(arg_tuple.34), index=0\n"
          "  n.36 = s32[] constant(%(n)d)\n"
          "  ROOT compare.37 = pred[] compare(i.35, n.36), direction=LT\n"
          "}\n\n"
          "ENTRY main.38 {\n"
          "  Arg_0.39 = %(w)s parameter(0)\n"
          "  Arg_1.40 = f32[] parameter(1)\n"
          "  Arg_2.41 = %(xs)s parameter(2)\n"
          "  Arg_3.42 = %(ys)s parameter(3)\n"
          "  constant.43 = s32[] constant(0)\n"
          "  tuple.44 = %(st)s tuple(constant.43, Arg_0.39, Arg_1.40, "
          "Arg_2.41, Arg_3.42)\n"
          "  while.45 = %(st)s while(tuple.44), condition=cond.33, "
          "body=body.5\n"
          "  w.46 = %(w)s get-tuple-element(while.45), index=1\n"
          "  c.47 = f32[] get-tuple-element(while.45), index=2\n"
          "  ROOT tuple.48 = (%(w)s, f32[]) tuple(w.46, c.47)\n}\n") % d
    return s, [[f], [], [steps, b, f], [steps, b]]


def data(kind, dims, rng):
    out = []
    for i, d in enumerate(dims):
        n = grid_data.numel(d)
        if kind in ("logreg", "logregloop"):
            if i == 2:
                v = [rng.random() for _ in range(n)]
            elif i == 3:
                v = [float(rng.random() < 0.5) for _ in range(n)]
            else:
                v = [0.0] * n
        else:
            lo, hi = UNARY.get(kind, (None, -1.0, 1.0))[1:]
            v = [lo + (hi - lo) * rng.random() for _ in range(n)]
        out.append((d, v))
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write("usage: gen_micro.py DIR KIND N [F]\n")
        return 2
    d, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    f = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    name = "%s_%d" % (kind, n) if kind not in ("logreg", "logregloop") \
        else "logreg_%dx%d" % (n, f) + \
        ("_loop%d" % LOOP_STEPS if kind == "logregloop" else "")
    text, dims = program(kind, n, f)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".hlo.txt.tmp"), "w") as fp:
        fp.write(text)
    os.replace(os.path.join(d, name + ".hlo.txt.tmp"),
               os.path.join(d, name + ".hlo.txt"))
    rng = random.Random(n * 31 + len(kind))
    for i, (dd, v) in enumerate(data(kind, dims, rng)):
        grid_data.write_npy(os.path.join(d, "%s.in.%d.npy" % (name, i)),
                            dd, v)
    print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
