package io.polarway.source.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.memory.MemorySnapshot;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import io.polarway.stream.StreamListener;
import io.polarway.testing.Await;
import io.polarway.testing.RowChecker;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A parallel scan paused by memory pressure sends no request while paused (a DynamoDB cursor is a key, not a lease:
 * it does not expire) and, resumed, reads every item once.
 */
class DynamoDbBackpressureTest {
    static final int N = 5_000;
    static final String TABLE = "paused";
    static SeededTables tables;

    @BeforeAll
    static void seed() {
        tables = Local.tables(TABLE, N);
    }

    @Test
    void pausedSegmentsSendNothingAndResumeWhereTheyStopped() {
        ScriptedMemoryProbe memory = new ScriptedMemoryProbe(1L << 30, 0.30);
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger resumes = new AtomicInteger();
        StreamListener listener = new StreamListener() {
            @Override
            public void onPause(MemorySnapshot m) {
                pauses.incrementAndGet();
            }

            @Override
            public void onResume(MemorySnapshot m, long pausedNanos) {
                resumes.incrementAndGet();
            }
        };
        RowChecker rows = new RowChecker();
        try (DynamoDbFaultProxy proxy = DynamoDbFaultProxy.start(tables.endpoint());
             RootAllocator allocator = new RootAllocator(256L << 20)) {
            SourceConfig config = Local.config(proxy.endpoint(), TABLE).withOption("limit", "100")
                    .withOption("infer_schema_length", "50").withOption("total_segments", "2").withParallel(true);
            try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).allocator(allocator)
                    .memoryProbe(memory).listener(listener).parallelism(2).chunkSize(100).policy("fixed")
                    .maxQueueBytes(256 << 10).build()) {
                for (int i = 0; i < 3; i++) {
                    try (Chunk c = stream.next().orElseThrow()) {
                        rows.accept(c);
                    }
                }
                memory.setFraction(0.95);
                Await.until("reading to pause", Duration.ofSeconds(30), () -> pauses.get() > 0);
                // Let the paused readers re-check the gate many times (each check is a memory sample), twice over.
                int s0 = memory.samples();
                Await.until("paused readers polling", Duration.ofSeconds(60), () -> memory.samples() > s0 + 200);
                long before = proxy.requests("Scan");
                int s1 = memory.samples();
                Await.until("paused readers polling", Duration.ofSeconds(60), () -> memory.samples() > s1 + 200);
                assertThat(proxy.requests("Scan")).as("Scan requests while paused").isEqualTo(before);
                assertThat(resumes.get()).isZero();

                memory.setFraction(0.30);
                for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        rows.accept(chunk);
                    }
                }
                assertThat(resumes.get()).isPositive();
            }
        }
        assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
    }
}
