# Regenerates the .npy fixtures of NpyTest with NumPy (2.4.6 made the committed ones):
#   cd java/core/src/test/resources/org/attn4j/io/npy && python3 make_fixtures.py
import numpy as np
from numpy.lib import format as npf

def save(name, a, version=None):
    with open(name, "wb") as f:
        npf.write_array(f, a, version=version, allow_pickle=False)

# Values readers can check exactly: k * 0.5 - 1 for element k in C order.
save("f32_2x3.npy", (np.arange(6, dtype="<f4") * 0.5 - 1).reshape(2, 3))
save("f16_5.npy", (np.arange(5) * 0.5 - 1).astype("<f2"))
save("f64_scalar.npy", np.array(3.25, dtype="<f8"))
save("f64_1x7x2.npy", (np.arange(14, dtype="<f8") * 0.5 - 1).reshape(1, 7, 2))
save("b1_2x4.npy", np.array([[1, 0, 0, 1], [0, 1, 1, 0]], dtype=bool))
save("b1_3x0.npy", np.zeros((3, 0), dtype=bool))
save("f32_2x3_v2.npy", (np.arange(6, dtype="<f4") * 0.5 - 1).reshape(2, 3), version=(2, 0))
save("f32_2x3_v3.npy", (np.arange(6, dtype="<f4") * 0.5 - 1).reshape(2, 3), version=(3, 0))
# Rejected ones.
save("f32_fortran.npy", np.asfortranarray((np.arange(6, dtype="<f4") * 0.5 - 1).reshape(2, 3)))
save("i8_3.npy", np.arange(3, dtype="<i8"))
save("u1_3.npy", np.arange(3, dtype="u1"))
save("f4_big_endian.npy", np.arange(3, dtype=">f4"))
