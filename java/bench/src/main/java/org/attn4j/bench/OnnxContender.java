package org.attn4j.bench;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attn4j.Tensor;

/**
 * ONNX Runtime's Java API running the reference module exported to ONNX (opset 17), with the
 * same weights as model.safetensors: model_masks.onnx when masks are passed, model.onnx when
 * not, under the harness's {@link OrtSettings} (intra-op threads = the run's thread count).
 */
final class OnnxContender extends InProcessContender {
    /**
     * ONNX Runtime keeps several [b, h, i, j] float32 matrices alive (6.6 GB at 4096 x 8192,
     * i.e. ~6.5 of them, in perf/baselines.md): the memory estimate used to skip sizes.
     */
    static final double MATRICES_HELD = 7;

    private final Path modelDir;
    private final int threads;

    OnnxContender(Path modelDir, int threads) {
        super("onnxruntime", "cpu");
        this.modelDir = modelDir;
        this.threads = threads;
    }

    @Override
    public String describe() {
        return "ONNX Runtime " + OrtSettings.version() + " Java API, CPU provider, " + threads
                + " intra-op thread(s), spinning off, graph " + modelDir.getFileName().resolve("model_masks.onnx")
                + " (model.onnx when no masks are passed)";
    }

    private Path model(boolean masks) {
        return modelDir.resolve(masks ? "model_masks.onnx" : "model.onnx");
    }

    @Override
    public Unavailable unavailable(Workload w) {
        if (!Files.isRegularFile(model(true)) || !Files.isRegularFile(model(false))) {
            return Unavailable.skipped("no exported graph at " + model(true) + " (is ../shared there?)");
        }
        return MemoryInfo.skipIfTooBig(MATRICES_HELD * w.attentionMatrixBytes(),
                "ONNX Runtime holds ~" + (int) MATRICES_HELD + " [b,h,i,j] float32 matrices", w);
    }

    @Override
    protected Run open(BenchInputs in) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "attn4j-bench");
        boolean masks = in.mask() != null;
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = OrtSettings.sessionOptions(threads)) {
            session = env.createSession(model(masks).toString(), options);
            // direct buffers over the inputs' memory: ONNX Runtime reads them in place, no copy
            inputs.put("x", OnnxTensor.createTensor(env, OrtSettings.floats(in.x()), in.x().shape()));
            inputs.put("context", OnnxTensor.createTensor(env, OrtSettings.floats(in.context()), in.context().shape()));
            if (masks) {
                inputs.put("mask", OnnxTensor.createTensor(env, bytes(in.mask()), in.mask().shape(), OnnxJavaType.BOOL));
                inputs.put("context_mask", OnnxTensor.createTensor(env, bytes(in.contextMask()),
                        in.contextMask().shape(), OnnxJavaType.BOOL));
            }
        } catch (OrtException | RuntimeException e) {
            inputs.values().forEach(OnnxTensor::close);
            if (session != null) {
                session.close();
            }
            throw e;
        }
        return new OrtRun(session, inputs);
    }

    private static java.nio.ByteBuffer bytes(Tensor t) {
        return t.segment().asSlice(0, t.byteSize()).asByteBuffer();
    }

    private record OrtRun(OrtSession session, Map<String, OnnxTensor> inputs) implements Run {
        @Override
        public Outputs forwardWithOutputs() throws OrtException {
            try (OrtSession.Result result = session.run(inputs)) {
                return new Outputs(values(result, "out"), values(result, "context_out"));
            }
        }

        @Override
        public void forward() throws OrtException {
            session.run(inputs).close(); // the outputs are released at once, as a user's would be
        }

        private static float[] values(OrtSession.Result result, String name) {
            OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow(
                    () -> new IllegalStateException("ONNX graph has no output " + name));
            FloatBuffer b = t.getFloatBuffer();
            float[] a = new float[b.remaining()];
            b.get(a);
            return a;
        }

        @Override
        public void close() {
            inputs.values().forEach(OnnxTensor::close);
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("closing the ONNX Runtime session: " + e.getMessage(), e);
            }
        }
    }
}
