package org.attn4j.examples.quickstart;

import java.lang.foreign.Arena;
import java.util.Arrays;
import org.attn4j.Backends;
import org.attn4j.Tensor;
import org.attn4j.nn.*;

/**
 * The README's Quickstart: the reference README example (video 4096×512 ↔ audio 8192×386) on the
 * default backend. Prints each output's shape, whether every value is finite, and its sum (the
 * class-path and module-path runs must agree); run-check reads these lines.
 */
public final class Quickstart {
    private Quickstart() {
    }

    public static void main(String[] args) {
        try (var jointCrossAttn = BidirectionalCrossAttention.builder()
                     .dim(512).heads(8).dimHead(64).contextDim(386)
                     .build(Backends.defaultBackend(), /* seed */ 0);
             Arena arena = Arena.ofConfined()) {
            Tensor video = Tensor.randn(arena, 1, 1, 4096, 512);      // [b, i, dim]
            Tensor audio = Tensor.randn(arena, 2, 1, 8192, 386);      // [b, j, context_dim]
            boolean[] videoOnes = new boolean[4096], audioOnes = new boolean[8192];
            java.util.Arrays.fill(videoOnes, true);
            java.util.Arrays.fill(audioOnes, true);
            Tensor videoMask = Tensor.ofBooleans(arena, videoOnes, 1, 4096);
            Tensor audioMask = Tensor.ofBooleans(arena, audioOnes, 1, 8192);

            BidirectionalOutput o = jointCrossAttn.forward(arena, video, audio,
                    BidirectionalOptions.builder().mask(videoMask).contextMask(audioMask).build());
            Tensor videoOut = o.out();         // [1, 4096, 512]
            Tensor audioOut = o.contextOut();  // [1, 8192, 386]

            System.out.println("videoOut " + summary(videoOut));
            System.out.println("audioOut " + summary(audioOut));
        }
    }

    /** "[1, 4096, 512] finite sum -12.345678": the shape, whether all values are finite, their sum. */
    static String summary(Tensor t) {
        double sum = 0;
        boolean finite = true;
        for (float v : t.toFloatArray()) {
            finite &= Float.isFinite(v);
            sum += v;
        }
        return Arrays.toString(t.shape()) + (finite ? " finite" : " NOT-FINITE") + " sum " + sum;
    }
}
