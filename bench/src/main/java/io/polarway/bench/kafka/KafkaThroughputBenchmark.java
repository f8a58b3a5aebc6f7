package io.polarway.bench.kafka;

import com.fasterxml.jackson.core.JsonParser;
import io.polarway.api.Chunk;
import io.polarway.records.JsonValues;
import io.polarway.api.SourceConfig;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Records per second from a Kafka topic: the Kafka source into Arrow chunks (through {@link AdaptiveStream}, the
 * product path: {@code format=string} puts the value in one utf8 column, {@code format=json} parses every value
 * into typed columns) against a plain {@code poll} loop over the same topic that touches each value and builds
 * nothing (the peer; the target is at least 0.8× of it for {@code string}). One invocation reads the whole topic
 * (1,000,000 JSON records of ~50 bytes, 4 partitions) from the beginning, without a consumer group. The broker is a
 * real one (KRaft) in its own process on this machine, so it shares the CPUs with the benchmark. The stream's
 * budget (2 GB) is well above the fork's heap (512 MB): this measures reading, not pausing (a budget below the heap
 * the JVM grows to makes the gate pause, as it should).
 *
 * <pre>java -jar bench/target/benchmarks.jar KafkaThroughputBenchmark -f 1 -wi 2 -i 3</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xmx512m"})
public class KafkaThroughputBenchmark {
    static final int RECORDS = 1_000_000;
    static final int PARTITIONS = 4;

    /**
     * {@code plain}: the poll loop; {@code plain-json}: the poll loop parsing each value into a map with the same
     * Jackson reader the source uses (what a hand-written consumer does, without building Arrow); {@code string},
     * {@code json}: the Kafka source with that value format.
     */
    @Param({"plain", "plain-json", "string", "json"})
    public String reader;

    /** The source's {@code buffer_max_bytes}, or {@code default} (derived from the budget). */
    @Param({"default"})
    public String buffer;

    private KafkaBroker broker;
    private String topic;

    @Setup(Level.Trial)
    public void startBroker() {
        broker = KafkaBroker.start();
        topic = "bench-" + ProcessHandle.current().pid();
        try (KafkaTopics topics = new KafkaTopics(broker.bootstrapServers())) {
            topics.create(topic, PARTITIONS);
            topics.produce(topic, PARTITIONS, RECORDS, KafkaTopics::jsonRecord);
        }
    }

    @TearDown(Level.Trial)
    public void stopBroker() {
        if (broker != null) broker.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long readTopic(Blackhole bh) {
        return reader.startsWith("plain") ? plainPoll(bh, reader.equals("plain-json")) : polarway(bh);
    }

    private long polarway(Blackhole bh) {
        SourceConfig config = SourceConfig.of(topic).withOptions(Map.of("brokers", broker.bootstrapServers(),
                "stop_at_end", "true", "format", reader));
        if (!buffer.equals("default")) config = config.withOption("buffer_max_bytes", buffer);
        long rows = 0;
        try (AdaptiveStream stream = AdaptiveStream.builder("kafka", config).memoryLimit("2GB").build()) {
            for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    rows += chunk.rowCount();
                    bh.consume(chunk.root());
                }
            }
        }
        if (rows != RECORDS) throw new IllegalStateException("read " + rows + " of " + RECORDS);
        return rows;
    }

    private long plainPoll(Blackhole bh, boolean parseJson) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long rows = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, i.partition()));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            while (rows < RECORDS) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (parseJson) bh.consume(parse(r.value()));
                    else bh.consume(r.value());
                    rows++;
                }
            }
        }
        return rows;
    }

    private static Object parse(byte[] value) {
        try (JsonParser p = JsonValues.FACTORY.createParser(value)) {
            p.nextToken();
            return JsonValues.read(p, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
