package io.polarway.policy;

/**
 * Decides the next chunk size from samples. Implementations are deterministic: the same sample sequence gives the
 * same decisions (time comes only from {@link PolicySample#nanoTime()}), so the engine and the simulator run the same
 * class. Instances are stateful and not thread-safe: one per stream, called from one thread at a time.
 *
 * <p>The bounds ({@link #minChunkRows()}, {@link #maxChunkRows()}, {@link #growthCeiling()}) are promises every
 * decision keeps; the engine's property tests hold every registered policy to them.
 */
public interface ChunkSizePolicy {

    /** The registered name, e.g. {@code guide}. */
    String name();

    /** The chunk size for the first read. */
    int initialChunkRows();

    /** Feeds the sample taken after a chunk and returns the size of the next one. */
    ChunkDecision onSample(PolicySample sample);

    /** The smallest chunk size, rows, this policy ever returns (default 1). */
    default int minChunkRows() {
        return 1;
    }

    /** The largest chunk size, rows, this policy ever returns (default {@link Integer#MAX_VALUE}). */
    default int maxChunkRows() {
        return Integer.MAX_VALUE;
    }

    /**
     * The policy's high mark for growth: at a memory fraction (working set / budget) at or above it, a decision never
     * returns more rows than the chunk just asked for ({@link PolicySample#chunkRows()}, clamped to
     * {@code [minChunkRows, maxChunkRows]}). {@code 0} for a policy that never grows; the default,
     * {@link Double#POSITIVE_INFINITY}, promises nothing.
     */
    default double growthCeiling() {
        return Double.POSITIVE_INFINITY;
    }
}
