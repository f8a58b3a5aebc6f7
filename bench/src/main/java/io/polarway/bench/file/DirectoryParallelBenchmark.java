package io.polarway.bench.file;

import io.polarway.api.SourceConfig;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A directory of 100 Parquet files read sequentially and in parallel (the source's own readers, ordered output,
 * {@code max_concurrency} threads). Run it under the B2s profile (2 vCPU, 4 GiB) with the bench runner's cgroup
 * wrapper for the profile figure; on its own it shows the speed-up on this machine.
 *
 * <pre>java -jar bench/target/benchmarks.jar DirectoryParallelBenchmark -f 1 -wi 2 -i 5</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"})
public class DirectoryParallelBenchmark {
    @Param({"100"})
    int files;

    @Param({"40000"})
    int rowsPerFile;

    @Param({"2"})
    int maxConcurrency;

    Path dir;

    @Setup
    public void setup() throws Exception {
        dir = Files.createDirectories(BenchFiles.dir().resolve("dir-" + files + "x" + rowsPerFile));
        for (int i = 0; i < files; i++) {
            Path target = dir.resolve(String.format("part-%03d.parquet", i));
            if (!Files.exists(target)) {
                Path f = BenchFiles.parquet("dir-" + files + "x" + rowsPerFile + "-" + i + ".parquet",
                        (long) i * rowsPerFile, rowsPerFile);
                Files.move(f, target);
            }
        }
    }

    @Benchmark
    public long sequential() {
        return BenchFiles.readAll(SourceConfig.of(dir.toString()), 50_000);
    }

    @Benchmark
    public long parallel() {
        return BenchFiles.readAll(SourceConfig.of(dir.toString()).withParallel(true)
                .withOption("max_concurrency", Integer.toString(maxConcurrency)), 50_000);
    }
}
