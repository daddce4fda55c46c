"""Tests of bca_reference.py beyond the golden cases: the file readers and writers, and the
semantics no golden exercises (rel_pos_bias, fully masked rows and columns, talking heads
together), against an independent float64 NumPy implementation of DESIGN.md section 3.

Run: /usr/bin/python3 -m unittest discover -s bench/python
"""

import os
import tempfile
import unittest

import numpy as np
import torch

import bca_reference as ref


def numpy_bca(params, x, context, mask, context_mask, rel_pos_bias, heads, talking, prenorm):
    """DESIGN.md section 3 in float64 NumPy, written without looking at the torch module."""
    p = {k: v.astype(np.float64) for k, v in params.items()}
    x = x.astype(np.float64)
    context = context.astype(np.float64)
    eps = float(np.finfo(np.float32).eps)
    if prenorm:
        x = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * p["norm.weight"]
        context = context / np.sqrt((context ** 2).mean(-1, keepdims=True) + eps) * p["context_norm.weight"]
    b, i, _ = x.shape
    j = context.shape[1]
    inner = p["to_qk.weight"].shape[0]
    d = inner // heads

    def split(t):  # [b, n, h*d] -> [b, h, n, d]
        return t.reshape(b, t.shape[1], heads, d).transpose(0, 2, 1, 3)

    qk, v = split(x @ p["to_qk.weight"].T), split(x @ p["to_v.weight"].T)
    cqk, cv = split(context @ p["context_to_qk.weight"].T), split(context @ p["context_to_v.weight"].T)
    sim = np.einsum("bhid,bhjd->bhij", qk, cqk) * d ** -0.5
    if rel_pos_bias is not None:
        sim = sim + rel_pos_bias
    keep = mask[:, None, :, None] & context_mask[:, None, None, :]
    sim = np.where(keep, sim, -float(np.finfo(np.float32).max))

    def softmax(t, axis):
        e = np.exp(t - t.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    attn, cattn = softmax(sim, -1), softmax(sim, -2)
    if talking:
        attn = np.einsum("gh,bhij->bgij", p["talking_heads.weight"][:, :, 0, 0], attn)
        cattn = np.einsum("gh,bhij->bgij", p["context_talking_heads.weight"][:, :, 0, 0], cattn)
    out = np.einsum("bhij,bhjd->bhid", attn, cv)
    cout = np.einsum("bhij,bhid->bhjd", cattn, v)

    def merge(t):
        return t.transpose(0, 2, 1, 3).reshape(b, t.shape[2], inner)

    out = merge(out) @ p["to_out.weight"].T + p["to_out.bias"]
    cout = merge(cout) @ p["context_to_out.weight"].T + p["context_to_out.bias"]
    return out, cout, attn, cattn


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_keeps_values_dtypes_and_metadata(self):
        rng = np.random.default_rng(0)
        tensors = {"a": rng.standard_normal((3, 5)).astype(np.float32), "m": rng.random(7) < 0.5,
                   "s": np.float32(2.5).reshape(())}
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "t.safetensors")
            ref.write_safetensors(path, tensors, {"dim": 32, "class": "X"})
            with open(path, "rb") as f:
                n = int.from_bytes(f.read(8), "little")
            self.assertEqual(0, (8 + n) % 8, "data starts 8-byte aligned")
            back, meta = ref.read_safetensors(path)
        self.assertEqual({"dim": "32", "class": "X"}, meta)
        np.testing.assert_array_equal(tensors["a"], back["a"])
        self.assertEqual(np.bool_, back["m"].dtype)
        np.testing.assert_array_equal(tensors["m"], back["m"])
        self.assertEqual((), back["s"].shape)


class SemanticsTest(unittest.TestCase):
    def run_case(self, b, i, j, heads, dim_head, talking, prenorm, with_bias, seed):
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        dim, cdim = 12, 9
        m = ref.BidirectionalCrossAttention(dim=dim, heads=heads, dim_head=dim_head, context_dim=cdim,
                                            talking_heads=talking, prenorm=prenorm).eval()
        with torch.no_grad():
            for prm in m.parameters():
                prm.copy_(torch.from_numpy(rng.standard_normal(tuple(prm.shape)).astype(np.float32) * 0.3))
        params = {k: v.detach().numpy() for k, v in m.state_dict().items()}
        x = rng.standard_normal((b, i, dim)).astype(np.float32)
        c = rng.standard_normal((b, j, cdim)).astype(np.float32)
        mask = rng.random((b, i)) < 0.7
        cmask = rng.random((b, j)) < 0.7
        mask[0, 0] = True
        cmask[0, :] = False  # batch element 0: every position of context masked
        if b > 1:
            mask[1, :] = True
            cmask[1, :] = True
            mask[1, -1] = False  # one masked row in an otherwise open batch element
        bias = rng.standard_normal((heads, i, j)).astype(np.float32) if with_bias else None
        with torch.no_grad():
            got = m(torch.from_numpy(x), torch.from_numpy(c), mask=torch.from_numpy(mask),
                    context_mask=torch.from_numpy(cmask), return_attn=True,
                    rel_pos_bias=None if bias is None else torch.from_numpy(bias))
        want = numpy_bca(params, x, c, mask, cmask, bias, heads, talking, prenorm)
        for g, w, name in zip(got, want, ("out", "context_out", "attn", "context_attn")):
            np.testing.assert_allclose(g.numpy(), w, rtol=1e-4, atol=2e-5, err_msg=name)
        return got

    def test_bias_masks_talking_heads_and_prenorm_match_numpy(self):
        for (b, i, j, h, d, talking, prenorm, bias) in [(2, 5, 7, 3, 4, True, True, True), (1, 1, 1, 1, 1, False, False, True),
                                                         (3, 13, 2, 2, 3, False, True, False), (2, 7, 11, 4, 2, True, False, True)]:
            with self.subTest(b=b, i=i, j=j, heads=h, talking=talking, prenorm=prenorm, bias=bias):
                self.run_case(b, i, j, h, d, talking, prenorm, bias, seed=i * 100 + j)

    def test_fully_masked_rows_and_columns_are_uniform_not_nan(self):
        _, _, attn, cattn = self.run_case(2, 4, 6, 2, 3, False, False, False, seed=5)
        self.assertFalse(torch.isnan(attn).any() or torch.isnan(cattn).any())
        # batch element 0 has no context position left: every row of attn is uniform over j
        np.testing.assert_allclose(attn[0].numpy(), np.full((2, 4, 6), 1 / 6), rtol=1e-6)
        # batch element 1, row i = 3 masked: that row of attn is uniform over j
        np.testing.assert_allclose(attn[1, :, 3].numpy(), np.full((2, 6), 1 / 6), rtol=1e-6)


if __name__ == "__main__":
    unittest.main()
