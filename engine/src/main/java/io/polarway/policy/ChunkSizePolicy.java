package io.polarway.policy;

/**
 * Decides the next chunk size from samples. Implementations are deterministic: the same sample sequence gives the
 * same decisions (time comes only from {@link PolicySample#nanoTime()}), so the engine and the simulator run the same
 * class. Instances are stateful and not thread-safe: one per stream, called from one thread at a time.
 */
public interface ChunkSizePolicy {

    /** The registered name, e.g. {@code guide}. */
    String name();

    /** The chunk size for the first read. */
    int initialChunkRows();

    /** Feeds the sample taken after a chunk and returns the size of the next one. */
    ChunkDecision onSample(PolicySample sample);
}
