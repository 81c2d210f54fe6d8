# train.py - the JAX program behind train.hlo.txt: logistic regression
# trained by mini-batch SGD on the 455 training rows of the Wisconsin
# breast-cancer data (30 standardized features, label 1 = benign).
#
# The whole training is one jitted function: lax.fori_loop runs
# EPOCHS * NB steps, step i takes batch i mod NB (rows are pre-shuffled),
# and the weights after each epoch are kept for the loss/accuracy curve.
# Run it on a machine with JAX to regenerate the HLO exactly as JAX
# prints it:
#   python3 train.py > train.hlo.txt
import jax
import jax.numpy as jnp
from jax import lax

N, D = 455, 30          # training rows, features
B = 35                  # batch size
NB = N // B             # batches per epoch
EPOCHS = 10
LR = 0.5


def train(x, y):
    def step(i, carry):
        w, b, w_hist, b_hist = carry
        k = lax.rem(i, NB) * B
        xb = lax.dynamic_slice(x, (k, 0), (B, D))
        yb = lax.dynamic_slice(y, (k,), (B,))
        p = jax.nn.sigmoid(xb @ w + b)
        # gradient of the mean binary cross-entropy, times the step size
        g = (p - yb) * (LR / B)
        w = w - g @ xb
        b = b - jnp.sum(g)
        e = lax.div(i, NB)
        w_hist = lax.dynamic_update_slice(w_hist, w[None], (e, 0))
        b_hist = lax.dynamic_update_slice(b_hist, b[None], (e,))
        return w, b, w_hist, b_hist

    init = (jnp.zeros((D,), jnp.float32), jnp.zeros((), jnp.float32),
            jnp.zeros((EPOCHS, D), jnp.float32),
            jnp.zeros((EPOCHS,), jnp.float32))
    return lax.fori_loop(0, EPOCHS * NB, step, init)


if __name__ == "__main__":
    x = jnp.zeros((N, D), jnp.float32)
    y = jnp.zeros((N,), jnp.float32)
    print(jax.jit(train).lower(x, y).compiler_ir("hlo").as_hlo_text())
