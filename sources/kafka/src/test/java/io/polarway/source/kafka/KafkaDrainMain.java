package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The consumer process of the at-least-once tests: streams a topic with the Kafka source (through
 * {@link AdaptiveStream}, prefetch on) and, per chunk, appends the {@code id} of every row to a file as 8-byte
 * big-endian longs (one write per chunk), prints {@code progress delivered=D committed=C}, then closes the chunk
 * (which lets the source commit it). The test kills it with SIGKILL at random points; what the file holds is what
 * was delivered, whatever happened after.
 *
 * <p>Arguments: {@code key=value} pairs: {@code brokers}, {@code topic}, {@code group}, {@code out} (file),
 * {@code chunk} (rows), optional {@code instance} (static membership), {@code go} (a file whose existence releases
 * the reading: until then the process only joins the group and prints its assignment), {@code end}
 * ({@code stop_at_end}, default true), {@code idle} ({@code idle_timeout_ms}).
 */
public final class KafkaDrainMain {
    private KafkaDrainMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("brokers", a.get("brokers"));
        options.put("group_id", a.get("group"));
        options.put("stop_at_end", a.getOrDefault("end", "true"));
        options.put("session_timeout_ms", "6000");
        options.put("partition_column", "_partition");
        if (a.containsKey("instance")) options.put("group_instance_id", a.get("instance"));
        if (a.containsKey("idle")) options.put("idle_timeout_ms", a.get("idle"));
        SourceConfig config = SourceConfig.of(a.get("topic")).withOptions(options)
                .withChunkSize(Integer.parseInt(a.getOrDefault("chunk", "2000")));
        Path out = Path.of(a.get("out"));
        Path go = a.containsKey("go") ? Path.of(a.get("go")) : null;
        try (AdaptiveStream stream = AdaptiveStream.builder("kafka", config).memoryLimit("1GB").policy("fixed")
                .prefetch(go == null).build();
             FileChannel file = new FileOutputStream(out.toFile(), true).getChannel()) {
            KafkaSource source = (KafkaSource) stream.source();
            System.out.println("started member=" + source.memberId());
            if (go != null) {
                // hold the reading until the test says go, reporting the assignment as it changes
                String last = "";
                while (!Files.exists(go)) {
                    String now = new TreeSet<>(source.assignment().stream().map(tp -> tp.partition()).toList())
                            .toString();
                    if (!now.equals(last)) {
                        System.out.println("assigned " + now);
                        last = now;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                System.out.println("go assigned " + new TreeSet<>(source.assignment().stream()
                        .map(tp -> tp.partition()).toList()));
            }
            long delivered = 0;
            for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                    IntVector partition = (IntVector) chunk.root().getVector("_partition");
                    ByteBuffer buf = ByteBuffer.allocate(chunk.rowCount() * 8);
                    for (int i = 0; i < chunk.rowCount(); i++) buf.putLong(id.get(i));
                    buf.flip();
                    while (buf.hasRemaining()) file.write(buf);
                    delivered += chunk.rowCount();
                    long committed = stream.stats().counters().getOrDefault("kafka_committed_offsets", 0L);
                    System.out.println("progress delivered=" + delivered + " committed=" + committed
                            + " partition=" + partition.get(0));
                }
            }
            System.out.println("done delivered=" + delivered);
        }
        System.out.flush();
    }
}
