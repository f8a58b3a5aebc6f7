package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryProbe;
import io.polarway.memory.MemorySnapshot;
import io.polarway.testing.Await;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At least once, proven by killing processes: the consumer runs in its own JVM ({@link KafkaDrainMain}), is killed
 * with SIGKILL at random points and restarted with the same group; every record must arrive, and the duplicates of
 * each kill must not exceed what that process had delivered and not yet committed. Waits on the child's progress
 * lines, never on time. Also in-process: a rebalance in the middle of a {@code stop_at_end} read must not end the
 * stream before the records it took back are delivered.
 */
class KafkaAtLeastOnceTest extends KafkaTestSupport {
    private static final Pattern PROGRESS = Pattern.compile("progress delivered=(\\d+) committed=(\\d+)");
    static KafkaBroker broker;
    static KafkaTopics topics;

    @BeforeAll
    static void startBroker() {
        broker = startBroker(KafkaBroker.builder());
        topics = new KafkaTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (topics != null) topics.close();
        if (broker != null) broker.close();
    }

    private ExternalProcess child(String name, Path dir, List<String> args, boolean waitStarted) {
        List<String> jvm = List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx384m",
                "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        ExternalProcess.Builder b = ExternalProcess.builder(name)
                .java(jvm, System.getProperty("java.class.path"), KafkaDrainMain.class.getName(), args)
                .log(dir.resolve(name + ".log"))
                .startTimeout(Duration.ofSeconds(90));
        if (waitStarted) b.readyWhenLogMatches("^started ");
        return b.start();
    }

    @Test
    void aConsumerKilledTenTimesWhileConsumingAMillionRecordsLosesNothing(@TempDir Path dir) throws IOException {
        String topic = unique("kill");
        String group = unique("g");
        int records = 1_000_000;
        int chunkRows = 2_000;
        produceJson(broker, topic, 4, records);
        Random random = new Random(42);
        long committedBefore = 0;
        long totalDuplicates = 0;
        List<String> report = new ArrayList<>();
        for (int run = 0; run <= 10; run++) {
            Path out = dir.resolve("out-" + run + ".bin");
            List<String> args = List.of("brokers=" + broker.bootstrapServers(), "topic=" + topic, "group=" + group,
                    "instance=drainer", "out=" + out, "chunk=" + chunkRows);
            ExternalProcess p = child("drain-" + run, dir, args, true);
            long target = 20_000 + random.nextInt(100_000);
            if (run < 10) {
                Await.until("run " + run + " delivering " + target + " records", Duration.ofSeconds(120),
                        () -> lastProgress(p)[0] >= target || !p.isAlive());
                assertThat(p.isAlive()).as("run %d ended before its kill point: %s", run, p.logTail(20)).isTrue();
                p.kill();
            } else {
                Await.until("the last run to finish", Duration.ofSeconds(180), () -> !p.isAlive());
                assertThat(p.process().exitValue()).as(p.logTail(30)).isZero();
            }
            long[] last = lastProgress(p);
            long written = Files.size(out) / 8; // a record cut by the kill was never released: not counted
            long committedNow = topics.committedSum(group, topic);
            long duplicates = written - (committedNow - committedBefore);
            // Killed after reporting `last`, the process can have written at most one more chunk, and everything
            // it delivered beyond what it had committed is read again by the next run: that is the bound.
            long bound = last[0] - last[1] + chunkRows;
            report.add("run " + run + ": wrote " + written + ", committed +" + (committedNow - committedBefore)
                    + ", duplicates " + duplicates + " (bound " + bound + ")");
            assertThat(duplicates).as("run %d", run).isBetween(0L, bound);
            totalDuplicates += duplicates;
            committedBefore = committedNow;
        }
        BitSet seen = new BitSet(records);
        long lines = 0;
        for (int run = 0; run <= 10; run++) {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("out-" + run + ".bin")));
            while (buf.remaining() >= 8) {
                long id = buf.getLong();
                assertThat(id).isBetween(0L, records - 1L);
                seen.set((int) id);
                lines++;
            }
        }
        System.out.println(String.join("\n", report) + "\ntotal duplicates " + totalDuplicates + " of " + lines);
        assertThat(seen.cardinality()).as("distinct records delivered").isEqualTo(records);
        assertThat(lines - records).isEqualTo(totalDuplicates);
        assertThat(committedBefore).isEqualTo(records);
    }

    @Test
    void twoConsumerProcessesInOneGroupSplitThePartitionsAndTogetherDeliverEveryRecord(@TempDir Path dir)
            throws IOException {
        String topic = unique("split");
        String group = unique("g");
        int records = 100_000;
        produceJson(broker, topic, 4, records);
        Path go = dir.resolve("go");
        List<ExternalProcess> children = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            children.add(child("split-" + name, dir, List.of("brokers=" + broker.bootstrapServers(), "topic=" + topic,
                    "group=" + group, "out=" + dir.resolve(name + ".bin"), "chunk=1000", "go=" + go), true));
        }
        // both members hold two partitions each before either reads anything
        for (ExternalProcess c : children) {
            Await.until(c.name() + " holding two partitions", Duration.ofSeconds(120),
                    () -> lastAssignment(c).split(",").length == 2 || !c.isAlive());
        }
        Files.createFile(go);
        for (ExternalProcess c : children) {
            Await.until(c.name() + " to finish", Duration.ofSeconds(120), () -> !c.isAlive());
            assertThat(c.process().exitValue()).as(c.logTail(30)).isZero();
        }
        BitSet seen = new BitSet(records);
        List<BitSet> partitionsOf = new ArrayList<>();
        long total = 0;
        for (String name : List.of("a", "b")) {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name + ".bin")));
            BitSet mine = new BitSet(records);
            BitSet partitions = new BitSet(4);
            while (buf.remaining() >= 8) {
                long id = buf.getLong();
                mine.set((int) id);
                partitions.set((int) (id % 4)); // the producer wrote record i to partition i % 4
                total++;
            }
            // each read exactly its two partitions, all of them (a member that finishes first leaves the group, and
            // the other may re-read its own uncommitted tail after that rebalance: duplicates, never another's rows)
            String tail = children.get(name.equals("a") ? 0 : 1).logTail(6);
            assertThat(partitions.cardinality()).as("partitions read by %s: %s", name, tail).isEqualTo(2);
            assertThat(mine.cardinality()).as("distinct records of consumer %s: %s", name, tail)
                    .isEqualTo(records / 2);
            seen.or(mine);
            partitionsOf.add(partitions);
        }
        assertThat(partitionsOf.get(0).intersects(partitionsOf.get(1))).isFalse();
        assertThat(seen.cardinality()).isEqualTo(records);
        assertThat(total).isGreaterThanOrEqualTo(records);
        System.out.println("two consumers: " + total + " rows for " + records + " records");
        for (ExternalProcess c : children) {
            // what each went through: assignments while reading, offsets delivered, revocations and drops
            for (String line : Files.readAllLines(c.log())) {
                if (!line.startsWith("progress")) System.out.println(c.name() + ": " + line);
            }
        }
        assertThat(topics.committedSum(group, topic)).isEqualTo(records);
    }

    /**
     * The race behind a loss seen once in the test above: consumer A has fetched its partitions to the end (its
     * records wait in its buffer), then an eager rebalance (the default assignor) revokes every partition, dropping
     * the buffered records, before it assigns the partitions again. Until the new assignment, "fetched to the end"
     * and "buffer empty" must not be read as the end of the stream, or A stops without the records it dropped.
     *
     * <p>The window is held open deterministically: a plain consumer C of the same group stops polling, so the
     * rebalance that a new member B starts cannot complete (the coordinator waits for C to rejoin), while A has
     * already revoked its partitions. A's consumer thread is held at a memory-probe gate (it samples memory before
     * each poll) until the rebalance is under way, so that the poll in which it revokes lasts its full
     * {@code poll_timeout_ms}. A's reader starts inside the window; only then does C rejoin.
     */
    @Test
    void aRebalanceInTheMiddleOfAStopAtEndReadDoesNotEndTheStreamBeforeTheDroppedRecordsAreReadAgain() {
        String topic = unique("rebalance-end");
        String group = unique("g");
        int records = 40_000;
        int partitions = 4;
        produceJson(broker, topic, partitions, records);
        GatedProbe gate = new GatedProbe();
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "300000");
        try (RootAllocator allocator = allocator();
             KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            Await.until("C holding every partition", Duration.ofSeconds(60), () -> {
                c.poll(Duration.ofMillis(50));
                return c.assignment().size() == partitions;
            });
            Map<String, String> options = new HashMap<>(Map.of("brokers", broker.bootstrapServers(),
                    "group_id", group, "stop_at_end", "true",
                    // the poll in which A revokes its partitions lasts this long while the rebalance is held
                    "poll_timeout_ms", "10000",
                    "consumer_properties", "heartbeat.interval.ms=200"));
            List<Row> delivered = new ArrayList<>();
            Set<TopicPartition> mine;
            long dropped;
            long atEnd;
            try (StreamingSource a = open(allocator, SourceConfig.of(topic).withOptions(options), gate.probe)) {
                KafkaSource ka = (KafkaSource) a;
                try {
                    Await.until("A and C holding two partitions each", Duration.ofSeconds(60), () -> {
                        c.poll(Duration.ofMillis(50));
                        return ka.assignment().size() == 2 && c.assignment().size() == 2;
                    });
                    for (int i = 0; i < 2; i++) {
                        try (Chunk chunk = a.readChunk(1_000).orElseThrow()) {
                            delivered.addAll(rows(chunk, "id"));
                        }
                    }
                    Await.until("A to fetch its partitions to the end", Duration.ofSeconds(60),
                            () -> counter(a, "kafka_partitions_at_end") == 2);
                    gate.close();
                    Await.until("A's consumer thread held at the gate", Duration.ofSeconds(60), gate::holding);
                    Map<String, String> bOptions = new HashMap<>(options);
                    bOptions.put("stop_at_end", "false");
                    bOptions.remove("poll_timeout_ms");
                    try (StreamingSource b = open(allocator, SourceConfig.of(topic).withOptions(bOptions))) {
                        Await.until("B's join to start a rebalance", Duration.ofSeconds(60),
                                () -> topics.describeGroup(group).groupState() == GroupState.PREPARING_REBALANCE);
                        gate.open();
                        Await.until("A to revoke its partitions", Duration.ofSeconds(60),
                                () -> ka.assignment().isEmpty());
                        dropped = counter(a, "kafka_records_dropped_on_revoke");
                        assertThat(dropped).as("records dropped by the revocation").isPositive();
                        // A's reader starts while the rebalance is held open: it must wait, not end
                        AtomicReference<Throwable> failure = new AtomicReference<>();
                        List<Row> rest = new ArrayList<>();
                        Thread reader = new Thread(() -> {
                            try {
                                rest.addAll(drain(a, 1_000, "id"));
                            } catch (Throwable t) {
                                failure.set(t);
                            }
                        }, "test-reader-of-A");
                        reader.start();
                        Await.until("A's reader to wait for records or to end", Duration.ofSeconds(60),
                                () -> !reader.isAlive() || reader.getState() == Thread.State.TIMED_WAITING);
                        // C rejoins: the rebalance completes, A gets partitions again and reads them to their end
                        Await.until("A's reader to end and A to hold partitions again", Duration.ofSeconds(120),
                                () -> {
                                    c.poll(Duration.ofMillis(50));
                                    return !reader.isAlive() && !ka.assignment().isEmpty();
                                });
                        assertThat(failure.get()).isNull();
                        delivered.addAll(rest);
                        mine = ka.assignment();
                        atEnd = counter(a, "kafka_partitions_at_end");
                    }
                } finally {
                    gate.open(); // also when the test failed with the consumer's thread held: A must close
                }
            }
            BitSet seen = new BitSet(records);
            for (Row r : delivered) seen.set((int) r.id());
            for (TopicPartition tp : mine) {
                int missing = 0;
                for (int id = tp.partition(); id < records; id += partitions) {
                    if (!seen.get(id)) missing++;
                }
                assertThat(missing).as("records of %s (A's after the rebalance) A never delivered; it delivered %d "
                        + "in all and dropped %d at the revocation", tp, delivered.size(), dropped).isZero();
            }
            assertThat(atEnd).as("A's partitions fetched to the end").isEqualTo(mine.size());
            // and A committed all of it when it closed
            Map<TopicPartition, Long> committed = topics.committed(group);
            for (TopicPartition tp : mine) {
                assertThat(committed.get(tp)).as("committed offset of %s", tp).isEqualTo(records / partitions);
            }
        }
    }

    private static long counter(StreamingSource s, String name) {
        return s.stats().counters().getOrDefault(name, 0L);
    }

    /**
     * A memory probe (low pressure) whose {@code sample()} blocks while the gate is closed. Only the consumer's thread
     * samples memory (before each poll), so closing the gate holds that thread between polls.
     */
    private static final class GatedProbe {
        private final ScriptedMemoryProbe scripted = new ScriptedMemoryProbe(1L << 30, 0.1);
        private boolean closed;
        private boolean holding;
        final MemoryProbe probe = new MemoryProbe() {
            @Override
            public MemorySnapshot sample() {
                synchronized (GatedProbe.this) {
                    while (closed) {
                        holding = true;
                        try {
                            GatedProbe.this.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                    holding = false;
                }
                return scripted.sample();
            }

            @Override
            public long budgetBytes() {
                return scripted.budgetBytes();
            }
        };

        synchronized void close() {
            closed = true;
        }

        synchronized void open() {
            closed = false;
            notifyAll();
        }

        synchronized boolean holding() {
            return holding;
        }
    }

    private static long[] lastProgress(ExternalProcess p) {
        String text;
        try {
            text = Files.exists(p.log()) ? Files.readString(p.log()) : "";
        } catch (IOException e) {
            return new long[]{0, 0};
        }
        long[] last = {0, 0};
        Matcher m = PROGRESS.matcher(text);
        while (m.find()) {
            last[0] = Long.parseLong(m.group(1));
            last[1] = Long.parseLong(m.group(2));
        }
        return last;
    }

    private static String lastAssignment(ExternalProcess p) {
        try {
            String text = Files.exists(p.log()) ? Files.readString(p.log()) : "";
            Matcher m = Pattern.compile("^assigned \\[(.*)]$", Pattern.MULTILINE).matcher(text);
            String last = "";
            while (m.find()) last = m.group(1);
            return last;
        } catch (IOException e) {
            return "";
        }
    }
}
