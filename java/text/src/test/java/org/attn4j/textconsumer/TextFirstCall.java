package org.attn4j.textconsumer;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.attn4j.Backends;
import org.attn4j.text.BertModel;
import org.attn4j.text.TokenBatch;

/**
 * A user's first use of org.attn4j.text, run by ModulePathTest in a child JVM: loads a BERT
 * checkpoint (its config.json goes through core's JSON reader), runs one forward and prints the
 * model, its state-dict size and the output's sum. args[0]: the checkpoint directory.
 */
public final class TextFirstCall {
    private TextFirstCall() {
    }

    public static void main(String[] args) throws Exception {
        try (BertModel m = BertModel.fromSafeTensors(Path.of(args[0]), Backends.defaultBackend());
             Arena arena = Arena.ofConfined()) {
            TokenBatch batch = new TokenBatch(1, 3, new int[] {1, 2, 3}, new int[3], new int[] {3});
            float sum = 0;
            for (float v : m.lastHiddenState(arena, batch).toFloatArray()) {
                sum += v;
            }
            System.out.println(m + " parameters " + m.stateDict().size() + " sum " + sum);
        }
    }
}
