package io.polarway.policy;

/**
 * What a chunk-size policy sees after each chunk. Plain data, so policies are pure functions of a sample sequence and
 * the simulator can replay recorded samples.
 *
 * @param nanoTime           monotonic time of the sample (injected clock), nanoseconds
 * @param memoryUsedBytes    the working set (see {@link io.polarway.memory.MemorySnapshot#workingSetBytes()})
 * @param memoryBudgetBytes  the budget the working set is measured against
 * @param chunkRows          the chunk size in rows that was asked for the chunk just read
 * @param lastChunkRows      rows the chunk just read actually had (may be fewer at the end of a split)
 * @param lastChunkBytes     bytes the chunk just read holds (Arrow buffers)
 * @param lastChunkNanos     time to read the chunk just read, nanoseconds
 */
public record PolicySample(long nanoTime, long memoryUsedBytes, long memoryBudgetBytes, int chunkRows,
                           long lastChunkRows, long lastChunkBytes, long lastChunkNanos) {

    /** Working set over budget. */
    public double memoryFraction() {
        return memoryBudgetBytes <= 0 ? 0.0 : (double) memoryUsedBytes / memoryBudgetBytes;
    }

    /** Bytes per row of the chunk just read, or 0 when it had no rows. */
    public double bytesPerRow() {
        return lastChunkRows <= 0 ? 0.0 : (double) lastChunkBytes / lastChunkRows;
    }

    /** Rows per second of the chunk just read, or 0 when unknown. */
    public double rowsPerSecond() {
        return lastChunkNanos <= 0 ? 0.0 : lastChunkRows * 1e9 / lastChunkNanos;
    }
}
