package org.attn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.attn4j.Backend;
import org.attn4j.Backends;
import org.attn4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration records as model files carry them: the exact {@code __metadata__} keys,
 * values and order the modules wrote before their configuration became one record (files saved
 * then and the reference's files must keep loading, and new files must read the same), defaults
 * filled in when a file leaves a key out, and clear messages for what is missing.
 */
class ModuleConfigTest {
    private static final Backend JAVA = Backends.javaReference();

    @TempDir
    Path dir;

    /** "k=v" in iteration order: the order of the keys in the file is part of the format. */
    private static List<String> entries(Map<String, String> m) {
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    @Test
    void metadataIsWrittenAsBefore() {
        try (var mha = MultiheadAttention.builder().embedDim(8).numHeads(2).batchFirst(true).build(JAVA, 0);
             var enc = TransformerEncoderLayer.builder().dModel(8).nhead(2).dimFeedforward(16).activation(Activation.GELU)
                     .build(JAVA, 0);
             var bca = BidirectionalCrossAttention.builder().dim(8).contextDim(6).heads(2).dimHead(4).cosineSimScale(9)
                     .build(JAVA, 0);
             var bcat = BidirectionalCrossAttentionTransformer.builder().dim(8).heads(2).dimHead(4).build(JAVA, 0);
             var dot = LuongAttention.builder().method(LuongAttention.Score.DOT).querySize(4).keySize(4).hiddenSize(7)
                     .bias(true).build(JAVA, 0);
             var concat = LuongAttention.builder().method(LuongAttention.Score.CONCAT).querySize(4).keySize(3).hiddenSize(5)
                     .bias(true).build(JAVA, 0);
             var window = SlidingWindowAttention.builder().dim(8).heads(2).dimHead(4).rotary(RotaryEmbedding.of(4))
                     .windowLeft(2).windowRight(0).build(JAVA, 0)) {
            assertEquals(List.of("embed_dim=8", "num_heads=2", "dropout=0.0", "bias=true", "add_bias_kv=false",
                    "add_zero_attn=false", "kdim=8", "vdim=8", "batch_first=true", "class=MultiheadAttention"),
                    entries(mha.metadata()));
            assertEquals(List.of("d_model=8", "nhead=2", "dim_feedforward=16", "dropout=0.1", "activation=\"gelu\"",
                    "layer_norm_eps=1.0E-5", "batch_first=false", "norm_first=false", "class=TransformerEncoderLayer"),
                    entries(enc.metadata()));
            assertEquals(List.of("dim=8", "heads=2", "dim_head=4", "context_dim=6", "dropout=0.0", "talking_heads=false",
                    "prenorm=false", "cosine_sim_scale=9.0", "class=BidirectionalCrossAttention"), entries(bca.metadata()));
            assertEquals(List.of("dim=8", "depth=1", "context_dim=8", "heads=2", "dim_head=4", "ff_expansion_factor=4.0",
                    "talking_heads=false", "final_norms=false", "class=BidirectionalCrossAttentionTransformer"),
                    entries(bcat.metadata()));
            // dot has no attn layer: neither hidden_size nor bias is written
            assertEquals(List.of("method=\"dot\"", "query_size=4", "key_size=4", "class=LuongAttention"),
                    entries(dot.metadata()));
            assertEquals(List.of("method=\"concat\"", "query_size=4", "key_size=3", "hidden_size=5", "bias=true",
                    "class=LuongAttention"), entries(concat.metadata()));
            assertEquals(List.of("dim=8", "heads=2", "dim_head=4", "rotary_dim=4", "rotary_theta=10000.0",
                    "rotary_interleaved=false", "window_left=2", "window_right=0", "class=SlidingWindowAttention"),
                    entries(window.metadata()));
            assertEquals("SlidingWindowAttention(dim=8, heads=2, dim_head=4, rotary_dim=4, rotary_theta=10000.0, "
                    + "rotary_interleaved=false, window_left=2, window_right=0)", window.toString());
            assertEquals("LuongAttention(method=dot, query_size=4, key_size=4)", dot.toString());
        }
    }

    /** A file that leaves keys out (or holds JSON null) gets the defaults, as the reference's constructors do. */
    @Test
    void absentKeysTakeTheirDefaults() throws IOException {
        try (var built = BidirectionalCrossAttention.builder().dim(8).heads(2).dimHead(4).build(JAVA, 0);
             var mha = MultiheadAttention.builder().embedDim(8).numHeads(2).build(JAVA, 0)) {
            Path file = dir.resolve("bca.safetensors");
            SafeTensors.write(file, built.stateDict(), Map.of("class", "BidirectionalCrossAttention", "dim", "8",
                    "heads", "2", "dim_head", "4", "context_dim", "null"));
            try (var loaded = (BidirectionalCrossAttention) Models.load(file, JAVA)) {
                assertEquals(new BidirectionalCrossAttention.Config(8, 2, 4, 8, 0f, false, false, null), loaded.config());
                assertNull(loaded.config().cosineSimScale());
            }
            Path mhaFile = dir.resolve("mha.safetensors");
            SafeTensors.write(mhaFile, mha.stateDict(), Map.of("class", "MultiheadAttention", "embed_dim", "8",
                    "num_heads", "2"));
            try (var loaded = (MultiheadAttention) Models.load(mhaFile, JAVA)) {
                assertEquals(mha.config(), loaded.config());
                assertEquals(8, loaded.config().kdim());
            }
            Map<String, String> noDim = new LinkedHashMap<>(built.metadata());
            noDim.remove("dim");
            SafeTensors.write(file, built.stateDict(), noDim);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.load(file, JAVA));
            assertEquals("__metadata__: missing \"dim\"", e.getMessage());
            Map<String, String> badHeads = new LinkedHashMap<>(built.metadata());
            badHeads.put("heads", "two");
            SafeTensors.write(file, built.stateDict(), badHeads);
            e = assertThrows(IllegalArgumentException.class, () -> Models.load(file, JAVA));
            assertEquals("__metadata__.heads: expected an integer, got two", e.getMessage());
        }
    }

    @Test
    void buildersNameWhatIsMissingOrWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LowRankAttention.builder().dim(8).build(JAVA, 0));
        assertEquals("rank: required, not set (the builder's rank)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LowRankAttention.builder().dim(8).rank(2).heads(0).build(JAVA, 0));
        assertEquals("heads: expected a positive value, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention.Config(8, 2, 0f, true, true, false,
                8, 8, false));
        assertEquals("add_bias_kv: true is not supported (expected false)", e.getMessage());
        // the builder's configuration is a value: building does not change it, and it can be built again
        var builder = TopKAttention.builder().dim(8).heads(2).dimHead(4).topK(3);
        try (var a = builder.build(JAVA, 0); var b = builder.contextDim(6).build(JAVA, 0)) {
            assertEquals(8, a.config().contextDim());
            assertEquals(6, b.config().contextDim());
        }
    }

    /** Every module's builder (written from its record) has a setter per component, by the component's name. */
    @Test
    void everyBuilderSetsEveryComponent() throws ReflectiveOperationException {
        for (ModuleClass mc : ModuleClasses.all()) {
            Class<?> module = Class.forName("org.attn4j.nn." + mc.name());
            Object builder = module.getMethod("builder").invoke(null);
            var superclass = (java.lang.reflect.ParameterizedType) builder.getClass().getGenericSuperclass();
            Class<?> config = (Class<?>) superclass.getActualTypeArguments()[0]; // ModuleBuilder<C, M, B>
            for (java.lang.reflect.RecordComponent c : config.getRecordComponents()) {
                Class<?> type = c.getType();
                Class<?> primitive = java.lang.invoke.MethodType.methodType(type).unwrap().returnType();
                java.lang.reflect.Method setter = builder.getClass().getMethod(c.getName(), primitive);
                assertEquals(builder.getClass(), setter.getReturnType(), mc.name() + "." + c.getName());
            }
        }
    }

    /** The options builders (written from their records) start from DEFAULT and set every component. */
    @Test
    void optionsBuildersStartFromTheDefaultsAndSetEveryComponent() throws ReflectiveOperationException {
        for (Class<?> options : List.of(SdpaOptions.class, MhaOptions.class, BidirectionalOptions.class)) {
            Object builder = options.getMethod("builder").invoke(null);
            Object defaults = options.getField("DEFAULT").get(null);
            assertEquals(defaults, builder.getClass().getMethod("build").invoke(builder), options.getSimpleName());
            for (java.lang.reflect.RecordComponent c : options.getRecordComponents()) {
                java.lang.reflect.Method setter = builder.getClass().getMethod(c.getName(), c.getType());
                assertEquals(builder.getClass(), setter.getReturnType(), options.getSimpleName() + "." + c.getName());
            }
        }
        SdpaOptions o = SdpaOptions.builder().causal(true).windowLeft(3).windowRight(0).scale(0.5f).build();
        assertEquals(new SdpaOptions(null, null, true, 0.5f, 3, 0, null, false, AttentionPath.AUTO), o);
    }
}
