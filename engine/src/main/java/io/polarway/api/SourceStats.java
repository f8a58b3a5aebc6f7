package io.polarway.api;

import java.util.Map;

/**
 * A snapshot of a source's or stream's counters. Immutable.
 *
 * @param bytesRead          input bytes consumed (file bytes, response bytes, message bytes)
 * @param records            rows delivered in chunks
 * @param chunks             chunks delivered
 * @param currentMemoryBytes the working set at the last sample (see {@link io.polarway.memory.MemorySnapshot})
 * @param peakMemoryBytes    the highest working set sampled
 * @param avgChunkTimeMs     mean time to read one chunk, milliseconds
 * @param currentChunkSize   the chunk size (rows) the policy asks for now
 * @param minChunkSize       the smallest chunk size asked so far (rows)
 * @param maxChunkSize       the largest chunk size asked so far (rows)
 * @param pauses             how many times backpressure paused reading
 * @param pausedMs           total time spent paused, milliseconds
 * @param counters           source-specific counters (e.g. {@code bad_rows_skipped}, {@code retries}); never secrets
 */
public record SourceStats(long bytesRead, long records, long chunks, long currentMemoryBytes, long peakMemoryBytes,
                          double avgChunkTimeMs, int currentChunkSize, int minChunkSize, int maxChunkSize, long pauses,
                          long pausedMs, Map<String, Long> counters) {

    public SourceStats {
        counters = Map.copyOf(counters);
    }

    /** The guide's name for the current memory figure. */
    public long memoryBytes() {
        return currentMemoryBytes;
    }
}
