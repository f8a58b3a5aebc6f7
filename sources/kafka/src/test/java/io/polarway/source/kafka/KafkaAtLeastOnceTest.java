package io.polarway.source.kafka;

import io.polarway.testing.Await;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
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
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At least once, proven by killing processes: the consumer runs in its own JVM ({@link KafkaDrainMain}), is killed
 * with SIGKILL at random points and restarted with the same group; every record must arrive, and the duplicates of
 * each kill must not exceed what that process had delivered and not yet committed. Waits on the child's progress
 * lines, never on time.
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
            assertThat(partitions.cardinality()).as("partitions read by %s", name).isEqualTo(2);
            assertThat(mine.cardinality()).as("distinct records of consumer %s", name).isEqualTo(records / 2);
            seen.or(mine);
            partitionsOf.add(partitions);
        }
        assertThat(partitionsOf.get(0).intersects(partitionsOf.get(1))).isFalse();
        assertThat(seen.cardinality()).isEqualTo(records);
        assertThat(total).isGreaterThanOrEqualTo(records);
        System.out.println("two consumers: " + total + " rows for " + records + " records");
        assertThat(topics.committedSum(group, topic)).isEqualTo(records);
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
