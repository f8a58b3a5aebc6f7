package io.polarway.stream;

import io.polarway.memory.MemorySnapshot;
import io.polarway.policy.ChunkDecision;

/**
 * One chunk read by a stream.
 *
 * @param nanoTime      when the policy decided, {@link System#nanoTime()}
 * @param splitId       the split it came from, or null
 * @param requestedRows the chunk size asked for
 * @param rows          rows the chunk had
 * @param bytes         Arrow bytes the chunk holds
 * @param readNanos     time to read it
 * @param decision      the policy's decision for the next chunk
 * @param memory        the memory sample taken after reading it
 */
public record ChunkEvent(long nanoTime, String splitId, int requestedRows, int rows, long bytes, long readNanos,
                         ChunkDecision decision, MemorySnapshot memory) {
}
