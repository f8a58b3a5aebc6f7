package io.polarway.bench.csv;

import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.config.ByteSize;
import io.polarway.memory.MemoryMonitor;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
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

import java.io.IOException;
import java.io.Reader;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reading a whole generated CSV file ({@link CsvBenchData}: {@code numeric} or {@code strings}, about {@code size}
 * bytes, page-cached after the first read), side by side in one run:
 * <ul>
 *   <li>{@code polarway1Thread}: the {@code csv} source, typed Arrow columns, chunks of 64 Ki rows, one thread;</li>
 *   <li>{@code polarway2Threads}: the same through {@link AdaptiveStream} with {@code parallel} on 2 reader threads
 *       (the file split at record boundaries outside quotes, quote-parity pre-scan included), fixed chunk policy;</li>
 *   <li>{@code fastCsv}: FastCSV 4 parsing the same bytes into records of strings (no typing), one thread;</li>
 *   <li>{@code univocity}: univocity 2.9 parsing into {@code String[]} rows, input read on the same thread;</li>
 *   <li>{@code arrowCpp}: Arrow C++'s CSV reader through the Dataset JNI ({@code arrow-dataset}), typed Arrow
 *       batches, on its own thread pool (all cores);</li>
 *   <li>{@code newlineCount}: counting line breaks eight bytes at a time over the same positional reads — the
 *       ceiling for any reader of these bytes.</li>
 * </ul>
 * Each returns the records (or line breaks) it saw, so no work is dead. Time per file read; MB/s = file bytes / time.
 * Secondary results: process CPU seconds per file ({@link Cpu}), which a busy machine distorts less than wall time.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar CsvReadBenchmark                       # ~1 GB files
 * java -jar bench/target/benchmarks.jar CsvReadBenchmark -p size=64MB -f 1 -wi 1 -i 2   # smoke run
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx2g", "-Xms2g"})
public class CsvReadBenchmark {
    private static final int CHUNK_ROWS = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Param({"numeric", "strings"})
    public String dataset;

    /** Approximate file size; {@code -p size=64MB} for a smoke run. */
    @Param({"1GB"})
    public String size;

    private Path file;
    private long rows;
    private BufferAllocator allocator;
    private SourceRegistry registry;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        file = CsvBenchData.ensure(dataset, ByteSize.parse(size));
        rows = CsvBenchData.rows(file);
        allocator = new RootAllocator();
        registry = SourceRegistry.withDefaults();
        System.err.printf("%n[csv] %s: %,d bytes, %,d records%n", file, Files.size(file), rows);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
    }

    @Benchmark
    public long polarway1Thread(Cpu cpu) {
        cpu.begin();
        SourceContext context = new SourceContext(allocator, MemoryMonitor.create(0, allocator));
        long n = 0;
        try (StreamingSource source = registry.create("csv", SourceConfig.of(file.toString()), context)) {
            for (Optional<Chunk> c; (c = source.readChunk(CHUNK_ROWS)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    n += chunk.rowCount();
                }
            }
        }
        cpu.end();
        return check(n);
    }

    @Benchmark
    public long polarway2Threads(Cpu cpu) {
        cpu.begin();
        long n = 0;
        try (AdaptiveStream stream = AdaptiveStream.builder("csv", SourceConfig.of(file.toString()))
                .allocator(allocator).parallel(true).parallelism(2).policy("fixed").chunkSize(CHUNK_ROWS).build()) {
            for (Chunk chunk : stream) {
                try (chunk) {
                    n += chunk.rowCount();
                }
            }
        }
        cpu.end();
        return check(n);
    }

    @Benchmark
    public long fastCsv(Cpu cpu) throws IOException {
        cpu.begin();
        long n = 0;
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(file)) {
            for (CsvRecord r : reader) n += r.getFieldCount() > 0 ? 1 : 0;
        }
        cpu.end();
        return check(n - 1); // FastCSV returns the header as a record
    }

    @Benchmark
    public long univocity(Cpu cpu) throws IOException {
        cpu.begin();
        CsvParserSettings settings = new CsvParserSettings();
        settings.getFormat().setLineSeparator("\n");
        settings.setLineSeparatorDetectionEnabled(false);
        settings.setReadInputOnSeparateThread(false);
        settings.setMaxCharsPerColumn(-1);
        settings.setHeaderExtractionEnabled(true);
        CsvParser parser = new CsvParser(settings);
        long n = 0;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            parser.beginParsing(in);
            for (String[] row; (row = parser.parseNext()) != null; ) n += row.length > 0 ? 1 : 0;
        } finally {
            parser.stopParsing();
        }
        cpu.end();
        return check(n);
    }

    @Benchmark
    public long arrowCpp(Cpu cpu) throws Exception {
        cpu.begin();
        long n = 0;
        try (FileSystemDatasetFactory factory = new FileSystemDatasetFactory(allocator, NativeMemoryPool.getDefault(),
                FileFormat.CSV, file.toUri().toString());
             Dataset dataset = factory.finish();
             Scanner scanner = dataset.newScan(new ScanOptions(CHUNK_ROWS));
             ArrowReader reader = scanner.scanBatches()) {
            while (reader.loadNextBatch()) n += reader.getVectorSchemaRoot().getRowCount();
        }
        cpu.end();
        return check(n);
    }

    @Benchmark
    public long newlineCount(Cpu cpu) throws IOException {
        cpu.begin();
        byte[] b = new byte[1 << 20];
        ByteBuffer bb = ByteBuffer.wrap(b);
        long lines = 0;
        long nl = 0x0A0A0A0A0A0A0A0AL;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (long p = 0; ; ) {
                bb.clear();
                int n = ch.read(bb, p);
                if (n <= 0) break;
                int i = 0;
                for (; i + 8 <= n; i += 8) {
                    long v = (long) LONGS.get(b, i) ^ nl;
                    long y = (v & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL;
                    lines += Long.bitCount(~(y | v | 0x7F7F7F7F7F7F7F7FL));
                }
                for (; i < n; i++) if (b[i] == '\n') lines++;
                p += n;
            }
        }
        cpu.end();
        return check(lines - 1);
    }

    /**
     * CPU seconds of the whole process (every thread: readers, GC, Arrow C++'s pool) per file read, as secondary
     * results {@code cpuSeconds} and {@code files} (divide one by the other). On a shared machine wall time measures the
     * scheduler as much as the reader; CPU time per file measures the work.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Cpu {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        public double cpuSeconds;
        public long files;
        private long start;

        @Setup(Level.Iteration)
        public void reset() {
            cpuSeconds = 0;
            files = 0;
        }

        void begin() {
            start = OS.getProcessCpuTime();
        }

        void end() {
            cpuSeconds += (OS.getProcessCpuTime() - start) / 1e9;
            files++;
        }
    }

    private long check(long n) {
        if (n != rows) throw new IllegalStateException(dataset + ": read " + n + " records, expected " + rows);
        return n;
    }
}
