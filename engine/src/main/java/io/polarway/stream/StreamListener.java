package io.polarway.stream;

import io.polarway.memory.MemorySnapshot;

/**
 * Observes a stream's decisions, for timelines, progress lines and the bench suite. Called on reader threads (in
 * parallel mode, from several), so implementations must be thread-safe and fast; an exception thrown here is logged
 * and ignored.
 */
public interface StreamListener {

    /** After each chunk is read and the policy has decided the next size. */
    default void onChunk(ChunkEvent event) {
    }

    /** When reading pauses (memory above the gate's high mark). */
    default void onPause(MemorySnapshot memory) {
    }

    /** When reading resumes, with how long it was paused. */
    default void onResume(MemorySnapshot memory, long pausedNanos) {
    }

    /** When a MemoryLimit error made the stream retry with half the rows. */
    default void onMemoryLimitRetry(int failedRows, int retryRows) {
    }
}
