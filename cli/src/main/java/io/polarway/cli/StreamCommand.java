package io.polarway.cli;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceStats;
import io.polarway.cli.output.ChunkWriter;
import io.polarway.cli.output.OutputFormat;
import io.polarway.config.ByteSize;
import io.polarway.error.ConfigException;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.vector.types.pojo.Schema;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Stream LOCATION from a source into Arrow chunks whose size follows memory pressure.",
                "With --output every row is written (.csv, .arrow, .jsonl or .parquet); without it the rows are read and "
                        + "dropped, which measures the source.",
                "Exit codes: 0 ok, 1 error, 2 configuration or usage error, 3 memory limit."},
        footer = {"", "Example:",
                "  polarway stream synthetic --source generate --option rows=1000000 --memory-limit 600MB "
                        + "--output out.csv --stats stats.json"})
final class StreamCommand implements Callable<Integer> {
    @ParentCommand
    private Polarway root;

    @Parameters(index = "0", paramLabel = "LOCATION",
            description = "What to read: a path, URI, URL, table or topic (any label for 'generate').")
    String location;

    @Option(names = "--source", required = true, paramLabel = "TYPE",
            description = "Source type (see 'polarway sources').")
    String type;

    @Option(names = "--option", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "A source option; repeatable. The first '=' splits key and value.")
    List<KeyValue> options = new ArrayList<>();

    @Option(names = "--memory-limit", paramLabel = "SIZE", converter = Converters.Size.class,
            description = "Hard memory limit, e.g. 600MB, 2GB, 1.5GiB (default: the cgroup limit, else RAM).")
    Long memoryLimit;

    @Option(names = "--profile", paramLabel = "VM",
            description = "Size for a VM profile (B1s, B2s, B4ms, t3.micro, ...): its recommended memory limit and "
                    + "chunk-size clamps, unless given explicitly.")
    String profile;

    @Option(names = "--chunk-size", paramLabel = "ROWS", converter = Converters.PositiveInt.class,
            description = "Initial chunk size in rows (default: " + SourceConfig.DEFAULT_CHUNK_SIZE_ROWS + ").")
    Integer chunkSize;

    @Option(names = "--parallel", description = "Read splits in parallel when the source can split.")
    boolean parallel;

    @Option(names = "--parallelism", paramLabel = "THREADS", converter = Converters.PositiveInt.class,
            description = "Reader threads for --parallel (default: the stream's choice).")
    Integer parallelism;

    @Option(names = "--prefetch", description = "Read the next chunk while the current one is written.")
    boolean prefetch;

    @Option(names = "--policy", paramLabel = "NAME",
            description = "Chunk-size policy (default: the --profile's recommended one, else guide; "
                    + "see 'polarway policies').")
    String policy;

    @Option(names = "--policy-param", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "A policy parameter; repeatable.")
    List<KeyValue> policyParams = new ArrayList<>();

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write every row to FILE; the extension picks the format: .csv, .arrow, .jsonl, .parquet.")
    Path output;

    @Option(names = "--stats", paramLabel = "FILE",
            description = "Write the final stats as JSON to FILE (also on failure, with the error).")
    Path statsFile;

    @Option(names = {"-v", "--verbose"}, description = "Log every chunk and pause; stack traces on errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress line and no summary.")
    boolean quiet;

    @Override
    public Integer call() {
        long started = System.nanoTime();
        Progress progress = new Progress(root.err(), root.terminal() && !quiet, verbose);
        Failure failure = null;
        AdaptiveStream stream = null;
        ChunkWriter writer = null;
        SourceStats stats = null;
        Long budget = null;
        long rows = 0;
        long chunks = 0;
        try {
            OutputFormat format = output == null ? null : OutputFormat.forPath(output);
            stream = open(progress);
            progress.start(stream::stats, chunkSize != null ? chunkSize : SourceConfig.DEFAULT_CHUNK_SIZE_ROWS);
            if (format != null) writer = format.open(output);
            for (Optional<Chunk> next = stream.next(); next.isPresent(); next = stream.next()) {
                try (Chunk chunk = next.get()) {
                    if (writer != null) writer.write(chunk);
                    rows += chunk.rowCount();
                    chunks++;
                }
            }
            if (writer != null) {
                if (!writer.isOpen()) openEmpty(writer, stream);
                writer.close();
            }
        } catch (Throwable t) {
            failure = Failure.of(t);
        } finally {
            failure = closeQuietly(writer, failure);
            if (stream != null) {
                try {
                    stats = stream.stats();
                    budget = stream.budgetBytes();
                } catch (RuntimeException e) {
                    if (failure == null) failure = Failure.of(e);
                }
                try {
                    stream.close();
                } catch (Throwable t) {
                    if (failure == null) failure = Failure.of(t);
                }
            }
            progress.finish();
        }
        long elapsed = System.nanoTime() - started;

        if (statsFile != null) {
            Map<String, Object> report = StatsReport.build(type, location, policy != null ? policy : "guide", output,
                    rows, chunks, stats, budget, elapsed, failure);
            try {
                StatsReport.write(statsFile, report);
            } catch (Exception e) {
                if (failure == null) failure = Failure.of(e);
                else root.err().println("polarway: warning: cannot write stats file " + statsFile + ": " + e);
            }
        }
        if (failure != null) {
            root.report(failure, verbose);
            return failure.exitCode();
        }
        if (!quiet) root.out().println(summary(rows, chunks, stats, budget, elapsed));
        root.out().flush();
        return Polarway.OK;
    }

    private AdaptiveStream open(Progress progress) {
        try {
            SourceConfig config = SourceConfig.of(location).withOptions(KeyValue.toMap(options))
                    .withParallel(parallel).withPrefetch(prefetch);
            if (memoryLimit != null) config = config.withMemoryLimit(memoryLimit);
            if (chunkSize != null) config = config.withChunkSize(chunkSize);
            AdaptiveStream.Builder builder = AdaptiveStream.builder(type, config).listener(progress);
            if (policy != null) builder.policy(policy);
            if (profile != null) builder.profile(profile);
            if (!policyParams.isEmpty()) builder.policyParams(KeyValue.toMap(policyParams));
            if (parallelism != null) builder.parallelism(parallelism);
            return builder.build();
        } catch (IllegalArgumentException e) {
            // arguments the builder rejects (its own checks, not the engine's typed errors) are configuration errors
            throw new ConfigException(null, e.getMessage() == null ? e.toString() : e.getMessage(), List.of(), e);
        }
    }

    /** No chunk at all: write a header-only output when the source knows its schema. */
    private static void openEmpty(ChunkWriter writer, AdaptiveStream stream) throws java.io.IOException {
        Schema schema;
        try {
            schema = stream.source().metadata().schema();
        } catch (RuntimeException e) {
            return; // the writer then writes an output without columns
        }
        if (schema != null) writer.open(schema);
    }

    private static Failure closeQuietly(ChunkWriter writer, Failure failure) {
        if (writer == null) return failure;
        try {
            writer.close();
        } catch (Throwable t) {
            if (failure == null) return Failure.of(t);
        }
        return failure;
    }

    private static String summary(long rows, long chunks, SourceStats stats, Long budget, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%,d rows in %,d chunks, %.2f s", rows,
                chunks, seconds));
        if (seconds > 0) sb.append(String.format(Locale.ROOT, " (%,.0f rows/s", rows / seconds));
        if (stats != null && seconds > 0) {
            sb.append(String.format(Locale.ROOT, ", %.1f MB/s", stats.bytesRead() / 1e6 / seconds));
        }
        if (seconds > 0) sb.append(')');
        if (stats != null) {
            sb.append("; peak ").append(ByteSize.format(stats.peakMemoryBytes()));
            if (budget != null && budget > 0) sb.append(" of ").append(ByteSize.format(budget));
            sb.append("; chunk size ").append(String.format(Locale.ROOT, "%,d..%,d rows", stats.minChunkSize(),
                    stats.maxChunkSize()));
            if (stats.pauses() > 0) {
                sb.append(String.format(Locale.ROOT, "; %d pauses (%,d ms)", stats.pauses(), stats.pausedMs()));
            }
        }
        return sb.toString();
    }
}
