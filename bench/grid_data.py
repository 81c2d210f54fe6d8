#!/usr/bin/env python3
"""grid_data.py - random inputs for one module of the benchmark grid.

Writes one file per entry parameter of a gen_grid.py module, in parameter
order, as DIR/in.N.npy (or .csv): weights He-initialised (normal, std
sqrt(2 / fan-in)), biases small (std 0.01: no ReLU input sits exactly on
the kink at 0, where a finite-difference check would see a one-sided
derivative), optimizer state zero (Adam's count 0), x
uniform in [0, 1), y one-hot labels of a random linear teacher on x, so the
loss of repeated steps on the batch falls.  Deterministic for a seed.
Plain Python 3.

    python3 bench/grid_data.py [--csv] [--seed S] MODULE DIR
    (MODULE as printed by gen_grid.py --list, e.g. netA_sgd)

Also a module (import grid_data) for reading .npy files: read_npy().
"""
import argparse
import array
import os
import random
import struct
import sys

sys.dont_write_bytecode = True       # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_grid  # noqa: E402


def write_npy(path, dims, values, dtype="f4"):
    """A little-endian float32 (f4) or int32 (i4) .npy file."""
    hdr = "{'descr': '<%s', 'fortran_order': False, 'shape': (%s), }" % (
        dtype, "".join("%d," % d for d in dims) if dims else "")
    pad = 64 - (10 + len(hdr) + 1) % 64
    hdr = hdr + " " * pad + "\n"
    a = array.array("f" if dtype == "f4" else "i", values)
    if sys.byteorder != "little":
        a.byteswap()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)))
        f.write(hdr.encode("latin1"))
        f.write(a.tobytes())
    os.replace(tmp, path)


def write_csv(path, dims, values):
    tmp = path + ".tmp"
    cols = dims[-1] if len(dims) >= 2 else 1
    with open(tmp, "w") as f:
        for i in range(0, len(values), cols):
            f.write(",".join("%.17g" % v for v in values[i:i + cols]) + "\n")
    os.replace(tmp, path)


def read_npy(path):
    """(shape, list of floats) of a little-endian f4/f8/i4/i8 .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("%s: not an .npy file" % path)
    if data[6] == 1:
        hl = struct.unpack("<H", data[8:10])[0]
        off = 10
    else:
        hl = struct.unpack("<I", data[8:12])[0]
        off = 12
    hdr = data[off:off + hl].decode("latin1")
    d = eval(hdr, {"__builtins__": {}}, {"False": False, "True": True})
    code = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}[d["descr"]]
    a = array.array(code)
    a.frombytes(data[off + hl:])
    if sys.byteorder != "little":
        a.byteswap()
    return list(d["shape"]), list(a)


def numel(dims):
    n = 1
    for d in dims:
        n *= d
    return n


def inputs(module, seed=1, batch=gen_grid.BATCH):
    """[(dims, dtype, values)] in parameter order."""
    net, opt = gen_grid.parse(module)
    rng = random.Random(seed)
    insh, layers = gen_grid.NETS[net]
    out = []
    params = []
    for w, b in gen_grid.param_shapes(insh, layers):
        fan_in = numel(w[:-1])
        std = (2.0 / fan_in) ** 0.5
        params.append((w, "f4", [rng.gauss(0, std) for _ in range(numel(w))]))
        params.append((b, "f4",
                       [rng.gauss(0, 0.01) for _ in range(numel(b))]))
    out += params
    kind = gen_grid.OPTS[opt][0]
    nstate = {"sgd": 0, "sgd_momentum": 1, "adam": 2, "amsgrad": 3}[kind]
    if kind in ("adam", "amsgrad"):
        out.append(([], "i4", [0]))
    for _ in range(nstate):
        out += [(d, t, [0.0] * len(v)) for d, t, v in params]
    xd = [batch] + list(insh)
    nx = numel(insh)
    # MNIST-like: about a fifth of the pixels lit
    x = [rng.random() if rng.random() < 0.2 else 0.0
         for _ in range(batch * nx)]
    teacher = [[rng.gauss(0, 1) for _ in range(nx)] for _ in range(10)]
    y = []
    for r in range(batch):
        row = x[r * nx:(r + 1) * nx]
        s = [sum(a * b for a, b in zip(row, t)) for t in teacher]
        c = s.index(max(s))
        y += [1.0 if j == c else 0.0 for j in range(10)]
    out.append((xd, "f4", x))
    out.append(([batch, 10], "f4", y))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", action="store_true", help="CSV instead of .npy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("module")
    ap.add_argument("dir")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for i, (dims, t, v) in enumerate(inputs(a.module, a.seed)):
        if a.csv:
            write_csv(os.path.join(a.dir, "in.%d.csv" % i), dims, v)
        else:
            write_npy(os.path.join(a.dir, "in.%d.npy" % i), dims, v, t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
