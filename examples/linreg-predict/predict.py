# predict.py - the JAX program behind predict.hlo.txt: a linear model's
# prediction X @ w + b.  Run it on a machine with JAX to regenerate the
# HLO text exactly as JAX prints it:
#   python3 predict.py > predict.hlo.txt
import jax
import jax.numpy as jnp


def predict(w, b, x):
    return x @ w + b


if __name__ == "__main__":
    w = jnp.zeros((8,), jnp.float32)
    b = jnp.zeros((), jnp.float32)
    x = jnp.zeros((200, 8), jnp.float32)
    print(jax.jit(predict).lower(w, b, x).compiler_ir("hlo").as_hlo_text())
