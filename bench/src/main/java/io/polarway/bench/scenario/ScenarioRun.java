package io.polarway.bench.scenario;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceStats;
import io.polarway.config.ByteSize;
import io.polarway.profile.VmProfile;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one scenario under one profile in this JVM (a JMH fork inside the profile's cgroup): opens the adaptive stream
 * the scenario describes, hands every chunk to the modelled consumer, checks every row arrived once, and returns what
 * the report needs. Single use.
 */
public final class ScenarioRun {
    private final Scenario scenario;
    private final VmProfile profile;
    private final String suite;
    private final Path timelineFile;

    public ScenarioRun(Scenario scenario, VmProfile profile, String suite, Path timelineFile) {
        this.scenario = scenario;
        this.profile = profile;
        this.suite = suite;
        this.timelineFile = timelineFile;
    }

    /**
     * What a completed run measured.
     *
     * @param rows               rows delivered
     * @param expectedRows       rows the dataset holds
     * @param exactlyOnce        every id 0..expected-1 seen once (null when the data has no id column)
     * @param elapsedNanos       from opening the stream to the last chunk released
     * @param bytesRead          the source's input bytes
     * @param peakSignalBytes    highest working set the policy saw
     * @param peakCgroupBytes    highest working set of the cgroup (kernel view), -1 outside a group
     * @param peakProcessBytes   highest RssAnon + RssShmem
     * @param budgetBytes        the stream's budget
     * @param gcMillis           GC time during the run
     * @param stats              the stream's stats
     */
    public record Result(long rows, long expectedRows, Boolean exactlyOnce, long elapsedNanos, long bytesRead,
                         long peakSignalBytes, long peakCgroupBytes, long peakProcessBytes, long budgetBytes,
                         long gcMillis, SourceStats stats) {

        public double rowsPerSecond() {
            return elapsedNanos <= 0 ? 0 : rows * 1e9 / elapsedNanos;
        }

        public double mbPerSecond() {
            return elapsedNanos <= 0 ? 0 : bytesRead / 1e6 * 1e9 / elapsedNanos;
        }

        /** The values the report and the JMH profiler use, by name. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", rows);
            m.put("expected_rows", expectedRows);
            m.put("exactly_once", exactlyOnce);
            m.put("elapsed_ms", elapsedNanos / 1e6);
            m.put("bytes_read", bytesRead);
            m.put("rows_per_s", rowsPerSecond());
            m.put("mb_per_s", mbPerSecond());
            m.put("peak_signal_bytes", peakSignalBytes);
            m.put("peak_cgroup_working_set_bytes", peakCgroupBytes);
            m.put("peak_process_bytes", peakProcessBytes);
            m.put("budget_bytes", budgetBytes);
            m.put("gc_ms", gcMillis);
            m.put("pauses", stats.pauses());
            long limitWaits = stats.counters().getOrDefault("memory_limit_waits", 0L);
            m.put("memory_limit_waits", limitWaits);
            m.put("gate_pauses", Math.max(0, stats.pauses() - limitWaits));
            m.put("paused_ms", stats.pausedMs());
            m.put("chunks", stats.chunks());
            m.put("chunk_rows_min", stats.minChunkSize());
            m.put("chunk_rows_max", stats.maxChunkSize());
            m.put("memory_limit_retries", stats.counters().getOrDefault("memory_limit_retries", 0L));
            return m;
        }
    }

    public Result execute() throws Exception {
        Scenario.Dataset d = scenario.dataset();
        Scenario.Stream s = scenario.stream();
        long expectedRows = d.rows(profile, suite);
        Map<String, String> options = new LinkedHashMap<>(d.options());
        if (d.source().equals("generate")) {
            options.put("rows", Long.toString(expectedRows));
            options.put("row_width_bytes", Integer.toString(d.rowWidthBytes()));
        }
        // the location of a file, object, topic, API or table the runner prepared is filled in by ScenarioData
        SourceConfig config = SourceConfig.of(d.location() != null ? d.location() : scenario.name())
                .withOptions(options).withChunkSize(s.chunkRows()).withPrefetch(s.prefetch())
                .withParallel(s.parallel());
        config = ScenarioData.inFork(scenario, profile, suite, config);

        long limitBytes = switch (s.memoryLimit()) {
            case "recommended" -> profile.recommendedLimitBytes();
            case "none" -> profile.ramBytes();
            default -> ByteSize.parse(s.memoryLimit());
        };
        if (!s.memoryLimit().equals("none")) config = config.withMemoryLimit(limitBytes);

        long gcBefore = gcMillis();
        try (Timeline timeline = new Timeline(timelineFile, 25)) {
            AdaptiveStream.Builder b = AdaptiveStream.builder(d.source(), config).policyParams(s.params())
                    .listener(timeline);
            // "profile": name no policy, so the profile's recommended one applies with its parameters
            if (!s.policy().equals("profile")) b.policy(s.policy());
            else b.profile(profile);
            // the profile's chunk clamps apply unless the scenario runs without the engine's guards
            if (s.guards()) b.profile(profile);
            if (!s.guards()) {
                b.dataLimit(Long.MAX_VALUE);
                b.policyParam("pause_above", "1.5").policyParam("resume_below", "1.4");
                b.maxQueueBytes(Long.MAX_VALUE);
            } else if (s.maxQueueFraction() > 0) {
                b.maxQueueBytes((long) (limitBytes * s.maxQueueFraction()));
            }
            long start = System.nanoTime();
            try (AdaptiveStream stream = b.build()) {
                timeline.initialChunkRows(stream.stats().currentChunkSize());
                timeline.start(stream.memory());
                RowCheck check = new RowCheck(expectedRows);
                long rows = consume(stream, check);
                long elapsed = System.nanoTime() - start;
                SourceStats stats = stream.stats();
                return new Result(rows, expectedRows, check.verdict(), elapsed, stats.bytesRead(),
                        Math.max(timeline.peakSignalBytes(), stats.peakMemoryBytes()), timeline.peakCgroupBytes(),
                        timeline.peakProcessBytes(), stream.budgetBytes(), gcMillis() - gcBefore, stats);
            }
        }
    }

    /** Hands chunks to the worker pool, at most {@code window_chunks} held at once; returns rows delivered. */
    private long consume(AdaptiveStream stream, RowCheck check) throws Exception {
        Scenario.Consumer c = scenario.consumer();
        ExecutorService workers = Executors.newFixedThreadPool(c.workers(), r -> {
            Thread t = new Thread(r, "consumer");
            t.setDaemon(true);
            return t;
        });
        Semaphore window = new Semaphore(c.windowChunks());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Deque<Chunk> retained = new ArrayDeque<>();
        long rows = 0;
        try {
            for (Optional<Chunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                Chunk chunk = next.get();
                try {
                    check.accept(chunk);
                    rows += chunk.rowCount();
                    window.acquire();
                } catch (Throwable t) {
                    chunk.close();
                    throw t;
                }
                // the consumer's own heap for this chunk (rows as objects), held until the chunk is released
                byte[] heap = c.heapBytesPerRow() > 0 ? touch(new byte[c.heapBytesPerRow() * chunk.rowCount()]) : null;
                Future<?> ignored = workers.submit(() -> {
                    Chunk release = chunk;
                    try {
                        process(chunk, c);
                        if (heap != null && heap[heap.length - 1] != 1) throw new AssertionError("heap not touched");
                        if (c.retainChunks() > 0) {
                            synchronized (retained) {
                                retained.addLast(chunk);
                                release = retained.size() > c.retainChunks() ? retained.removeFirst() : null;
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        if (release != null) release.close();
                        window.release();
                    }
                });
                if (failure.get() != null) break;
            }
        } finally {
            workers.shutdown();
            if (!workers.awaitTermination(10, TimeUnit.MINUTES)) workers.shutdownNow();
            synchronized (retained) {
                retained.forEach(Chunk::close);
                retained.clear();
            }
        }
        if (failure.get() != null) throw new IllegalStateException("consumer failed", failure.get());
        return rows;
    }

    /** Writes every page so the array is resident (the working set sees it), as filled objects would be. */
    private static byte[] touch(byte[] a) {
        for (int i = 0; i < a.length; i += 4096) a[i] = 1;
        if (a.length > 0) a[a.length - 1] = 1;
        return a;
    }

    /** The consumer's work: CPU per row, then the sink's drain time, holding the chunk throughout. */
    private static void process(Chunk chunk, Scenario.Consumer c) {
        if (c.workNsPerRow() > 0) {
            long until = System.nanoTime() + c.workNsPerRow() * chunk.rowCount();
            long sum = 0;
            FieldVector first = chunk.root().getFieldVectors().get(0);
            for (int i = 0; i < chunk.rowCount(); i++) sum += first.isNull(i) ? 0 : 1;
            while (System.nanoTime() < until) Thread.onSpinWait();
            if (sum < 0) throw new AssertionError(); // keeps the loop
        }
        if (c.sinkMbPerS() > 0) {
            LockSupport.parkNanos((long) (chunk.byteSize() / (c.sinkMbPerS() * 1e6) * 1e9));
        }
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    /** Every row once: the {@code id} column (the row index, for generated data) covers 0..n-1 exactly. */
    static final class RowCheck {
        private final long expected;
        private final BitSet seen;
        private long duplicates;
        private long outOfRange;
        private boolean hasIds = true;
        private long rows;

        RowCheck(long expected) {
            this.expected = expected;
            this.seen = new BitSet((int) Math.min(Integer.MAX_VALUE, expected));
        }

        void accept(Chunk chunk) {
            rows += chunk.rowCount();
            if (!hasIds) return;
            if (!(chunk.root().getVector("id") instanceof BigIntVector id)) {
                hasIds = false;
                return;
            }
            for (int i = 0; i < chunk.rowCount(); i++) {
                long v = id.get(i);
                if (v < 0 || v >= expected || v > Integer.MAX_VALUE) {
                    outOfRange++;
                    continue;
                }
                if (seen.get((int) v)) duplicates++;
                else seen.set((int) v);
            }
        }

        /** True when exactly once, false when not, null when the data has no id column. */
        Boolean verdict() {
            if (!hasIds) return rows == expected ? null : Boolean.FALSE;
            return duplicates == 0 && outOfRange == 0 && rows == expected && seen.cardinality() == expected;
        }
    }
}
