"""numpy's matmul at the sizes `io-worker bench` uses, timed the same way
(best of at least two runs, until a second has passed or ten have run), as
the reference for the CPU backend's f32 GEMM in docs/benchmarks.md.

    python3 worker/bench/numpy_matmul.py 1024 2048
"""
import json
import sys
import time

import numpy as np

rows = []
for n in [int(a) for a in sys.argv[1:]] or [1024, 2048]:
    rng = np.random.default_rng(n)
    a = (2 * rng.random((n, n), dtype=np.float32) - 1).astype(np.float32)
    b = (2 * rng.random((n, n), dtype=np.float32) - 1).astype(np.float32)
    a @ b  # warm-up
    best, started, run = float("inf"), time.perf_counter(), 0
    while run < 10:
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
        run += 1
        if run >= 2 and time.perf_counter() - started > 1.0:
            break
    rows.append({"backend": "numpy", "dtype": "f32", "n": n, "gflops": 2 * n**3 / best / 1e9})
print(json.dumps(rows, indent=2))
