package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.attn4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The modules PyTorch does not ship against PyTorch reference implementations
 * (tools/golden/make_family_reference_goldens.py: rotary embeddings as HF / rotary-embedding-torch
 * turn them, fast-transformers' linear attention, d2l.ai's additive attention, cross-modal blocks
 * from nn.MultiheadAttention and nn.LayerNorm), loaded from the files by class, on both backends.
 */
class FamilyReferenceGoldenTest {
    private static final Path ROOT = GoldenFolders.root("/golden-family-ref");

    static Stream<Arguments> casesOnBackends() throws IOException {
        return GoldenFolders.onBothBackends(ROOT);
    }

    @Test
    void everyNonPyTorchModuleIsCovered() throws IOException {
        assertEquals(java.util.Set.of("AdditiveAttention", "CosineSimilarityAttention", "CrossModalCrossAttention",
                "CrossModalFusionBlock", "FusedQkvAttention", "LinearAttention", "LowRankAttention",
                "SlidingWindowAttention"), GoldenFolders.classNames(ROOT));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesOnBackends")
    void matchesThePyTorchReference(String name, String backendName) throws IOException {
        GoldenFolders.check(ROOT, name, backendName, (model, in, kwargs, want, backend, arena) -> {
            Tensor padding = in.get("key_padding_mask");
            switch (Models.className(model)) {
                case FusedQkvAttention.CLASS_NAME -> {
                    try (FusedQkvAttention m = Models.load(model, FusedQkvAttention.class, backend)) {
                        SdpaOptions o = SdpaOptions.builder().keyPaddingMask(padding)
                                .causal(Boolean.TRUE.equals(kwargs.get("causal"))).build();
                        FamilyAssert.near(name, m.forward(arena, in.get("x"), o).output(), want.get("output"));
                    }
                }
                case SlidingWindowAttention.CLASS_NAME -> {
                    try (SlidingWindowAttention m = Models.load(model, SlidingWindowAttention.class, backend)) {
                        FamilyAssert.near(name, m.forward(arena, in.get("x"), padding, in.get("global_tokens")), want.get("output"));
                    }
                }
                case CosineSimilarityAttention.CLASS_NAME -> {
                    try (CosineSimilarityAttention m = Models.load(model, CosineSimilarityAttention.class, backend)) {
                        FamilyAssert.near(name, m.forward(arena, in.get("x"), SdpaOptions.builder().keyPaddingMask(padding).build()).output(),
                                want.get("output"));
                    }
                }
                case LowRankAttention.CLASS_NAME -> {
                    try (LowRankAttention m = Models.load(model, LowRankAttention.class, backend)) {
                        FamilyAssert.near(name, m.forward(arena, in.get("x"), in.get("context"), SdpaOptions.builder().keyPaddingMask(padding)
                                .build()).output(), want.get("output"));
                    }
                }
                case LinearAttention.CLASS_NAME -> {
                    try (LinearAttention m = Models.load(model, LinearAttention.class, backend)) {
                        FamilyAssert.near(name, m.forward(arena, in.get("x"), padding), want.get("output"));
                    }
                }
                case AdditiveAttention.CLASS_NAME -> {
                    try (AdditiveAttention m = Models.load(model, AdditiveAttention.class, backend)) {
                        AttentionOutput o = m.forward(arena, in.get("queries"), in.get("keys"), in.get("values"), padding);
                        FamilyAssert.near(name + " output", o.output(), want.get("output"));
                        FamilyAssert.near(name + " weights", o.weights(), want.get("weights"));
                    }
                }
                case CrossModalCrossAttention.CLASS_NAME -> {
                    try (CrossModalCrossAttention m = Models.load(model, CrossModalCrossAttention.class, backend)) {
                        CrossModalOutput o = m.forward(arena, in.get("text"), in.get("vision"), in.get("text_mask"), in.get("vision_mask"));
                        FamilyAssert.near(name + " text", o.text(), want.get("text"));
                        FamilyAssert.near(name + " vision", o.vision(), want.get("vision"));
                    }
                }
                case CrossModalFusionBlock.CLASS_NAME -> {
                    try (CrossModalFusionBlock m = Models.load(model, CrossModalFusionBlock.class, backend)) {
                        CrossModalOutput o = m.forward(arena, in.get("text"), in.get("vision"), in.get("text_mask"), in.get("vision_mask"));
                        FamilyAssert.near(name + " text", o.text(), want.get("text"));
                        FamilyAssert.near(name + " vision", o.vision(), want.get("vision"));
                    }
                }
                default -> throw new AssertionError(name + ": unexpected class " + Models.className(model));
            }
        });
    }
}
