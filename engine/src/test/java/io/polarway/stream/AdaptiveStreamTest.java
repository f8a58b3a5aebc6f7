package io.polarway.stream;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.SourceStats;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.memory.MemorySnapshot;
import io.polarway.testing.Await;
import io.polarway.testing.HookedSource;
import io.polarway.testing.RowChecker;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdaptiveStreamTest {
    private static final long BUDGET = 1L << 30;
    private final RootAllocator root = new RootAllocator();
    private final ScriptedMemoryProbe probe = new ScriptedMemoryProbe(BUDGET, 0.30);

    @AfterEach
    void closeAllocator() {
        root.close(); // fails the test if any chunk leaked
    }

    private static SourceConfig generate(long rows) {
        return SourceConfig.of("test").withOption("rows", Long.toString(rows));
    }

    private AdaptiveStream.Builder stream(SourceConfig config) {
        return AdaptiveStream.builder("generate", config).memoryProbe(probe).allocator(root);
    }

    private static RowChecker drain(AdaptiveStream s) {
        RowChecker rc = new RowChecker();
        for (Chunk c : s) {
            try (c) {
                rc.accept(c);
            }
        }
        return rc;
    }

    @Test
    void synchronousReadDeliversEveryRowOnceInOrder() {
        try (AdaptiveStream s = stream(generate(100_000).withChunkSize(7_000)).build()) {
            RowChecker rc = drain(s);
            assertThat(rc.exactlyOnce(100_000)).isTrue();
            assertThat(rc.ascending()).isTrue();
            assertThat(s.next()).isEmpty(); // end stays end
            SourceStats st = s.stats();
            assertThat(st.records()).isEqualTo(100_000);
            assertThat(st.bytesRead()).isPositive();
            assertThat(st.minChunkSize()).isEqualTo(7_000);
        }
    }

    @Test
    void prefetchAndParallelDeliverEveryRowOnce() {
        try (AdaptiveStream s = stream(generate(250_000)).prefetch(true).build()) {
            RowChecker rc = drain(s);
            assertThat(rc.exactlyOnce(250_000)).isTrue();
            assertThat(rc.ascending()).isTrue();
        }
        try (AdaptiveStream s = stream(generate(250_000)).parallel(true).parallelism(4).build()) {
            RowChecker rc = drain(s);
            assertThat(rc.exactlyOnce(250_000)).isTrue();
            assertThat(rc.ascending()).as("ordered by default").isTrue();
        }
        try (AdaptiveStream s = stream(generate(250_000)).parallel(true).parallelism(3).ordered(false).build()) {
            assertThat(drain(s).exactlyOnce(250_000)).isTrue();
        }
    }

    @Test
    void javaStreamAndCollect() {
        try (AdaptiveStream s = stream(generate(30_000).withChunkSize(1_000)).build()) {
            long rows = s.stream().mapToLong(c -> {
                try (c) {
                    return c.rowCount();
                }
            }).sum();
            assertThat(rows).isEqualTo(30_000);
        }
        try (AdaptiveStream s = stream(generate(5_000).withChunkSize(700)).build()) {
            try (Chunk all = s.collect().orElseThrow()) {
                assertThat(all.rowCount()).isEqualTo(5_000);
                RowChecker rc = new RowChecker();
                rc.accept(all);
                assertThat(rc.exactlyOnce(5_000)).isTrue();
            }
        }
    }

    @Test
    void policyShrinksChunksWhileMemoryIsAboveTheHighBand() {
        probe.setFraction(0.85);
        List<ChunkEvent> events = new CopyOnWriteArrayList<>();
        try (AdaptiveStream s = stream(generate(20_000).withChunkSize(8_000))
                .policyParam("pause_above", "0.95").listener(new StreamListener() {
                    @Override
                    public void onChunk(ChunkEvent e) {
                        events.add(e);
                    }
                }).build()) {
            assertThat(drain(s).exactlyOnce(20_000)).isTrue();
        }
        List<Integer> asked = events.stream().map(ChunkEvent::requestedRows).toList();
        assertThat(asked).startsWith(8_000, 4_000, 2_000, 1_000, 500, 250, 125, 100, 100);
    }

    @Test
    void pausesAboveNinetyPercentAndResumesBelowSeventy() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resumed = new CountDownLatch(1);
        probe.setFraction(0.95);
        // nothing is held yet: without a long idle grace the stream would read on after one second
        try (AdaptiveStream s = stream(generate(10_000).withChunkSize(1_000)).idlePauseMillis(600_000)
                .listener(new StreamListener() {
            @Override
            public void onPause(MemorySnapshot m) {
                paused.countDown();
            }

            @Override
            public void onResume(MemorySnapshot m, long pausedNanos) {
                resumed.countDown();
            }
        }).build()) {
            AtomicReference<Chunk> got = new AtomicReference<>();
            Thread consumer = new Thread(() -> got.set(s.next().orElse(null)));
            consumer.start();
            assertThat(paused.await(10, TimeUnit.SECONDS)).isTrue();
            probe.setFraction(0.80); // between the marks: stays paused (hysteresis)
            int before = probe.samples();
            Await.until("more samples while paused", Duration.ofSeconds(10), () -> probe.samples() >= before + 3);
            assertThat(got.get()).isNull();
            assertThat(resumed.getCount()).isEqualTo(1);
            probe.setFraction(0.69);
            consumer.join(10_000);
            assertThat(resumed.getCount()).isZero();
            try (Chunk c = got.get()) {
                assertThat(c).isNotNull();
                assertThat(c.rowCount()).isEqualTo(1_000);
            }
            probe.setFraction(0.85); // below the pause mark again and unpaused: reads go on
            try (Chunk c = s.next().orElseThrow()) {
                assertThat(c.rowCount()).isPositive();
            }
            assertThat(s.stats().pauses()).isEqualTo(1);
            drain(s);
        }
    }

    @Test
    void closingAChunkWakesAPausedReader() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resumed = new CountDownLatch(1);
        try (AdaptiveStream s = stream(generate(100_000).withChunkSize(1_000)).prefetch(true)
                .pausePollMillis(600_000) // only an event can wake the reader within the test's time
                .listener(new StreamListener() {
                    @Override
                    public void onPause(MemorySnapshot m) {
                        paused.countDown();
                    }

                    @Override
                    public void onResume(MemorySnapshot m, long pausedNanos) {
                        resumed.countDown();
                    }
                }).build()) {
            Chunk held = s.next().orElseThrow();
            probe.setFraction(0.95);
            assertThat(paused.await(10, TimeUnit.SECONDS)).isTrue();
            probe.setFraction(0.50);
            assertThat(resumed.await(200, TimeUnit.MILLISECONDS)).as("no wake without an event").isFalse();
            held.close();
            assertThat(resumed.await(10, TimeUnit.SECONDS)).as("woken by the chunk's release").isTrue();
            drain(s);
        }
    }

    private HookedSource hooked(SourceConfig config, java.util.function.Consumer<String> hook) {
        StreamingSource src = SourceRegistry.withDefaults().create("generate", config,
                new SourceContext(root, probe));
        return new HookedSource(src, hook);
    }

    @Test
    void prefetchReadsAheadWhileTheConsumerHoldsAChunk() {
        HookedSource src = hooked(generate(200_000).withChunkSize(1_000), split -> {
        });
        try (AdaptiveStream s = AdaptiveStream.builder(src).memoryProbe(probe).prefetch(true)
                .policy("fixed").build()) {
            try (Chunk first = s.next().orElseThrow()) {
                // the consumer is "processing" chunk 0; the reader must be working on later chunks meanwhile
                Await.until("reads ahead", Duration.ofSeconds(10), () -> src.reads() >= 4);
                assertThat(first.rowCount()).isEqualTo(1_000);
            }
            RowChecker rc = new RowChecker();
            for (Chunk c : s) {
                try (c) {
                    rc.accept(c);
                }
            }
            assertThat(rc.rows()).isEqualTo(199_000);
        }
    }

    private long bytesOfChunk(int rows) {
        try (StreamingSource src = SourceRegistry.withDefaults().create("generate", generate(rows),
                new SourceContext(root, probe)); Chunk c = src.readChunk(rows).orElseThrow()) {
            return c.byteSize();
        }
    }

    private static Thread.State readerState(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .map(Thread::getState).orElse(Thread.State.TERMINATED);
    }

    @Test
    void readAheadStaysWithinItsByteBound() {
        long chunkBytes = bytesOfChunk(2_000);
        long bound = chunkBytes * 3 + chunkBytes / 2; // room for three chunks, not four
        HookedSource src = hooked(generate(100_000).withChunkSize(2_000), split -> {
        });
        try (AdaptiveStream s = AdaptiveStream.builder(src).memoryProbe(probe).prefetch(true).policy("fixed")
                .maxQueueBytes(bound).build()) {
            Await.until("reader blocked on a full queue", Duration.ofSeconds(10),
                    () -> src.reads() >= 4 && readerState("polarway-reader-0") == Thread.State.WAITING);
            assertThat(src.reads()).isEqualTo(4); // three queued, the fourth waiting for room
            assertThat(s.stats().counters().get("peak_queued_bytes")).isLessThanOrEqualTo(bound);
            RowChecker rc = new RowChecker();
            for (Chunk c : s) {
                try (c) {
                    rc.accept(c);
                }
            }
            assertThat(rc.exactlyOnce(100_000)).isTrue();
            assertThat(s.stats().counters().get("peak_queued_bytes")).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void parallelReadersOverlapAndStayWithinTheirBound() {
        CyclicBarrier allFourReading = new CyclicBarrier(4);
        java.util.Set<String> arrived = java.util.concurrent.ConcurrentHashMap.newKeySet();
        HookedSource src = hooked(generate(400_000).withChunkSize(5_000), split -> {
            if (split != null && arrived.add(split)) {
                try {
                    // passes only if four split readers are inside a read at the same time
                    allFourReading.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new IllegalStateException("split readers did not run concurrently", e);
                }
            }
        });
        long chunkBytes = bytesOfChunk(5_000);
        long bound = chunkBytes * 4;
        try (AdaptiveStream s = AdaptiveStream.builder(src).memoryProbe(probe).parallel(true).parallelism(4)
                .policy("fixed").maxQueueBytes(bound).build()) {
            RowChecker rc = new RowChecker();
            for (Chunk c : s) {
                try (c) {
                    rc.accept(c);
                }
            }
            assertThat(rc.exactlyOnce(400_000)).isTrue();
            assertThat(rc.ascending()).isTrue();
            // ordered mode lets the split the consumer waits on past a full queue by one chunk, never more
            assertThat(s.stats().counters().get("peak_queued_bytes")).isLessThanOrEqualTo(bound + chunkBytes);
        }
    }

    @Test
    void aChunkThatCannotFitIsAMemoryLimitErrorNotACrash() {
        SourceConfig wide = generate(100).withOption("types", "utf8").withOption("columns", "64")
                .withOption("string_length", "1048576").withChunkSize(4);
        long limit = 32L << 20;
        try (AdaptiveStream s = AdaptiveStream.builder("generate", wide).memoryProbe(probe).dataLimit(limit)
                .policy("fixed").build()) {
            assertThatThrownBy(s::next).isInstanceOfSatisfying(MemoryLimitException.class, e -> {
                assertThat(e.limitBytes()).isEqualTo(limit);
                assertThat(e.attemptedBytes()).isGreaterThan(limit);
                assertThat(e.isRetryable()).isTrue();
                assertThat(e.getMessage()).contains("limit " + limit + " bytes");
            });
            assertThat(s.stats().counters()).containsEntry("memory_limit_retries", 2L); // 4 -> 2 -> 1 rows
        }
    }

    @Test
    void aConsumerHoldingMemoryMakesTheReaderWaitInsteadOfFailingOrShrinking() {
        // chunks of 4 rows × 1 MiB (4.2 MB each, ~6.3 MB while a vector doubles): the data limit holds three
        // finished chunks but not a fourth being built, so the reader must wait for the consumer's release
        SourceConfig wide = generate(40).withOption("types", "utf8").withOption("columns", "1")
                .withOption("string_length", "1048576").withChunkSize(4);
        // the stream's own allocator: the data limit applies to it (and its close checks for leaks)
        try (AdaptiveStream s = AdaptiveStream.builder("generate", wide).memoryProbe(probe)
                .dataLimit(16L << 20).policy("fixed").prefetch(true).releaseWaitMillis(60_000).build()) {
            RowChecker rc = new RowChecker();
            Chunk held = s.next().orElseThrow();
            rc.accept(held);
            // hold the first chunk until the reader, two chunks ahead, is blocked on the limit
            Await.until("the reader waits for a release", Duration.ofSeconds(30),
                    () -> s.stats().counters().containsKey("memory_limit_waits"));
            for (Optional<Chunk> next; (next = s.next()).isPresent(); ) {
                rc.accept(next.get());
                held.close(); // keep the previous chunk until the next one arrives
                held = next.get();
            }
            held.close();
            assertThat(rc.exactlyOnce(40)).isTrue();
            assertThat(s.stats().counters().getOrDefault("memory_limit_retries", 0L)).isZero(); // never shrank
            assertThat(s.stats().minChunkSize()).isEqualTo(4);
            assertThat(s.stats().pauses()).isPositive();
        }
    }

    @Test
    void aConsumerThatHoldsUntilTheNextChunkIsNotDeadlockedTheReaderShrinks() {
        // the limit cannot hold the consumer's chunk plus the next: waiting would never end, so the reader shrinks
        SourceConfig wide = generate(12).withOption("types", "utf8").withOption("columns", "1")
                .withOption("string_length", "1048576").withChunkSize(4);
        try (AdaptiveStream s = AdaptiveStream.builder("generate", wide).memoryProbe(probe)
                .dataLimit(7L << 20).policy("fixed").releaseWaitMillis(20).build()) {
            RowChecker rc = new RowChecker();
            Chunk held = null;
            for (Optional<Chunk> next; (next = s.next()).isPresent(); ) {
                rc.accept(next.get());
                if (held != null) held.close();
                held = next.get();
            }
            if (held != null) held.close();
            assertThat(rc.exactlyOnce(12)).isTrue();
            assertThat(s.stats().counters().get("memory_limit_retries")).isPositive();
        }
    }

    @Test
    void memoryLimitRetriesWithFewerRowsAndLosesNothing() {
        SourceConfig wide = generate(40).withOption("types", "utf8").withOption("columns", "4")
                .withOption("string_length", "1048576").withChunkSize(64);
        try (AdaptiveStream s = AdaptiveStream.builder("generate", wide).memoryProbe(probe).dataLimit(32L << 20)
                .build()) {
            RowChecker rc = drain(s);
            assertThat(rc.exactlyOnce(40)).isTrue();
            assertThat(s.stats().counters().get("memory_limit_retries")).isGreaterThanOrEqualTo(3L);
        }
    }

    @Test
    void memoryThatStaysHighWithNothingHeldDoesNotStallTheStream() {
        // e.g. freed native memory the allocator keeps resident: pausing cannot help, so after the idle grace the
        // stream reads on (at the policy's shrunken size) instead of stalling on every read
        probe.setFraction(0.95);
        try (AdaptiveStream s = stream(generate(20_000).withChunkSize(5_000)).idlePauseMillis(20).build()) {
            RowChecker rc = drain(s);
            assertThat(rc.exactlyOnce(20_000)).isTrue();
            assertThat(s.stats().counters()).containsEntry("idle_pause_resumes", 1L);
            assertThat(s.stats().pauses()).isEqualTo(1); // once idle-resumed, no pause per read
            assertThat(s.stats().counters()).doesNotContainKey("stall_resumes");
        }
    }

    @Test
    void stallTimeoutResumesAtTheSmallestChunkOrFails() {
        probe.setFraction(0.95);
        try (AdaptiveStream s = stream(generate(10_000).withChunkSize(5_000))
                .stallTimeoutMillis(50, StallAction.CONTINUE).build()) {
            try (Chunk c = s.next().orElseThrow()) {
                assertThat(c.rowCount()).isEqualTo(100); // the guide policy's minimum
            }
            assertThat(s.stats().counters()).containsEntry("stall_resumes", 1L);
            probe.setFraction(0.3);
            drain(s);
        }
        probe.setFraction(0.95);
        try (AdaptiveStream s = stream(generate(10_000)).stallTimeoutMillis(50, StallAction.ERROR).build()) {
            assertThatThrownBy(s::next).isInstanceOf(MemoryLimitException.class)
                    .hasMessageContaining("resume mark");
        }
    }

    @Test
    void aBudgetAlreadyExceededFailsAtBuildNamingTheLimit() {
        probe.setFraction(1.2);
        assertThatThrownBy(() -> stream(generate(10)).build()).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.key()).contains("memory_limit"));
    }

    @Test
    void aReaderThreadErrorReachesTheConsumerWithItsType() {
        int[] reads = {0};
        HookedSource src = hooked(generate(100_000).withChunkSize(1_000), split -> {
            if (++reads[0] == 3) {
                throw new ParseException("bad row", Where.resource("x.csv").withLine(17), null);
            }
        });
        try (AdaptiveStream s = AdaptiveStream.builder(src).memoryProbe(probe).prefetch(true).policy("fixed")
                .build()) {
            List<Integer> got = new ArrayList<>();
            assertThatThrownBy(() -> {
                for (Chunk c : s) {
                    try (c) {
                        got.add(c.rowCount());
                    }
                }
            }).isInstanceOf(ParseException.class).hasMessageContaining("x.csv line 17");
            assertThat(got).containsExactly(1_000, 1_000);
        }
    }

    @Test
    void closingEarlyStopsReadersAndReleasesEverything() {
        for (boolean parallel : new boolean[]{false, true}) {
            AdaptiveStream s = stream(generate(5_000_000).withChunkSize(10_000)).prefetch(true).parallel(parallel)
                    .parallelism(2).build();
            try (Chunk c = s.next().orElseThrow()) {
                assertThat(c.rowCount()).isPositive();
            }
            s.close();
            Await.until("reader threads gone", Duration.ofSeconds(10), () -> Thread.getAllStackTraces().keySet()
                    .stream().noneMatch(t -> t.getName().startsWith("polarway-reader-") && t.isAlive()));
            assertThat(root.getAllocatedMemory()).isZero();
        }
    }

    @Test
    void streamOwnedAllocatorIsClosedWithTheStreamAndChecksLeaks() {
        AdaptiveStream s = AdaptiveStream.builder("generate", generate(1_000)).memoryProbe(probe).build();
        Optional<Chunk> held = s.next();
        assertThat(held).isPresent();
        assertThatThrownBy(s::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("leak");
    }
}
