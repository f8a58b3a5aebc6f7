package io.polarway.bench.objectstore;

import io.polarway.api.Chunk;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import io.polarway.testkit.objectstore.S3ProxyServer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.DownloadRequest;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reading one 1 GiB object (an Arrow IPC stream of 32 M rows) from S3Proxy on 127.0.0.1 into Arrow record batches,
 * three ways, each in its own fork:
 * <ul>
 *   <li>{@code polarway}: the {@code s3} source, parallel ranged parts ({@code part_size} {@code partMiB} MiB,
 *       {@code max_concurrency} parts in flight, reserved from the part budget);</li>
 *   <li>{@code get_object}: the SDK's synchronous client, one GetObject of the whole object, read as a stream;</li>
 *   <li>{@code transfer_manager}: the S3 Transfer Manager on the CRT-based client when the CRT's native library
 *       loads (else on the Java multipart client), downloading into a blocking input stream.</li>
 * </ul>
 * All three hand the bytes to Arrow's IPC reader and count rows, so they do the same work after the network. The
 * score is seconds per object (single shot; throughput = 1 GiB / score); {@link PeakRssProfiler} adds the fork's peak
 * resident memory (heap, direct, Arrow and native) per iteration. The 1 GiB object is generated once into the cache
 * and uploaded to a fresh S3Proxy (filesystem provider) per fork.
 *
 * <pre>java -jar bench/target/benchmarks.jar S3ReadBenchmark -f 1 -wi 1 -i 2 -prof io.polarway.bench.objectstore.PeakRssProfiler</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class S3ReadBenchmark {
    static final String BUCKET = "bench";
    static final String KEY = "object.arrows";

    @Param({"polarway", "get_object", "transfer_manager"})
    public String reader;

    @Param({"1024"})
    public int objectMiB;

    @Param({"4"})
    public int maxConcurrency;

    @Param({"8"})
    public int partMiB;

    private S3ProxyServer s3;
    private long expectedRows;
    private BufferAllocator allocator;
    private S3Client sync;
    private S3TransferManager tm;
    private S3AsyncClient async;
    private boolean crt;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        java.nio.file.Path object = BenchObjects.ipcStream(objectMiB);
        expectedRows = BenchObjects.ipcRows(objectMiB);
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        s3.upload(BUCKET, KEY, object);
        allocator = new RootAllocator();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                S3ProxyServer.SECRET_KEY));
        URI endpoint = URI.create(s3.endpoint());
        switch (reader) {
            case "get_object" -> sync = S3ProxyServer.client(s3.endpoint());
            case "transfer_manager" -> {
                try {
                    async = S3AsyncClient.crtBuilder().endpointOverride(endpoint).forcePathStyle(true)
                            .region(Region.US_EAST_1).credentialsProvider(creds).checksumValidationEnabled(false)
                            .build();
                    crt = true;
                } catch (Throwable t) {
                    System.err.println("CRT client unavailable (" + t + "): Java multipart client instead");
                    async = S3AsyncClient.builder().multipartEnabled(true).endpointOverride(endpoint)
                            .forcePathStyle(true).region(Region.US_EAST_1).credentialsProvider(creds).build();
                }
                tm = S3TransferManager.builder().s3Client(async).build();
                System.err.println("transfer manager on the " + (crt ? "CRT" : "Java") + " client");
            }
            default -> {
            }
        }
    }

    @Benchmark
    public long read() throws Exception {
        long rows = switch (reader) {
            case "polarway" -> polarway();
            case "get_object" -> arrowRows(sync.getObject(g -> g.bucket(BUCKET).key(KEY)));
            case "transfer_manager" -> {
                DownloadRequest<ResponseInputStream<GetObjectResponse>> req = DownloadRequest.builder()
                        .getObjectRequest(g -> g.bucket(BUCKET).key(KEY))
                        .responseTransformer(AsyncResponseTransformer.toBlockingInputStream()).build();
                yield arrowRows(tm.download(req).completionFuture().join().result());
            }
            default -> throw new IllegalArgumentException(reader);
        };
        if (rows != expectedRows) throw new IllegalStateException(reader + " read " + rows + " of " + expectedRows);
        return rows;
    }

    private long polarway() {
        SourceConfig config = SourceConfig.of("s3://" + BUCKET + "/" + KEY)
                .withCredentials(Credentials.Aws.of(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, "us-east-1",
                        null))
                .withParallel(true)
                .withOption("endpoint", s3.endpoint())
                .withOption("part_size", partMiB + "MiB")
                .withOption("max_concurrency", Integer.toString(maxConcurrency));
        long rows = 0;
        MemoryMonitor memory = MemoryMonitor.create(2L << 30, allocator);
        try (StreamingSource source = SourceRegistry.withDefaults().create("s3", config,
                new SourceContext(allocator, memory))) {
            for (Optional<Chunk> c = source.readChunk(64 * 1024); c.isPresent(); c = source.readChunk(64 * 1024)) {
                try (Chunk chunk = c.get()) {
                    rows += chunk.rowCount();
                }
            }
        }
        return rows;
    }

    private long arrowRows(InputStream in) throws IOException {
        long rows = 0;
        try (in; ArrowStreamReader r = new ArrowStreamReader(in, allocator)) {
            while (r.loadNextBatch()) rows += r.getVectorSchemaRoot().getRowCount();
        }
        return rows;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (tm != null) tm.close();
        if (async != null) async.close();
        if (sync != null) sync.close();
        if (allocator != null) allocator.close();
        if (s3 != null) s3.close();
    }
}
