package org.attn4j.bench;

import java.util.List;

/**
 * One contender of the MiniLM benchmark: sentence embeddings of a batch, end to end (texts in),
 * and, where the contender has the step apart, from already tokenized input.
 */
interface MiniLmContender extends AutoCloseable {
    String name();

    /** Work done once per input before timing the tokenisation-excluded path (tokenising, making tensors). */
    Object prepare(List<String> texts) throws Exception;

    /** Embeddings from {@link #prepare}'s result (tokenisation excluded); null when the contender has no such path. */
    float[][] embedPrepared(Object prepared) throws Exception;

    /** Embeddings of the texts, tokenisation included. */
    float[][] embed(List<String> texts) throws Exception;

    @Override
    void close() throws Exception;
}
