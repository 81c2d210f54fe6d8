# predict.py - the JAX program behind predict.hlo.txt: the small CNN of
# train.py run forward on the 359 test images of the 8x8 digits: a 3x3
# convolution with 8 filters (SAME padding), ReLU, 2x2 max pooling, a
# dense layer 128 -> 10, and the predicted digit (argmax).  Under MPC
# the weights are one party's secret, the images another's, and only the
# predicted digits are revealed.
# Run it on a machine with JAX to regenerate the HLO exactly as JAX
# prints it:
#   python3 predict.py > predict.hlo.txt
import jax
import jax.numpy as jnp
from jax import lax

N, C, K = 359, 10, 8    # test images, classes, filters


def predict(wc, bc, wd, bd, x):
    a = lax.conv_general_dilated(x, wc, (1, 1), "SAME",
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
    h = jax.nn.relu(a + bc)
    pool = lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1),
                             (1, 2, 2, 1), "VALID")
    logits = pool.reshape(N, 4 * 4 * K) @ wd + bd
    return jnp.argmax(logits, axis=-1)


if __name__ == "__main__":
    wc = jnp.zeros((3, 3, 1, K), jnp.float32)
    bc = jnp.zeros((K,), jnp.float32)
    wd = jnp.zeros((4 * 4 * K, C), jnp.float32)
    bd = jnp.zeros((C,), jnp.float32)
    x = jnp.zeros((N, 8, 8, 1), jnp.float32)
    print(jax.jit(predict).lower(wc, bc, wd, bd, x)
          .compiler_ir("hlo").as_hlo_text())
