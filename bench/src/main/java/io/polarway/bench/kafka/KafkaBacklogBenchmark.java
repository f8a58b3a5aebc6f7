package io.polarway.bench.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceStats;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka scenario of the bench suite: a backlog larger than the profile's memory, consumed through
 * {@link AdaptiveStream} under the profile's memory limit. One invocation reads the whole backlog (records of
 * {@code recordBytes} JSON values on 4 partitions) into Arrow chunks and releases them; the score is the time, the
 * secondary results (JMH aux counters, per invocation) are the records, the peak bytes the source's fetch buffer held,
 * the peak working set the stream sampled and its pauses — the claim is that memory stays bounded by the budget whatever the
 * backlog, with no OOM kill.
 *
 * <p>The fork's heap is capped like the profile's JVM ({@code -Xmx256m} for B1s, 1 GiB of RAM). For a real cgroup
 * limit run the fork in a memory group with the {@code -jvm} wrapper described in {@code shared/notes/runtime.md}.
 * The default backlog is 1.2 GB (over B1s's 1 GiB); smoke runs use {@code -p backlogMb=100}.
 *
 * <pre>java -jar bench/target/benchmarks.jar KafkaBacklogBenchmark -f 1 -wi 0 -i 1 -p backlogMb=100</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xmx256m"})
public class KafkaBacklogBenchmark {
    static final int PARTITIONS = 4;

    /** The VM profile: its memory limit (the guide's recommended limit for B1s is 600 MB). */
    @Param({"b1s"})
    public String profile;

    /** Size of the backlog, MB of values. */
    @Param({"1200"})
    public int backlogMb;

    /** Bytes of each JSON value. */
    @Param({"1000"})
    public int recordBytes;

    private KafkaBroker broker;
    private String topic;
    private long records;

    @Setup(Level.Trial)
    public void produceBacklog() {
        broker = KafkaBroker.builder().heapMb(512).start();
        topic = "backlog-" + ProcessHandle.current().pid();
        records = (long) backlogMb * 1_000_000 / recordBytes;
        byte[] pad = new byte[Math.max(0, recordBytes - 40)];
        Arrays.fill(pad, (byte) 'x');
        String padding = new String(pad, StandardCharsets.US_ASCII);
        try (KafkaTopics topics = new KafkaTopics(broker.bootstrapServers())) {
            topics.create(topic, PARTITIONS);
            topics.produce(topic, PARTITIONS, records, i -> ("{\"id\":" + i + ",\"pad\":\"" + padding + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    @TearDown(Level.Trial)
    public void stopBroker() {
        if (broker != null) broker.close();
    }

    /** Secondary results, summed over the invocations of an iteration (one per iteration in single-shot mode). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Memory {
        public long records;
        public long bufferPeakMB;
        public long workingSetPeakMB;
        public long pauses;

        @Setup(Level.Iteration)
        public void reset() {
            records = 0;
            bufferPeakMB = 0;
            workingSetPeakMB = 0;
            pauses = 0;
        }
    }

    @Benchmark
    public long consumeBacklog(Memory memory, Blackhole bh) {
        String limit = switch (profile) {
            case "b1s" -> "600MB";
            case "b2s" -> "2.5GB";
            default -> throw new IllegalArgumentException("unknown profile " + profile);
        };
        SourceConfig config = SourceConfig.of(topic).withOptions(Map.of("brokers", broker.bootstrapServers(),
                "stop_at_end", "true", "format", "json")).withChunkSize(5_000);
        long rows = 0;
        try (AdaptiveStream stream = AdaptiveStream.builder("kafka", config).memoryLimit(limit).build()) {
            for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    rows += chunk.rowCount();
                    bh.consume(chunk.root());
                }
            }
            SourceStats s = stream.stats();
            memory.records += rows;
            memory.bufferPeakMB = Math.max(memory.bufferPeakMB,
                    s.counters().getOrDefault("kafka_buffer_peak_bytes", 0L) >> 20);
            memory.workingSetPeakMB = Math.max(memory.workingSetPeakMB, s.peakMemoryBytes() >> 20);
            memory.pauses += s.pauses();
        }
        if (rows != records) throw new IllegalStateException("read " + rows + " of " + records);
        return rows;
    }
}
