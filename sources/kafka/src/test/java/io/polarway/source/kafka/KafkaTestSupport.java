package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryProbe;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.Backends;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** One broker per test class, a topic per test, and helpers to read a source to its end. */
abstract class KafkaTestSupport {
    private static final AtomicInteger NAMES = new AtomicInteger();

    static KafkaBroker startBroker(KafkaBroker.Builder builder) {
        return Backends.start("Kafka broker", builder::start);
    }

    static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    /** A source through the registry (so the factory, its options and the service file are exercised). */
    static StreamingSource open(BufferAllocator allocator, String topic, Map<String, String> options) {
        return open(allocator, SourceConfig.of(topic).withOptions(options));
    }

    static StreamingSource open(BufferAllocator allocator, SourceConfig config) {
        return open(allocator, config, new ScriptedMemoryProbe(1L << 30, 0.1));
    }

    static StreamingSource open(BufferAllocator allocator, SourceConfig config, MemoryProbe memory) {
        SourceContext context = new SourceContext(allocator, memory);
        return SourceRegistry.withDefaults().create("kafka", config, context);
    }

    static RootAllocator allocator() {
        return new RootAllocator(512L << 20);
    }

    /** A (partition, offset, id) per row read, the chunks closed as they come. */
    record Row(int partition, long offset, long id) {
    }

    static List<Row> drain(StreamingSource source, int chunkRows, String idColumn) {
        List<Row> rows = new ArrayList<>();
        for (Optional<Chunk> c; (c = source.readChunk(chunkRows)).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                rows.addAll(rows(chunk, idColumn));
            }
        }
        return rows;
    }

    static List<Row> rows(Chunk chunk, String idColumn) {
        List<Row> rows = new ArrayList<>();
        IntVector p = (IntVector) chunk.root().getVector("_partition");
        BigIntVector o = (BigIntVector) chunk.root().getVector("_offset");
        FieldVector id = idColumn == null ? null : chunk.root().getVector(idColumn);
        for (int i = 0; i < chunk.rowCount(); i++) {
            long idValue = id == null ? -1 : ((BigIntVector) id).get(i);
            rows.add(new Row(p.get(i), o.get(i), idValue));
        }
        return rows;
    }

    /**
     * Reads a source to its end on a thread of its own (chunks of up to 1,000 rows, closed as they come): its rows,
     * when the last chunk came and when the stream ended, for tests that produce while the source reads.
     */
    static final class BackgroundReader {
        final List<Row> rows = Collections.synchronizedList(new ArrayList<>());
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        volatile long lastChunkNanos;
        volatile long endNanos;

        BackgroundReader(StreamingSource source, String idColumn) {
            this.thread = new Thread(() -> {
                try {
                    for (Optional<Chunk> c; (c = source.readChunk(1_000)).isPresent(); ) {
                        try (Chunk chunk = c.get()) {
                            rows.addAll(rows(chunk, idColumn));
                        }
                        lastChunkNanos = System.nanoTime();
                    }
                    endNanos = System.nanoTime();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-reader");
            thread.start();
        }

        int count() {
            return rows.size();
        }

        List<Row> snapshot() {
            synchronized (rows) {
                return new ArrayList<>(rows);
            }
        }

        boolean ended() {
            return !thread.isAlive();
        }

        /** Waits for the stream's end; fails with the reader's failure, if any. */
        void awaitEnd(Duration timeout) {
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (thread.isAlive()) throw new AssertionError("the stream did not end within " + timeout);
            if (failure.get() != null) throw new AssertionError("the reader failed", failure.get());
        }
    }

    static void produceJson(KafkaBroker broker, String topic, int partitions, long count) {
        try (KafkaTopics topics = new KafkaTopics(broker.bootstrapServers())) {
            topics.create(topic, partitions);
            topics.produce(topic, partitions, count, KafkaTopics::jsonRecord);
        }
    }
}
