package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.StreamingSource;
import io.polarway.testing.Await;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The read-ahead of a parallel direct read ({@link ParallelFiles}) under a consumer slower than its readers: chunks
 * waiting for the consumer stay within a quarter of the memory budget, and readers hold back while memory pressure is
 * above 90 %. The consumer stops until the readers are seen waiting (their counters), never for a fixed time.
 */
class ParallelFilesTest {
    static final int FILES = 8, READERS = 4, CHUNK_ROWS = 2_000;
    static final long PER_FILE = 40_000, ROWS = FILES * PER_FILE;

    /** The allocator (closed after each test: a leak fails it) and the registry; contexts get their own probes. */
    final SourceFixture fx = new SourceFixture();

    /** plain/: Arrow IPC files of 40,000 rows in batches of 5,000; mixed/: the same, but the first one is Parquet. */
    @TempDir
    static Path dir;
    static Path plain;
    static Path mixed;

    @BeforeAll
    static void write() throws Exception {
        plain = java.nio.file.Files.createDirectories(dir.resolve("plain"));
        mixed = java.nio.file.Files.createDirectories(dir.resolve("mixed"));
        for (int i = 0; i < FILES; i++) {
            String name = String.format("f-%02d", i);
            TestData.ipcFile(plain.resolve(name + ".arrow"), i * PER_FILE, PER_FILE, 5_000);
            if (i == 0) TestData.parquet(mixed.resolve(name + ".parquet"), 0, PER_FILE, 5_000);
            else TestData.ipcFile(mixed.resolve(name + ".arrow"), i * PER_FILE, PER_FILE, 5_000);
        }
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private StreamingSource open(ScriptedMemoryProbe probe) {
        return open(plain, probe);
    }

    private StreamingSource open(Path location, ScriptedMemoryProbe probe) {
        SourceConfig c = SourceConfig.of(location.toString()).withParallel(true)
                .withOption("max_concurrency", Integer.toString(READERS)).withOption("use_mmap", "false");
        return fx.registry.create("file", c, new SourceContext(fx.allocator, probe));
    }

    private static long counter(StreamingSource s, String name) {
        return s.stats().counters().getOrDefault(name, 0L);
    }

    /** What a chunk holds, counted as the queue counts it: its buffers' capacities. */
    private static long bytes(Chunk c) {
        long n = 0;
        for (FieldVector v : c.root().getFieldVectors()) for (ArrowBuf b : v.getBuffers(false)) n += b.capacity();
        return n;
    }

    @Test
    void readAheadStaysWithinItsByteBoundUnderASlowConsumer() {
        // budget 16 MiB: at most a quarter of it, 4 MiB, waits in the queue, of about 10 MB of chunks in all
        ScriptedMemoryProbe probe = new ScriptedMemoryProbe(16L << 20, 0.1);
        TestData.Checksum sum = new TestData.Checksum();
        long maxChunk = 0;
        long total = 0;
        try (StreamingSource s = open(probe)) {
            for (int taken = 0; ; taken++) {
                long waits = counter(s, "parallel_queue_waits");
                Optional<Chunk> c = s.readChunk(CHUNK_ROWS);
                if (c.isEmpty()) break;
                try (Chunk chunk = c.get()) {
                    sum.accept(chunk);
                    maxChunk = Math.max(maxChunk, bytes(chunk));
                    total += bytes(chunk);
                }
                if (taken % 40 == 0) {
                    // a slow consumer: after taking a chunk it comes back only once the readers have filled the room
                    // it made and wait again (or have read every file)
                    Await.until("the readers to wait for room in the queue", Duration.ofSeconds(20),
                            () -> counter(s, "parallel_queue_waits") > waits || counter(s, "files_read") == FILES);
                }
                assertThat(counter(s, "parallel_queue_peak_bytes")).as("queued bytes after " + (taken + 1) + " chunks")
                        .isLessThanOrEqualTo((4L << 20) + 2 * maxChunk);
            }
            long limit = counter(s, "parallel_queue_limit_bytes");
            assertThat(limit).isEqualTo(4L << 20);
            assertThat(total).as("the data is larger than the bound").isGreaterThan(2 * limit);
            // the bound, plus the one chunk the consumer needs next, which is always let in
            assertThat(counter(s, "parallel_queue_peak_bytes")).isLessThanOrEqualTo(limit + maxChunk)
                    .isGreaterThan(limit / 2);
            assertThat(counter(s, "parallel_queue_waits")).isGreaterThanOrEqualTo(3);
            assertThat(counter(s, "parallel_memory_pauses")).as("no memory pressure").isZero();
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void readersHoldBackAbove90PercentOfTheBudget() {
        // a budget of 1 GiB leaves the byte bound (256 MiB) out of play: only the pressure, 95 %, holds readers back
        ScriptedMemoryProbe probe = new ScriptedMemoryProbe(1L << 30, 0.95);
        TestData.Checksum sum = new TestData.Checksum();
        try (StreamingSource s = open(probe)) {
            long chunkBytes;
            try (Chunk first = s.readChunk(CHUNK_ROWS).orElseThrow()) {
                sum.accept(first);
                chunkBytes = bytes(first);
            }
            // with something queued for the consumer, every reader stops reading
            Await.until("every reader to hold back", Duration.ofSeconds(20),
                    () -> counter(s, "parallel_memory_pauses") >= READERS);
            long peak = counter(s, "parallel_queue_peak_bytes");
            // each reader stopped after at most one batch of 5,000 rows read ahead (2-3 chunks), not the 160 chunks
            // of all the files
            assertThat(peak).isPositive().isLessThanOrEqualTo(READERS * 4 * chunkBytes);
            assertThat(counter(s, "parallel_queue_waits")).as("the byte bound never binds").isZero();

            probe.setFraction(0.5);
            for (Optional<Chunk> c; (c = s.readChunk(CHUNK_ROWS)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    sum.accept(chunk);
                }
            }
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theReaderOfTheFileNeededNextIsNeverHeldBack() {
        // Memory stays above 90 % for the whole read. The first file is Parquet, slower to open than the IPC files
        // the other readers start on, so their chunks are queued before it has one: were its reader held back like
        // theirs, the consumer would wait for file 0 forever while the readers wait for the consumer.
        ScriptedMemoryProbe probe = new ScriptedMemoryProbe(1L << 30, 0.95);
        TestData.Checksum sum = new TestData.Checksum();
        try (StreamingSource s = open(mixed, probe)) {
            for (Optional<Chunk> c; (c = s.readChunk(CHUNK_ROWS)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    sum.accept(chunk);
                }
            }
            assertThat(counter(s, "parallel_memory_pauses")).isPositive();
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void closingWhileReadersWorkFreesEveryChunk() {
        // close() interrupts readers wherever they are, also between cutting a chunk and queueing it; the allocator
        // (closed by each source, then here) fails on any buffer left behind
        ScriptedMemoryProbe probe = new ScriptedMemoryProbe(1L << 30, 0.1);
        for (int i = 0; i < 40; i++) {
            try (StreamingSource s = open(probe)) {
                s.readChunk(CHUNK_ROWS).orElseThrow().close();
            }
            assertThat(fx.allocator.getAllocatedMemory()).as("after close #" + i).isZero();
        }
    }
}
