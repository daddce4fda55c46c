package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.attn4j.Backend;
import org.attn4j.TestBackends;
import org.attn4j.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * attn4j against ONNX Runtime running the reference's own exported graphs (model.onnx) on
 * shapes the goldens do not cover: batch 3, lengths 1, odd and prime, random masks with fully
 * masked rows, columns and batch elements.
 */
class OnnxParityTest {
    private static OrtEnvironment env;
    private static final Backend NATIVE = TestBackends.nativeBackend();

    @BeforeAll
    static void start() {
        env = OrtEnvironment.getEnvironment();
    }

    /** case, batch, i, j, mask pattern (none, random, fully masked rows/cols, a masked batch element). */
    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of("bca_masks", 3, 1, 1, "random"),
                Arguments.of("bca_masks", 3, 13, 17, "random"),
                Arguments.of("bca_masks", 2, 31, 1, "rows"),
                Arguments.of("bca_masks", 3, 5, 23, "batch"),
                Arguments.of("bca_masks", 1, 97, 61, "random"),
                Arguments.of("bca_talking_prenorm", 3, 11, 7, "rows"),
                Arguments.of("bca_talking_prenorm", 2, 1, 29, "random"),
                Arguments.of("bcat_depth2", 3, 19, 2, "random"),
                Arguments.of("bcat_depth2", 1, 3, 41, "batch"));
    }

    @ParameterizedTest(name = "{0} b={1} i={2} j={3} masks={4}")
    @MethodSource("shapes")
    void agreesWithOnnxRuntime(String name, int b, int i, int j, String masks) throws Exception {
        Path dir = Golden.dir(name);
        try (Arena arena = Arena.ofConfined();
             BidirectionalModule model = Models.loadBidirectional(dir.resolve("model.safetensors"), NATIVE);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            long seed = 31L * i + 7L * j + b;
            Tensor x = Tensor.randn(arena, seed, b, i, model.dim());
            Tensor context = Tensor.randn(arena, seed + 1, b, j, model.contextDim());
            boolean[][] m = masks(seed, b, i, j, masks);
            Tensor mask = Tensor.ofBooleans(arena, m[0], b, i);
            Tensor contextMask = Tensor.ofBooleans(arena, m[1], b, j);
            float[][] want;
            try (OrtSession session = env.createSession(dir.resolve("model.onnx").toString(), options)) {
                want = runOnnx(session, x, context, m[0], m[1], b, i, j);
            }
            for (AttentionPath path : new AttentionPath[] {AttentionPath.FUSED, AttentionPath.MATERIALISED}) {
                BidirectionalOutput got = model.forward(arena, x, context,
                        BidirectionalOptions.builder().mask(mask).contextMask(contextMask).path(path).build());
                assertNear(name + " " + path + " out", got.out().toFloatArray(), want[0]);
                assertNear(name + " " + path + " context_out", got.contextOut().toFloatArray(), want[1]);
            }
        }
    }

    private static boolean[][] masks(long seed, int b, int i, int j, String pattern) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean[] m = new boolean[b * i];
        boolean[] cm = new boolean[b * j];
        for (int k = 0; k < m.length; k++) {
            m[k] = r.nextInt(4) != 0;
        }
        for (int k = 0; k < cm.length; k++) {
            cm[k] = r.nextInt(4) != 0;
        }
        switch (pattern) {
            case "rows" -> {                 // the first row and the last column masked everywhere
                for (int bb = 0; bb < b; bb++) {
                    m[bb * i] = false;
                    cm[bb * j + j - 1] = false;
                }
            }
            case "batch" -> {                // batch element 0 entirely masked
                for (int k = 0; k < i; k++) {
                    m[k] = false;
                }
                for (int k = 0; k < j; k++) {
                    cm[k] = false;
                }
            }
            default -> { }
        }
        return new boolean[][] {m, cm};
    }

    private static float[][] runOnnx(OrtSession session, Tensor x, Tensor context, boolean[] mask, boolean[] contextMask,
                                     int b, int i, int j) throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("x", OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), x.shape()));
            inputs.put("context", OnnxTensor.createTensor(env, FloatBuffer.wrap(context.toFloatArray()), context.shape()));
            if (session.getInputNames().contains("mask")) {
                inputs.put("mask", OnnxTensor.createTensor(env, bytes(mask), new long[] {b, i}, OnnxJavaType.BOOL));
                inputs.put("context_mask", OnnxTensor.createTensor(env, bytes(contextMask), new long[] {b, j}, OnnxJavaType.BOOL));
            }
            try (OrtSession.Result r = session.run(inputs)) {
                return new float[][] {floats((OnnxTensor) r.get("out").orElseThrow()),
                        floats((OnnxTensor) r.get("context_out").orElseThrow())};
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static ByteBuffer bytes(boolean[] values) {
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length);
        for (boolean v : values) {
            buf.put((byte) (v ? 1 : 0));
        }
        return buf.flip();
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    /** ONNX Runtime reorders float sums, so the bound is 1e-4 relative to the output's scale. */
    private static void assertNear(String what, float[] got, float[] want) {
        assertTrue(got.length == want.length, what + ": expected " + want.length + " values, got " + got.length);
        double scale = 1e-3;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int k = 0; k < got.length; k++) {
            double err = Math.abs((double) got[k] - want[k]);
            int at = k;
            assertTrue(err <= 1e-4 * scale + 1e-5, () -> what + ": element " + at + " got " + got[at] + ", want " + want[at]);
        }
    }

}
