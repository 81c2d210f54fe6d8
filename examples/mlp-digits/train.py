# train.py - the JAX program behind train.hlo.txt: a 64-32-10 perceptron
# (ReLU hidden layer, softmax output, cross-entropy loss) trained by
# mini-batch SGD on the 1438 training images of the 8x8 digits data
# (64 standardized pixels, one-hot labels).
#
# The whole training is one jitted function: lax.fori_loop runs
# EPOCHS * NB steps, step i takes batch i mod NB (rows are pre-shuffled;
# the last N mod B rows are left out, as drop_last does), and the
# parameters after each epoch are kept for the loss/accuracy curve.  The
# gradient is written out (it equals jax.grad of the mean cross-entropy):
# the ReLU mask is computed once and used forward and backward, and the
# softmax gradient needs no log.  The initial weights are inputs so that
# any initialisation can be fed in; the biases start at zero.
# Run it on a machine with JAX to regenerate the HLO exactly as JAX
# prints it:
#   python3 train.py > train.hlo.txt
import jax
import jax.numpy as jnp
from jax import lax

N, D, H, C = 1438, 64, 32, 10   # training rows, inputs, hidden, classes
B = 32                          # batch size
NB = N // B                     # batches per epoch
EPOCHS = 10
LR = 0.5


def train(x, y, w1, w2):
    def step(i, carry):
        w1, b1, w2, b2, w1_hist, b1_hist, w2_hist, b2_hist = carry
        k = lax.rem(i, NB) * B
        xb = lax.dynamic_slice(x, (k, 0), (B, D))
        yb = lax.dynamic_slice(y, (k, 0), (B, C))
        a = xb @ w1 + b1
        on = a > 0
        h = jnp.where(on, a, 0.0)
        p = jax.nn.softmax(h @ w2 + b2)
        # gradient of the mean cross-entropy w.r.t. the logits, times
        # the step size
        dz = (p - yb) * (LR / B)
        dh = jnp.where(on, dz @ w2.T, 0.0)
        w2 = w2 - h.T @ dz
        b2 = b2 - jnp.sum(dz, axis=0)
        w1 = w1 - xb.T @ dh
        b1 = b1 - jnp.sum(dh, axis=0)
        e = lax.div(i, NB)
        w1_hist = lax.dynamic_update_slice(w1_hist, w1[None], (e, 0, 0))
        b1_hist = lax.dynamic_update_slice(b1_hist, b1[None], (e, 0))
        w2_hist = lax.dynamic_update_slice(w2_hist, w2[None], (e, 0, 0))
        b2_hist = lax.dynamic_update_slice(b2_hist, b2[None], (e, 0))
        return w1, b1, w2, b2, w1_hist, b1_hist, w2_hist, b2_hist

    init = (w1, jnp.zeros((H,), jnp.float32), w2,
            jnp.zeros((C,), jnp.float32),
            jnp.zeros((EPOCHS, D, H), jnp.float32),
            jnp.zeros((EPOCHS, H), jnp.float32),
            jnp.zeros((EPOCHS, H, C), jnp.float32),
            jnp.zeros((EPOCHS, C), jnp.float32))
    return lax.fori_loop(0, EPOCHS * NB, step, init)


if __name__ == "__main__":
    x = jnp.zeros((N, D), jnp.float32)
    y = jnp.zeros((N, C), jnp.float32)
    w1 = jnp.zeros((D, H), jnp.float32)
    w2 = jnp.zeros((H, C), jnp.float32)
    print(jax.jit(train).lower(x, y, w1, w2).compiler_ir("hlo").as_hlo_text())
