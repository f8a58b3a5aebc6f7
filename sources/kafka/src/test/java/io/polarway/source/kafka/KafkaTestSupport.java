package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.Backends;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

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

    static StreamingSource open(BufferAllocator allocator, SourceConfig config, ScriptedMemoryProbe memory) {
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

    static void produceJson(KafkaBroker broker, String topic, int partitions, long count) {
        try (KafkaTopics topics = new KafkaTopics(broker.bootstrapServers())) {
            topics.create(topic, partitions);
            topics.produce(topic, partitions, count, KafkaTopics::jsonRecord);
        }
    }
}
