package io.polarway.bench.file;

import io.polarway.api.SourceConfig;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * An Arrow IPC file through the file source memory-mapped (no copy), through the file source with
 * {@code use_mmap=false}, and with Arrow's {@code ArrowFileReader} over a file channel (the peer: one copy per batch).
 * Chunks equal the record batches (64 Ki rows), so the source only maps and wraps. Target: mmap ≥ 3× the reader.
 * The file stays in the page cache between iterations, so this measures the copy, not the disk.
 *
 * <pre>java -jar bench/target/benchmarks.jar IpcReadBenchmark -f 1 -wi 2 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"})
public class IpcReadBenchmark {
    @Param({"8000000"})
    long rows;

    Path file;

    @Setup
    public void setup() throws Exception {
        file = BenchFiles.ipc("ipc-" + rows + ".arrow", rows);
    }

    @Benchmark
    public long sourceMmap() {
        return BenchFiles.readAll(SourceConfig.of(file.toString()), 65_536);
    }

    @Benchmark
    public long sourceChannel() {
        return BenchFiles.readAll(SourceConfig.of(file.toString()).withOption("use_mmap", "false"), 65_536);
    }

    @Benchmark
    public long arrowFileReader() throws Exception {
        long acc = 0;
        try (RootAllocator a = new RootAllocator();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             ArrowFileReader r = new ArrowFileReader(ch, a)) {
            while (r.loadNextBatch()) {
                int n = r.getVectorSchemaRoot().getRowCount();
                acc += n + ((BigIntVector) r.getVectorSchemaRoot().getVector("id")).get(n - 1);
            }
        }
        return acc;
    }
}
