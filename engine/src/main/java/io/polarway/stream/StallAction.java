package io.polarway.stream;

/**
 * What a paused stream does when memory stays above the resume mark for the whole stall timeout (the memory is held
 * by something that pausing cannot release: the consumer's own data, another process in the group).
 */
public enum StallAction {
    /** Resume at the smallest chunk size; the hard data limit still turns a runaway into a MemoryLimit error. */
    CONTINUE,
    /** Fail with a MemoryLimit error naming the working set and the budget. */
    ERROR
}
