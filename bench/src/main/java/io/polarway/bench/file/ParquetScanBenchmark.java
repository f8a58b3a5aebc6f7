package io.polarway.bench.file;

import io.polarway.api.SourceConfig;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.jni.ReservationListener;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowReader;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parquet through the file source (chunks assembled to {@code chunkRows}, native memory bounded and counted) against a
 * raw arrow-dataset scan of the same file (the peer: batches of 32,768 rows, default pool, nothing assembled). Both
 * touch every batch's id column. Target: the source at ≥ 0.95× the raw scan's throughput with a lower peak memory.
 *
 * <p>One pass per iteration ({@code SingleShotTime}); each reports its peaks as auxiliary results
 * ({@link MemoryPeaks}: Arrow Java, arrow-dataset's native default pool, RssAnon). {@code memoryLimitMB} is the
 * source's budget (0: the machine's RAM, so the file is scanned in one piece like the raw scan; with a budget, files
 * larger than a quarter of its native share are scanned in windows of row groups); it does not apply to the raw scan,
 * so run that with one value only. The file (rows × ~37 B, row groups of 128 Ki rows) is generated once under
 * {@code -Dpolarway.bench.dir} (default the temp dir); 28 M rows make about 1 GB.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar 'ParquetScanBenchmark.rawDatasetScan' -p rows=28000000 -p memoryLimitMB=0 -f 1 -wi 1 -i 3
 * java -jar bench/target/benchmarks.jar 'ParquetScanBenchmark.fileSource' -p rows=28000000 -f 1 -wi 1 -i 3
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"})
public class ParquetScanBenchmark {
    @Param({"4000000"})
    long rows;

    @Param({"100000"})
    int chunkRows;

    @Param({"0", "1024"})
    long memoryLimitMB;

    /** The source's {@code native_pool}: {@code listenable} (the hard bound, default) or {@code default}. */
    @Param({"listenable"})
    String nativePool;

    Path file;

    @Setup
    public void setup() throws Exception {
        file = BenchFiles.parquet("scan-" + rows + ".parquet", 0, rows);
    }

    @Benchmark
    public long fileSource(MemoryPeaks peaks) {
        return BenchFiles.readAll(SourceConfig.of(file.toString()).withOption("native_pool", nativePool), chunkRows,
                memoryLimitMB << 20, peaks);
    }

    @Benchmark
    public long rawDatasetScan(MemoryPeaks peaks) throws Exception {
        return rawScan(peaks, NativeMemoryPool.getDefault());
    }

    /**
     * The raw scan with a listenable native pool whose listener only counts, as the source's pool does (it also
     * bounds): what the source's native-memory accounting costs the scanner by itself.
     */
    @Benchmark
    public long rawDatasetScanListenablePool(MemoryPeaks peaks) throws Exception {
        AtomicLong reserved = new AtomicLong();
        NativeMemoryPool pool = NativeMemoryPool.createListenable(new ReservationListener() {
            @Override
            public void reserve(long size) {
                reserved.addAndGet(size);
            }

            @Override
            public void unreserve(long size) {
                reserved.addAndGet(-size);
            }
        });
        try {
            return rawScan(peaks, pool);
        } finally {
            pool.close();
        }
    }

    private long rawScan(MemoryPeaks peaks, NativeMemoryPool pool) throws Exception {
        long acc = 0;
        peaks.start();
        long arrowPeak;
        try (RootAllocator a = new RootAllocator()) {
            try (FileSystemDatasetFactory f = new FileSystemDatasetFactory(a, pool,
                    FileFormat.PARQUET, file.toUri().toString());
                 Dataset d = f.finish();
                 Scanner s = d.newScan(new ScanOptions(32_768));
                 ArrowReader r = s.scanBatches()) {
                while (r.loadNextBatch()) {
                    int n = r.getVectorSchemaRoot().getRowCount();
                    BigIntVector id = (BigIntVector) r.getVectorSchemaRoot().getVector("id");
                    acc += n + id.get(n - 1);
                }
            }
            arrowPeak = a.getPeakMemoryAllocation();
        }
        peaks.stop(arrowPeak);
        return acc;
    }
}
