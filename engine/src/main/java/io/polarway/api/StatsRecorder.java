package io.polarway.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters behind {@link SourceStats}. Sources and streams update it from reader threads; any thread may
 * take a {@link #snapshot()}.
 */
public final class StatsRecorder {
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder records = new LongAdder();
    private final LongAdder chunks = new LongAdder();
    private final LongAdder chunkNanos = new LongAdder();
    private final AtomicLong currentMemory = new AtomicLong(-1);
    private final AtomicLong peakMemory = new AtomicLong(-1);
    private final AtomicInteger currentChunkSize = new AtomicInteger();
    private final AtomicInteger minChunkSize = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger maxChunkSize = new AtomicInteger();
    private final LongAdder pauses = new LongAdder();
    private final LongAdder pausedNanos = new LongAdder();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

    public void addBytesRead(long n) {
        bytesRead.add(n);
    }

    /** Records one delivered chunk. */
    public void chunkDelivered(long rows, long readNanos) {
        records.add(rows);
        chunks.increment();
        chunkNanos.add(readNanos);
    }

    public void memorySample(long workingSetBytes) {
        currentMemory.set(workingSetBytes);
        peakMemory.accumulateAndGet(workingSetBytes, Math::max);
    }

    public void chunkSize(int rows) {
        currentChunkSize.set(rows);
        minChunkSize.accumulateAndGet(rows, Math::min);
        maxChunkSize.accumulateAndGet(rows, Math::max);
    }

    public void paused(long nanos) {
        pauses.increment();
        pausedNanos.add(nanos);
    }

    /** Adds to a source-specific counter, created at 0 on first use. */
    public void count(String name, long delta) {
        counters.computeIfAbsent(name, k -> new LongAdder()).add(delta);
    }

    public long records() {
        return records.sum();
    }

    public SourceStats snapshot() {
        long n = chunks.sum();
        Map<String, Long> c = new TreeMap<>();
        counters.forEach((k, v) -> c.put(k, v.sum()));
        int min = minChunkSize.get();
        return new SourceStats(bytesRead.sum(), records.sum(), n, currentMemory.get(), peakMemory.get(),
                n == 0 ? 0.0 : chunkNanos.sum() / 1e6 / n, currentChunkSize.get(),
                min == Integer.MAX_VALUE ? 0 : min, maxChunkSize.get(), pauses.sum(), pausedNanos.sum() / 1_000_000, c);
    }
}
