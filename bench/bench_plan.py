"""bench_plan.py - what bench/run measures, and the report it writes.

run_all(bench, args) makes the programs and inputs (micro-benchmarks from
gen_micro.py, the training grid from bench/grid and grid_data.py) and
measures every row through bench.measure(); report() turns the rows into
bench/results.md: machine description, the table, the size sweep with its
growth per element, the MP-SPDZ comparison, what could not run, and the
per-op profile of the slowest training step.
"""
import datetime
import os
import random
import re

import gen_grid
import gen_micro
import grid_data

HERE = os.path.dirname(os.path.abspath(__file__))

# MP-SPDZ on this machine (issue 8): replicated ring (3 parties) and the
# 2-party dealer protocol, loopback, plain TCP, median of 3, seconds
MPSPDZ = [("1000x1000 matmul", "matmul_1000", 3.2, 4.5),
          ("10^6 comparisons", "less_1e6", 0.155, 0.37),
          ("logistic regression step", "logreg_128x784", 3.4e-3, 12e-3),
          # the same step inside a training run: ten steps over ten
          # batches in one while loop, per step
          ("logistic regression step, in a 10-step loop (per step)",
           "logreg_128x784_loop10", 3.4e-3, 12e-3),
          ("MLP 784-128-10 step", "mlp_784-128-10", 0.13, 0.2),
          # MP-SPDZ's sfix compares 31-bit numbers (16 fraction bits):
          # spu-run --compare-bits 33 at 18 fraction bits has its range
          ("10^6 comparisons, --compare-bits 33", "less_1e6_k33", 0.155,
           0.37),
          ("logistic regression step, --compare-bits 33",
           "logreg_128x784_k33", 3.4e-3, 12e-3),
          ("MLP 784-128-10 step, --compare-bits 33", "mlp_784-128-10_k33",
           0.13, 0.2)]
# the --compare-bits rows: flags and label suffix
K33 = (["--compare-bits", "33"], "_k33")


def micro(b, kind, n, f=0, label=None):
    """Write a micro program and its inputs once; (label, hlo, inputs)."""
    label = label or "%s_%s" % (kind, sci(n) if kind != "matmul" else n)
    hlo = os.path.join(b.tmp, label + ".hlo.txt")
    if kind in ("logreg", "logregloop"):
        label = "logreg_%dx%d" % (n, f) + (
            "_loop%d" % gen_micro.LOOP_STEPS if kind == "logregloop" else "")
        hlo = os.path.join(b.tmp, label + ".hlo.txt")
    ins = []
    text, dims = gen_micro.program(kind, n, f)
    if not os.path.exists(hlo):
        with open(hlo, "w") as fp:
            fp.write(text)
        rng = random.Random(n * 31 + len(kind))
        for i, (d, v) in enumerate(gen_micro.data(kind, dims, rng)):
            p = os.path.join(b.tmp, "%s.in.%d.npy" % (label, i))
            grid_data.write_npy(p, d, v)
    for i in range(len(dims)):
        ins.append(os.path.join(b.tmp, "%s.in.%d.npy" % (label, i)))
    return label, hlo, ins


def sci(n):
    e = len(str(n)) - 1
    return "1e%d" % e if n == 10 ** e else str(n)


def grid(b, module):
    hlo = os.path.join(HERE, "grid", module + ".hlo.txt")
    d = os.path.join(b.tmp, module)
    ins = []
    if not os.path.isdir(d):
        os.makedirs(d)
        for i, (dims, t, v) in enumerate(grid_data.inputs(module)):
            grid_data.write_npy(os.path.join(d, "in.%d.npy" % i), dims, v, t)
    spec_len = len([f for f in os.listdir(d) if f.startswith("in.")])
    for i in range(spec_len):
        ins.append(os.path.join(d, "in.%d.npy" % i))
    net, opt = gen_grid.parse(module)
    pub = [2 * len(gen_grid.param_shapes(*gen_grid.NETS[net]))] \
        if gen_grid.OPTS[opt][0] in ("adam", "amsgrad") else []
    label = "mlp_784-128-10" if net == "mlp" else module
    return label, hlo, ins, pub


def run_all(b, a):
    settings = ["LAN"] if a.no_wan else ["LAN", "WAN"]
    if a.quick:
        for kind, n in (("mul", 10000), ("less", 10000), ("matmul", 100)):
            lab, hlo, ins = micro(b, kind, n)
            for p in ("aby3", "semi2k"):
                b.measure("micro", lab, hlo, ins, [], p, 64, "LAN")
        lab, hlo, ins, pub = grid(b, "netA_sgd")
        for p in ("aby3", "semi2k"):
            b.measure("grid", lab, hlo, ins, pub, p, 64, "LAN")
        b.measure("auth", lab, hlo, ins, pub, "aby3", 64, "LAN", "aead")
        return
    if not a.no_micro:
        progs = [micro(b, "matmul", 1000), micro(b, "mul", 10 ** 6),
                 micro(b, "less", 10 ** 6), micro(b, "relu", 10 ** 6),
                 micro(b, "exp", 10 ** 6), micro(b, "recip", 10 ** 6),
                 micro(b, "sigmoid", 10 ** 6), micro(b, "rsqrt", 10 ** 6),
                 micro(b, "logreg", 128, 784)]
        mlp = grid(b, "mlp_plainsgd")
        loop = micro(b, "logregloop", 128, 784)
        for s in settings:
            for p in ("aby3", "semi2k"):
                for lab, hlo, ins in progs:
                    b.measure("micro", lab, hlo, ins, [], p, 64, s)
                b.measure("micro", loop[0], loop[1], loop[2], [], p, 64, s,
                          cost_of=(progs[8][1], gen_micro.LOOP_STEPS))
                b.measure("micro", mlp[0], mlp[1], mlp[2], mlp[3], p, 64, s)
        for p in ("aby3", "semi2k"):
            for lab, hlo, ins in progs[:3:2]:
                b.measure("micro", lab, hlo, ins, [], p, 128, "LAN")
        # comparisons on 33 bits instead of the ring's 64
        for p in ("aby3", "semi2k"):
            for lab, hlo, ins in (progs[2], progs[3], progs[8]):
                b.measure("micro", lab + K33[1], hlo, ins, [], p, 64, "LAN",
                          flags=K33[0])
            b.measure("micro", mlp[0] + K33[1], mlp[1], mlp[2], mlp[3], p,
                      64, "LAN", flags=K33[0])
        # the cost of authenticated encryption on the links
        for p in ("aby3", "semi2k"):
            for lab, hlo, ins in progs[:2]:
                b.measure("auth", lab, hlo, ins, [], p, 64, "LAN", "aead")
    if not a.no_grid:
        for n, o in gen_grid.GRID:
            lab, hlo, ins, pub = grid(b, gen_grid.module_name(n, o))
            for s in settings:
                for p in ("aby3", "semi2k"):
                    b.measure("grid", lab, hlo, ins, pub, p, 64, s,
                              reps=a.reps if n in "AD" else min(a.reps, 3))
        lab, hlo, ins, pub = grid(b, "netA_sgd")
        for p in ("aby3", "semi2k"):
            b.measure("auth", lab, hlo, ins, pub, p, 64, "LAN", "aead")
    if not a.no_sweep:
        for p in ("aby3", "semi2k"):
            for e in range(3, 8):
                lab, hlo, ins = micro(b, "less", 10 ** e)
                b.measure("sweep", lab, hlo, ins, [], p, 64, "LAN",
                          reps=min(a.reps, 3))
            for n in (32, 100, 316, 1000, 3162):
                lab, hlo, ins = micro(b, "matmul", n)
                b.measure("sweep", lab, hlo, ins, [], p, 64, "LAN",
                          reps=min(a.reps, 3))


def table(rows, head, fmt):
    return "\n".join([head] + [fmt(r) for r in rows])


def find(rows, program, proto, setting="LAN", field=64, links="plain"):
    for r in rows:
        if (r["program"], r["proto"], r["setting"], r["field"],
                r["links"]) == (program, proto, setting, field, links):
            return r
    return None


def sweep_table(rows):
    out = ["| program | protocol | elements | step s | ns per element | "
           "growth per element vs previous size | multiply-adds/s |",
           "|---|---|---|---|---|---|---|"]
    for p in ("aby3", "semi2k"):
        for kind in ("less", "matmul"):
            prev = None
            for r in rows:
                if r["group"] != "sweep" or r["proto"] != p or \
                        not r["program"].startswith(kind):
                    continue
                n = int(float(r["program"].split("_")[1]))
                el = n * n if kind == "matmul" else n
                per = r["step"] / el * 1e9
                grow = "" if prev is None else "%.2fx" % (per / prev)
                macs = "%.3g" % (n ** 3 / r["step"]) if kind == "matmul" \
                    else ""
                out.append("| %s | %s | %d | %.4g | %.1f | %s | %s |" % (
                    r["program"], p, el, r["step"], per, grow, macs))
                prev = per
    return "\n".join(out)


def mpspdz_table(rows):
    out = ["| task | MP-SPDZ rep3 s | spu aby3 s | speed-up | MP-SPDZ dealer "
           "s | spu semi2k s | speed-up |", "|---|---|---|---|---|---|---|"]
    for task, prog, rep, dealer in MPSPDZ:
        a = find(rows, prog, "aby3")
        s = find(rows, prog, "semi2k")
        k = gen_micro.LOOP_STEPS if prog.endswith("_loop%d" %
                                                  gen_micro.LOOP_STEPS) else 1
        ta, ts = a and a["step"] / k, s and s["step"] / k
        out.append("| %s | %.4g | %s | %s | %.4g | %s | %s |" % (
            task, rep, "%.4g" % ta if a else "-",
            "%.2fx" % (rep / ta) if a and ta else "-",
            dealer, "%.4g" % ts if s else "-",
            "%.2fx" % (dealer / ts) if s and ts else "-"))
    return "\n".join(out)


def auth_table(rows):
    out = ["| program | protocol | plain step s | aead step s | cost of "
           "encryption |", "|---|---|---|---|---|"]
    for r in rows:
        if r["links"] != "aead":
            continue
        p = find(rows, r["program"], r["proto"], r["setting"], r["field"])
        if p:
            out.append("| %s | %s | %.4g | %.4g | %+.1f%% |" % (
                r["program"], r["proto"], p["step"], r["step"],
                100 * (r["step"] / p["step"] - 1) if p["step"] else 0))
    return "\n".join(out)


def report(b, a, started, mach, head, fmt, done=True):
    rows = b.rows
    s = ["# Benchmark results", "",
         "Written by `make bench` (bench/run) from %s%s; re-run to refresh. "
         "Everything above the observations marker is generated." % (
             started.strftime("%Y-%m-%d %H:%M"),
             " to %s" % datetime.datetime.now().strftime("%H:%M") if done else " (still running)"),
         "", "## Machine", "", mach]
    if done:
        s.append("- load average at the end %s (other work shares these 2 "
                 "CPUs: times vary with it; bytes and rounds do not)" %
                 " ".join("%.2f" % x for x in os.getloadavg()))
    s += ["", "## How it was measured", "",
         "One spu-run process per party on 127.0.0.1 (aby3: 3, semi2k: 2), "
         "FM64 with 18 fraction bits unless the protocol column says FM128 "
         "(26 bits); unencrypted links except `aead` rows.  LAN = loopback "
         "as is; WAN = `--link-latency 20 --link-bandwidth 300` (20 ms "
         "one-way, 300 Mbit/s per link, emulated in the link layer).  "
         "`step s` is the VM's time for the program (sum of the per-op times "
         "of `spu-run --profile` over the op kinds of the entry function, "
         "since ops run inside regions are also in their parent's time; "
         "the slowest party), the median of `n` "
         "repetitions (fewer for the big CNNs and long rows: a row stops "
         "repeating after %d s); `wall s` is the process time with loading, "
         "connecting, handshake and output; `CPU s` the user + system time of "
         "the busiest party's process (on a shared machine `step s` can be "
         "far above it).  Bytes are those the busiest "
         "party sent, rounds the most of any party (2 are set-up).  "
         "`min bytes` and `min rounds` apply the cost formulas of "
         "protocols.md (2.10, 3.8, and section 5's compositions for the "
         "non-linear functions) to the program, op by op "
         "(bench/cost_model.py); ratios are measured / minimum.  The grid's "
         "Adam/AMSgrad step count is a public input."
         % a.budget, ""]
    for g, title in (("micro", "Micro-benchmarks"),
                     ("grid", "Training grid (one step, batch 128)"),
                     ("auth", "Authenticated links (aead)"),
                     ("sweep", "Size sweep (LAN)")):
        sel = [r for r in rows if r["group"] == g]
        if sel:
            s += ["## " + title, "", table(sel, head, fmt), ""]
    if any(r["group"] == "auth" for r in rows):
        s += ["### Cost of encryption", "", auth_table(rows), ""]
    if any(r["group"] == "sweep" for r in rows):
        s += ["### Growth with size", "", sweep_table(rows), ""]
    if any(find(rows, p, "aby3") for _, p, _, _ in MPSPDZ):
        s += ["## Against MP-SPDZ (LAN, plain links)", "",
              mpspdz_table(rows), ""]
    if b.fails:
        s += ["## Could not run", ""]
        for r in b.fails:
            s.append("- %s %s FM%d %s%s: %s" % (
                r["program"], r["proto"], r["field"], r["setting"],
                "" if r["links"] == "plain" else " aead", r["error"]))
        s.append("")
    g = [r for r in rows if r["group"] == "grid" and r["setting"] == "LAN"]
    if g:
        slow = max(g, key=lambda r: r["step"])
        s += ["## Where the time goes: profile of the slowest training step",
              "", "%s under %s, LAN (spu-run --profile, the slowest party):"
              % (slow["program"], slow["proto"]), "", "```",
              re.sub(r"\n+", "\n", slow["profile"] or ""), "```", "",
              "Dependency depth of the grid programs (rounds an op-"
              "overlapping runtime could reach, cost model): " +
              ", ".join("%s %s %d" % (r["program"], r["proto"], r["depth"])
                        for r in g), ""]
    return "\n".join(s)
