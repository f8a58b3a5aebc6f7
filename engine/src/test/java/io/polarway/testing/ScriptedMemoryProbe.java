package io.polarway.testing;

import io.polarway.memory.MemoryProbe;
import io.polarway.memory.MemorySnapshot;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A memory probe whose working set the test sets: the fake that lets policy and backpressure tests be deterministic.
 * Thread-safe.
 */
public final class ScriptedMemoryProbe implements MemoryProbe {
    private final long budgetBytes;
    private final AtomicLong workingSetBytes = new AtomicLong();
    private final AtomicInteger samples = new AtomicInteger();

    public ScriptedMemoryProbe(long budgetBytes, double initialFraction) {
        this.budgetBytes = budgetBytes;
        setFraction(initialFraction);
    }

    /** Sets the working set to {@code fraction} of the budget. */
    public void setFraction(double fraction) {
        workingSetBytes.set((long) (budgetBytes * fraction));
    }

    /** How many samples have been taken. */
    public int samples() {
        return samples.get();
    }

    @Override
    public MemorySnapshot sample() {
        samples.incrementAndGet();
        return MemorySnapshot.of(System.nanoTime(), budgetBytes, workingSetBytes.get());
    }

    @Override
    public long budgetBytes() {
        return budgetBytes;
    }
}
