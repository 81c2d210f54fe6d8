# train.py - the JAX program behind train.hlo.txt, the cleartext training
# of the small CNN that predict.py (predict.hlo.txt) runs as MPC: one 3x3
# convolution with 8 filters (SAME padding), ReLU, 2x2 max pooling, and a
# dense layer 128 -> 10, trained by mini-batch SGD on the 1438 training
# images of the 8x8 digits (pixels / 16).
#
# `make weights` runs this program with `spu-run --cleartext` (float64)
# and writes model/*.csv, which the repository ships.  The convolution is
# written as im2col (nine shifted views of the padded image times a 9x8
# matrix) so that its gradient is a plain dot; predict.py uses
# lax.conv_general_dilated with the same weights reshaped to HWIO
# [3,3,1,8].  The max-pooling gradient goes to the positions equal to
# their window's maximum.  Run on a machine with JAX to regenerate the
# HLO exactly as JAX prints it:
#   python3 train.py > train.hlo.txt
import jax
import jax.numpy as jnp
from jax import lax

N, C, K = 1438, 10, 8   # training images, classes, filters
B = 32                  # batch size
NB = N // B             # batches per epoch
EPOCHS = 15
LR = 0.5


def train(x, y, wc, wd):
    def step(i, carry):
        wc, bc, wd, bd = carry
        k = lax.rem(i, NB) * B
        xb = lax.dynamic_slice(x, (k, 0), (B, 64))
        yb = lax.dynamic_slice(y, (k, 0), (B, C))
        xp = jnp.pad(xb.reshape(B, 8, 8), ((0, 0), (1, 1), (1, 1)))
        patches = jnp.stack([xp[:, i:i + 8, j:j + 8]
                             for i in range(3) for j in range(3)], axis=-1)
        a = patches @ wc + bc                         # [B,8,8,K]
        on = a > 0
        h = jnp.where(on, a, 0.0)
        pool = lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1),
                                 (1, 2, 2, 1), "VALID")   # [B,4,4,K]
        flat = pool.reshape(B, 4 * 4 * K)
        p = jax.nn.softmax(flat @ wd + bd)
        dz = (p - yb) * (LR / B)
        # back through the dense layer, the pooling and the ReLU
        dpool = (dz @ wd.T).reshape(B, 4, 4, K)
        up = lax.broadcast_in_dim(pool, (B, 4, 2, 4, 2, K), (0, 1, 3, 5))
        dup = lax.broadcast_in_dim(dpool, (B, 4, 2, 4, 2, K), (0, 1, 3, 5))
        da = jnp.where(on & (h == up.reshape(B, 8, 8, K)),
                       dup.reshape(B, 8, 8, K), 0.0)
        wd = wd - flat.T @ dz
        bd = bd - jnp.sum(dz, axis=0)
        wc = wc - jnp.tensordot(patches, da, axes=((0, 1, 2), (0, 1, 2)))
        bc = bc - jnp.sum(da, axis=(0, 1, 2))
        return wc, bc, wd, bd

    init = (wc, jnp.zeros((K,), jnp.float32), wd,
            jnp.zeros((C,), jnp.float32))
    return lax.fori_loop(0, EPOCHS * NB, step, init)


if __name__ == "__main__":
    x = jnp.zeros((N, 64), jnp.float32)
    y = jnp.zeros((N, C), jnp.float32)
    wc = jnp.zeros((9, K), jnp.float32)
    wd = jnp.zeros((4 * 4 * K, C), jnp.float32)
    print(jax.jit(train).lower(x, y, wc, wd).compiler_ir("hlo").as_hlo_text())
