package io.polarway.policy;

/**
 * A policy's answer: the chunk size for the next read and why.
 *
 * @param chunkRows the next chunk size in rows, within the policy's min and max
 * @param action    whether it shrank, grew or held
 * @param reason    a short explanation for logs and timelines, e.g. {@code "memory 85% > 80%"}
 */
public record ChunkDecision(int chunkRows, Action action, String reason) {

    public enum Action { SHRINK, GROW, HOLD }
}
