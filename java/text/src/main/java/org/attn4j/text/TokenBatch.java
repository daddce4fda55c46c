package org.attn4j.text;

import java.util.List;

/**
 * Encodings padded on the right to one length: ids and typeIds [batch, seqLen] row-major,
 * lengths[b] = the real tokens of row b (the attention mask is 1 on the first lengths[b]).
 */
public record TokenBatch(int batch, int seqLen, int[] ids, int[] typeIds, int[] lengths) {

    public TokenBatch {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("batch, seqLen: expected positive, got " + batch + ", " + seqLen);
        }
        long n = (long) batch * seqLen;
        if (ids.length != n || typeIds.length != n || lengths.length != batch) {
            throw new IllegalArgumentException("ids, typeIds [" + batch + ", " + seqLen + "] and lengths [" + batch
                    + "]: got " + ids.length + ", " + typeIds.length + ", " + lengths.length + " elements");
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > seqLen) {
                throw new IllegalArgumentException("lengths[" + b + "]: expected 1.." + seqLen + ", got " + lengths[b]);
            }
        }
    }

    /** Pads {@code encodings} (each non-empty) to the longest with {@code padId}, type 0. */
    public static TokenBatch of(List<Encoding> encodings, int padId) {
        if (encodings == null || encodings.isEmpty()) {
            throw new IllegalArgumentException("encodings: expected at least one, got " + (encodings == null ? "null" : "none"));
        }
        int s = 0;
        for (Encoding e : encodings) {
            s = Math.max(s, e.length());
        }
        int b = encodings.size();
        int[] ids = new int[b * s];
        int[] types = new int[b * s];
        int[] lengths = new int[b];
        for (int r = 0; r < b; r++) {
            Encoding e = encodings.get(r);
            if (e.length() == 0) {
                throw new IllegalArgumentException("encodings[" + r + "]: expected at least one token, got none");
            }
            java.util.Arrays.fill(ids, r * s, (r + 1) * s, padId);
            System.arraycopy(e.ids(), 0, ids, r * s, e.length());
            System.arraycopy(e.typeIds(), 0, types, r * s, e.length());
            lengths[r] = e.length();
        }
        return new TokenBatch(b, s, ids, types, lengths);
    }
}
