package io.polarway.memory;

/**
 * Reads memory against a budget. Implementations: {@link MemoryMonitor} (cgroup, /proc, JVM and Arrow) and scripted
 * probes for tests and the simulator. Thread-safe; {@link #sample()} is cheap enough to call once per chunk (a few
 * small file reads) but should not be called in a per-row loop.
 */
public interface MemoryProbe {

    /** Takes a reading now. */
    MemorySnapshot sample();

    /** The budget in bytes that {@link MemorySnapshot#pressure()} is measured against. */
    long budgetBytes();
}
