package io.polarway.memory;

/**
 * One reading of the process's memory, as the kernel counts it against the limit. Immutable. Every byte field is -1
 * when unknown on this platform.
 *
 * @param nanoTime              {@link System#nanoTime()} when taken
 * @param budgetBytes           the smallest of the configured limit, the cgroup limit and physical RAM
 * @param workingSetBytes       the pressure signal: cgroup usage minus inactive page cache when a cgroup limit binds,
 *                              else the process's anonymous + shared resident memory. Never raw usage (page cache)
 * @param signal                which measure {@code workingSetBytes} is: {@code cgroup-v1}, {@code cgroup-v2},
 *                              {@code process} or {@code jvm}
 * @param cgroupLimitBytes      the cgroup memory limit, -1 when none applies
 * @param cgroupUsageBytes      raw cgroup usage (includes page cache)
 * @param cgroupWorkingSetBytes cgroup usage minus inactive file pages
 * @param cgroupPeakBytes       the cgroup's high-water mark of raw usage
 * @param oomKills              the cgroup's OOM-kill counter
 * @param processRssBytes       VmRSS (counts file mappings: not a pressure signal)
 * @param processAnonBytes      RssAnon + RssShmem: the process's own working set
 * @param heapUsedBytes         JVM heap in use
 * @param heapCommittedBytes    JVM heap committed
 * @param heapMaxBytes          JVM max heap
 * @param directBytes           JVM direct buffer pool
 * @param arrowAllocatedBytes   bytes held by the engine's Arrow allocator
 * @param nativePoolBytes       bytes held by registered native (JNI) pools
 * @param physicalBytes         physical RAM of the host
 */
public record MemorySnapshot(long nanoTime, long budgetBytes, long workingSetBytes, String signal,
                             long cgroupLimitBytes, long cgroupUsageBytes, long cgroupWorkingSetBytes,
                             long cgroupPeakBytes, long oomKills, long processRssBytes, long processAnonBytes,
                             long heapUsedBytes, long heapCommittedBytes, long heapMaxBytes, long directBytes,
                             long arrowAllocatedBytes, long nativePoolBytes, long physicalBytes) {

    /** Working set over budget, in [0, +inf). */
    public double pressure() {
        return budgetBytes <= 0 ? 0.0 : (double) Math.max(0, workingSetBytes) / budgetBytes;
    }

    /** A snapshot with only the signal filled in, for scripted probes and the simulator. */
    public static MemorySnapshot of(long nanoTime, long budgetBytes, long workingSetBytes) {
        return new MemorySnapshot(nanoTime, budgetBytes, workingSetBytes, "scripted", -1, -1, -1, -1, -1, -1, -1,
                -1, -1, -1, -1, -1, -1, -1);
    }
}
