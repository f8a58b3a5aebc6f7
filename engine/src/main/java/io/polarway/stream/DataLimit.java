package io.polarway.stream;

import io.polarway.memory.MemorySnapshot;

/**
 * The hard limit on Arrow memory, derived from the budget. The budget covers the whole process (heap, metaspace,
 * threads, native pools), so Arrow may only have what the process is not already using: budget − (working set not
 * held by Arrow) − a 5 % margin, never below a quarter of the budget. Allocations past it fail with a MemoryLimit
 * error instead of letting the kernel kill the process.
 */
public final class DataLimit {
    private DataLimit() {
    }

    /** @return the Arrow limit in bytes for a process whose memory now reads {@code now} */
    public static long bytes(MemorySnapshot now) {
        long budget = now.budgetBytes();
        long arrow = Math.max(0, now.arrowAllocatedBytes());
        long nonArrow = Math.max(0, now.workingSetBytes() - arrow);
        long margin = budget / 20;
        return Math.max(budget / 4, budget - nonArrow - margin);
    }
}
