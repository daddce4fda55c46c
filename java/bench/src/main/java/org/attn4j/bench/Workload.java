package org.attn4j.bench;

/**
 * What one benchmark cell runs: the reference README's module configuration (dim 512, context
 * 386, 8 heads of 64) at one size and batch, and the useful work that takes.
 */
public record Workload(int dim, int contextDim, int heads, int dimHead, int batch, Size size) {

    /** The reference README example: BidirectionalCrossAttention(dim=512, heads=8, dim_head=64, context_dim=386). */
    public static Workload readme(int batch, Size size) {
        return new Workload(512, 386, 8, 64, batch, size);
    }

    public int i() {
        return size.i();
    }

    public int j() {
        return size.j();
    }

    public int inner() {
        return heads * dimHead;
    }

    /**
     * Floating-point operations of the useful work, counting a multiply-add as 2: the four input
     * projections and two output projections, then qk·context_qkᵀ, attn·context_v and
     * context_attnᵀ·v. Norms, softmaxes and masking are not counted (they are not matrix work).
     * 2·b·(i·dim·2·inner + j·ctx·2·inner + i·inner·dim + j·inner·ctx) + 3·2·b·h·i·j·d.
     */
    public double usefulFlops() {
        double b = batch;
        double i = size.i();
        double j = size.j();
        double projections = 2 * b * (i * dim * 2.0 * inner() + j * contextDim * 2.0 * inner()
                + i * inner() * dim + j * inner() * (double) contextDim);
        double attention = 3 * 2 * b * heads * i * j * dimHead;
        return projections + attention;
    }

    /** Bytes of one float32 [b, h, i, j] matrix: what a materialising implementation holds several of. */
    public double attentionMatrixBytes() {
        return 4.0 * batch * heads * size.i() * (double) size.j();
    }

    /** Elements of x [b, i, dim] plus context [b, j, contextDim]. */
    public long inputElements() {
        return (long) batch * size.i() * dim + (long) batch * size.j() * contextDim;
    }

    @Override
    public String toString() {
        return (batch == 1 ? "" : batch + "x") + size;
    }
}
