package io.polarway.bench.micro;

import io.polarway.api.StatsRecorder;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The CSV parser's cost per input byte, for the regression gate: 8 MB of in-memory CSV (an int64, a float64, a
 * 12-byte string and a bool column, seeded) parsed by the {@code csv} text format into typed Arrow chunks of 65,536
 * rows. In memory, so disk and page cache do not add noise; the whole-file comparison with FastCSV, univocity and
 * Arrow C++ is {@code CsvReadBenchmark}.
 *
 * <pre>java -jar bench/target/benchmarks.jar CsvParseBenchmark -f 1</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CsvParseBenchmark {
    private static final int TARGET_BYTES = 8 << 20;
    private byte[] csv;
    private TextFormat format;
    private io.polarway.config.Options options;
    private BufferAllocator allocator;
    private Inject inject;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(TARGET_BYTES + 1024).append("id,amount,code,flag\n");
        for (long i = 0; sb.length() < TARGET_BYTES; i++) {
            sb.append(i).append(',').append(r.nextInt(1_000_000) / 100.0).append(',');
            for (int k = 0; k < 12; k++) sb.append((char) ('a' + r.nextInt(26)));
            sb.append(',').append(r.nextBoolean()).append('\n');
        }
        csv = sb.toString().getBytes(StandardCharsets.US_ASCII);
        format = TextFormats.installed().require("csv", "format");
        options = format.options().parse(Map.of());
        allocator = new RootAllocator();
        inject = Inject.forBenchmark(CsvParseBenchmark.class);
    }

    @Benchmark
    public long parse() {
        long rows = parseOnce();
        if (inject.repeat()) rows += parseOnce();
        return rows;
    }

    private long parseOnce() {
        long rows = 0;
        try (FormatReader reader = format.open(new ByteArrayInputStream(csv), "bench.csv", options,
                new StatsRecorder())) {
            while (true) {
                VectorSchemaRoot root = reader.read(allocator, 65_536);
                if (root == null) break;
                try (root) {
                    rows += root.getRowCount();
                }
            }
        }
        return rows;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
    }
}
