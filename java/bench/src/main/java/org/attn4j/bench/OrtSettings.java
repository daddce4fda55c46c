package org.attn4j.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.attn4j.Tensor;

/**
 * How the harness runs ONNX Runtime wherever it is a peer (the bca workload's contender and the
 * MultiHeadAttention peer), written once so that the peers are timed under the same settings.
 */
final class OrtSettings {
    private OrtSettings() {
    }

    /**
     * Session options (the caller closes them): intra-op threads = {@code threads}, one inter-op
     * thread, sequential execution, every graph optimisation, and spinning off so that idle pool
     * threads do not steal the cores from whoever runs next.
     */
    static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** "1.29.0", or "(version unknown)" when the jar's manifest does not say. */
    static String version() {
        String v = OrtEnvironment.class.getPackage().getImplementationVersion();
        return v != null ? v : "(version unknown)";
    }

    /** A direct buffer over the tensor's memory (float32): ONNX Runtime reads it in place, no copy. */
    static FloatBuffer floats(Tensor t) {
        return t.segment().asSlice(0, t.byteSize()).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }
}
