#!/usr/bin/env python3
"""cost_model.py - protocol minimum bytes and rounds of an HLO program.

Walks an HLO module (as JAX prints it) and charges every op on secret
values the online cost of SecretFlow-SPU's algorithm for it, from the
per-primitive formulas of docs/protocols.md (2.10 semi2k, 3.8 aby3; the
compositions of section 5 for the non-linear functions).  Bytes are those
the busiest party sends, per element, summed; rounds are counted op by op
(each op waits for the previous one, as an op-at-a-time runtime runs them)
and, separately, along the longest dependency path (what a scheduler that
overlaps independent ops could reach).  Two set-up rounds (handshake and
seed agreement) are added, as every spu-run has them.

Primitive costs (K = k/8 bytes, L = log2 k, f = fraction bits):
  aby3:   mul K, 1r | matmul K*m*n, 1r | trunc (TruncAPr2) K+4, 2r |
          MSB 2K + packed carry tree, 2+L r | bit x value (MulA1B, two OTs)
          3K, 2r | A2B (2+2L)K, 2+L r | AND (k bits) K, 1r |
          B2A (1 bit, OT) 2K, 2r | B2A (n > 8 bits, adder) (4+2L)K, 4+L r
  semi2k: mul 2K, 1r | square K, 1r | matmul K(mk+kn), 1r | trunc
          (TruncAPr2, f <= 32) 4, 1r | MSB 2K + 2x(packed carry tree), 1+L r
          | MulA1B 2K, 1r | A2B (1+2L)2K, 1+L r | AND 2K, 1r |
          B2A (Randbit) bytes(backtype(n)), 1r
A convolution is charged as a matmul whose operands are the convolution's
own (semi2k opens the input and the kernel once, a convolution triple, not
the im2col patches).  Non-linear functions follow SPU's defaults
(protocols.md 5.10): exp Taylor with 8 squarings, reciprocal and division
Goldschmidt with 2 iterations, rsqrt 5.7, sqrt = rsqrt + one Newton step,
log minimax, sigmoid 1/(1+exp(-x)), max and ReLU = MSB + select, reduce and
reduce-window max as log-depth trees of max, select-and-scatter (max-pool
gradient, non-overlapping windows of w elements) as the comparison tree
plus scattering the source down it with one select per tree edge.

    python3 bench/cost_model.py [--protocol aby3|semi2k] [--field 64|128]
        [--fxp F] [--public N]... [--ops] FILE.hlo.txt
prints "bytes B rounds R depth D" (and, with --ops, the peak bytes of
values alive at once on a party and the cost per op kind).
"""
import argparse
import math
import re
import sys


class Cost:
    """(bytes per party, rounds) with sequential and parallel sums."""

    def __init__(self, b=0.0, r=0):
        self.b, self.r = float(b), int(r)

    def __add__(self, o):          # one after the other
        return Cost(self.b + o.b, self.r + o.r)

    def par(self, o):              # side by side
        return Cost(self.b + o.b, max(self.r, o.r))

    def __mul__(self, n):          # n elements, same rounds
        return Cost(self.b * n, self.r)


def backtype(nbits):
    for w in (8, 16, 32, 64, 128):
        if nbits <= w:
            return w // 8
    return 16


class Proto:
    def __init__(self, name, k, f, cmp_bits=0):
        self.name, self.k, self.f = name, k, f
        self.K = k // 8
        self.L = int(math.log2(k))
        self.aby3 = name == "aby3"
        # spu-run --compare-bits: the comparisons' width
        self.ck = cmp_bits if 0 < cmp_bits < k else k

    def carry_tree(self, bits=None):
        """AND traffic of carry_a2b after the first AND (packed)."""
        w, s = (bits or self.k) // 2, 0
        while w >= 1:
            s += 2 * backtype(w)
            w //= 2
        return s

    # primitives, per element
    def mul(self):
        return Cost(self.K, 1) if self.aby3 else Cost(2 * self.K, 1)

    def square(self):
        return Cost(self.K, 1)

    def trunc(self):
        return Cost(self.K + 4, 2) if self.aby3 else Cost(4, 1)

    def fmul(self):
        return self.mul() + self.trunc()

    def fsquare(self):
        return self.square() + self.trunc()

    def msb(self, bits=None):
        """Sign over `bits` (the ring): the adder's operands and ANDs
        shrink with it, aby3's B2A to a ring word does not."""
        bits = bits or self.k
        kb, lg = bits / 8.0, int(math.ceil(math.log2(bits)))
        if self.aby3:
            return Cost(kb + self.K + self.carry_tree(bits), 2 + lg)
        return Cost(2 * kb + 2 * self.carry_tree(bits), 1 + lg)

    def cmp_msb(self):
        """The sign of a comparison of floats (--compare-bits)."""
        return self.msb(self.ck)

    def mux(self):
        return Cost(3 * self.K, 2) if self.aby3 else Cost(2 * self.K, 1)

    def a2b(self):
        if self.aby3:
            return Cost((2 + 2 * self.L) * self.K, 2 + self.L)
        return Cost((1 + 2 * self.L) * 2 * self.K, 1 + self.L)

    def andk(self):
        return Cost(self.K, 1) if self.aby3 else Cost(2 * self.K, 1)

    def b2a(self, nbits):
        if self.aby3:
            if nbits <= 8:
                return Cost(2 * self.K, 2)
            return Cost((4 + 2 * self.L) * self.K, 4 + self.L)
        return Cost(backtype(nbits), 1)

    # compositions (protocols.md section 5)
    def relu(self):
        return self.cmp_msb() + self.mux()

    def hob(self):
        """highestOneBit: A2B, prefix-or (L ANDs)."""
        c = self.a2b()
        for _ in range(self.L):
            c = c + self.andk()
        return c

    def exp(self):
        c = self.trunc()
        for _ in range(8):
            c = c + self.fsquare()
        return c

    def recip(self, divide=False):
        c = self.msb() + self.b2a(1) + self.mul()          # sign, |b|
        c = c + self.hob() + self.b2a(2 * self.f)          # factor
        c = c + self.fmul() + self.fmul()                  # c, e
        c = c + self.fmul().par(self.fsquare())            # iteration 1
        c = c + self.fmul()                                # iteration 2
        if divide:
            c = c + self.fmul()                            # times a
        return c + self.fmul() + self.mul()                # factor, sign

    def rsqrt(self):
        c = self.hob() + self.b2a(2 * self.f) + self.fmul()  # u
        poly = self.fsquare() + self.fmul().par(self.fmul()) + \
            self.trunc()
        comp = self.b2a(self.f).par(self.b2a(1)) + self.mul()
        return c + poly.par(comp) + self.fmul()

    def sqrt(self):
        y = self.rsqrt()
        return y + self.fmul().par(self.trunc()) + self.fmul() + \
            self.fmul()

    def log(self):
        c = self.hob().par(Cost(0, 0))
        c = c + self.b2a(2 * self.f + 2).par(self.b2a(2 * self.f + 1))
        c = c + self.fmul()
        poly = self.fsquare() + self.fmul().par(self.fmul()) + \
            self.fmul() + self.trunc()
        return c + poly.par(self.trunc())

    def sigmoid(self):
        return self.exp() + self.recip()

    def max_tree(self, n):
        """max over n elements: (n-1) max ops in ceil(log2 n) levels."""
        c, m = Cost(), n
        while m > 1:
            c = c + self.relu() * (m // 2)
            m = m - m // 2
        return c


SHAPE = re.compile(r"(\w+)\[([0-9,]*)\]")
INSN = re.compile(r"^\s*(ROOT\s+)?(%?[\w.\-]+)\s*=\s*(.*?)\s+([a-z][\w\-]*)"
                  r"\((.*?)\)(, .*)?$")


def dims_of(ty):
    m = SHAPE.search(ty)
    if not m:
        return "tuple", []
    return m.group(1), [int(d) for d in m.group(2).split(",") if d]


def numel(d):
    n = 1
    for x in d:
        n *= x
    return n


def parse(text):
    """{computation: [insn dict]}, entry name."""
    comps, cur, entry = {}, None, None
    for line in text.splitlines():
        s = line.strip()
        if s.endswith("{") and "=" not in s.split("{")[0]:
            head = s.split()[0] if not s.startswith("ENTRY") else \
                s.split()[1]
            cur = head.lstrip("%")
            comps[cur] = []
            if s.startswith("ENTRY"):
                entry = cur
            continue
        if s == "}":
            cur = None
            continue
        if cur is None:
            continue
        m = INSN.match(line)
        if not m:
            continue
        name, ty, op, args, attrs = m.group(2).lstrip("%"), m.group(3), \
            m.group(4), m.group(5), m.group(6) or ""
        dt, d = dims_of(ty)
        ops = [a.strip().split()[-1].lstrip("%") for a in args.split(",")
               if a.strip()] if op not in ("parameter", "constant") else []
        comps[cur].append({"name": name, "op": op, "dtype": dt, "dims": d,
                           "ops": ops, "attrs": attrs, "arg": args})
    return comps, entry


def attr(attrs, key):
    m = re.search(key + r"=([^,]*(?:\{[^}]*\})?)", attrs)
    return m.group(1) if m else None


def region_kind(comps, name):
    for i in comps.get(name, []):
        if i["op"] in ("add", "maximum", "minimum", "multiply", "compare",
                       "and", "or"):
            last = i["op"]
    return last


def conv_operands(ins, vals):
    """Sizes of the two operands (elements)."""
    return numel(vals[ins["ops"][0]]["dims"]), \
        numel(vals[ins["ops"][1]]["dims"])


def live_peak(insns, vals, proto):
    """Peak bytes of the values alive at once on one party, in program
    order (a value lives from its definition to its last use; the
    results to the end)."""
    last = {}
    for i, ins in enumerate(insns):
        for o in ins["ops"]:
            last[o] = i
    words = 2 if proto.aby3 else 1
    cur = peak = 0
    for i, ins in enumerate(insns):
        v = vals.get(ins["name"])
        if v is not None and ins["op"] not in ("tuple",):
            cur += numel(v["dims"]) * proto.K * (words if v["sec"] else 1)
        peak = max(peak, cur)
        for o in set(ins["ops"]):
            if last.get(o) == i and o in vals and \
                    insns[i]["op"] != "tuple":
                cur -= numel(vals[o]["dims"]) * proto.K * \
                    (words if vals[o]["sec"] else 1)
    return peak


def model(text, proto, public=()):
    """(bytes, rounds op by op, rounds on the longest path, per-op costs,
    peak live bytes per party)."""
    comps, entry = parse(text)
    vals = {}
    total, per_op = Cost(), {}
    ready = {}                       # value -> rounds at which it is ready
    for ins in comps[entry]:
        op, d = ins["op"], ins["dims"]
        n = numel(d)
        if op == "parameter":
            sec = int(ins["arg"]) not in public
        elif op in ("constant", "iota"):
            sec = False
        else:
            sec = any(vals[o]["sec"] for o in ins["ops"] if o in vals)
        vals[ins["name"]] = {"sec": sec, "dims": d, "op": op,
                             "ops": ins["ops"]}
        c = Cost()
        srcs = [vals[o] for o in ins["ops"] if o in vals]
        nsec = sum(1 for s in srcs if s["sec"])
        if sec:
            if op == "multiply":
                if nsec == 2:
                    c = (proto.fsquare() if ins["ops"][0] == ins["ops"][1]
                         else proto.fmul()) * n
                else:
                    c = proto.trunc() * n
            elif op == "divide":
                if srcs[1]["sec"]:
                    c = proto.recip(divide=srcs[0]["sec"] or True) * n
                else:
                    c = proto.trunc() * n
            elif op == "dot":
                a, b = srcs
                if a["sec"] and b["sec"]:
                    lc = [int(x) for x in re.findall(
                        r"\d+", attr(ins["attrs"], "lhs_contracting_dims"))]
                    kk = numel([a["dims"][i] for i in lc])
                    m_, n_ = numel(a["dims"]) // kk, numel(b["dims"]) // kk
                    c = (Cost(proto.K * m_ * n_, 1) if proto.aby3 else
                         Cost(proto.K * (m_ * kk + kk * n_), 1)) + \
                        proto.trunc() * n
                else:
                    c = proto.trunc() * n
            elif op == "convolution":
                xa, ya = conv_operands(ins, vals)
                if nsec == 2:
                    c = (Cost(proto.K * n, 1) if proto.aby3 else
                         Cost(proto.K * (xa + ya), 1)) + proto.trunc() * n
                else:
                    c = proto.trunc() * n
            elif op == "compare":
                c = proto.cmp_msb() * n
            elif op in ("maximum", "minimum"):
                c = proto.relu() * n
            elif op == "select":
                if srcs[0]["sec"]:
                    c = proto.mux() * n
            elif op == "exponential":
                c = proto.exp() * n
            elif op == "log":
                c = proto.log() * n
            elif op == "sqrt":
                c = proto.sqrt() * n
            elif op == "rsqrt":
                c = proto.rsqrt() * n
            elif op == "logistic":
                c = proto.sigmoid() * n
            elif op == "reduce":
                kind = region_kind(comps, attr(ins["attrs"], "to_apply")
                                   .lstrip("%"))
                if kind in ("maximum", "minimum"):
                    red = numel(srcs[0]["dims"]) // max(n, 1)
                    c = proto.max_tree(red) * n
            elif op == "reduce-window":
                kind = region_kind(comps, attr(ins["attrs"], "to_apply")
                                   .lstrip("%"))
                size = [int(x) for x in re.search(
                    r"size=([\dx]+)", ins["attrs"]).group(1).split("x")]
                if kind in ("maximum", "minimum"):
                    c = proto.max_tree(numel(size)) * n
            elif op == "select-and-scatter":
                size = [int(x) for x in re.search(
                    r"size=([\dx]+)", ins["attrs"]).group(1).split("x")]
                w = numel(size)
                nw = numel(srcs[1]["dims"])
                # comparison tree on the windows, then the source walks
                # down it: one select per tree level per live branch
                c = proto.max_tree(w) * nw
                lv, m = 0, w
                while m > 1:
                    lv += 1
                    m = (m + 1) // 2
                for j in range(lv):
                    c = c + proto.mux() * (nw * (2 ** j))
        total = total + c
        k = op
        pb, pr, pn = per_op.get(k, (0.0, 0, 0))
        per_op[k] = (pb + c.b, pr + c.r, pn + 1)
        start = max([ready.get(o, 0) for o in ins["ops"]] or [0])
        ready[ins["name"]] = start + c.r
    depth = max(ready.values() or [0])
    return total.b, total.r + 2, depth + 2, per_op, \
        live_peak(comps[entry], vals, proto)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--protocol", default="aby3",
                    choices=("aby3", "semi2k"))
    ap.add_argument("--field", type=int, default=64, choices=(64, 128))
    ap.add_argument("--fxp", type=int)
    ap.add_argument("--public", type=int, action="append", default=[])
    ap.add_argument("--compare-bits", type=int, default=0)
    ap.add_argument("--ops", action="store_true")
    ap.add_argument("file")
    a = ap.parse_args()
    f = a.fxp or {64: 18, 128: 26}[a.field]
    with open(a.file) as fp:
        text = fp.read()
    b, r, dep, per, live = model(
        text, Proto(a.protocol, a.field, f, a.compare_bits), a.public)
    print("bytes %d rounds %d depth %d" % (round(b), r, dep))
    if a.ops:
        print("peak live values %d bytes per party" % live)
    if a.ops:
        for k, (pb, pr, pn) in sorted(per.items(), key=lambda x: -x[1][0]):
            if pb or pr:
                print("  %-20s %6d ops %14d B %5d rounds" % (k, pn, pb, pr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
