package io.polarway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polarway.api.SourceStats;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code --stats} file: the run's final numbers as one JSON object, written on success and on failure.
 *
 * <p>Keys: {@code rows} and {@code chunks} (what the stream delivered to the CLI), {@code bytes_read} (input bytes the
 * source consumed), {@code peak_memory_bytes} and {@code current_memory_bytes} (working set, as the engine measures
 * it), {@code budget_bytes} (null when the stream never started), {@code avg_chunk_time_ms}, {@code elapsed_ms},
 * {@code rows_per_second}, {@code mb_per_second} (bytes_read in MB of 10^6 bytes per second),
 * {@code chunk_size_min}/{@code _max}/{@code _current} (rows), {@code pauses}, {@code paused_ms}, {@code counters}
 * (source-specific), {@code source}, {@code location} (credentials masked), {@code policy}, {@code output} and
 * {@code error} (null, or {@code {kind, message, retryable}}).
 */
final class StatsReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatsReport() {
    }

    /**
     * @param stats        the stream's final stats, or null when it never started
     * @param budgetBytes  the stream's budget, or null when it never started
     * @param elapsedNanos wall time of the whole run
     */
    static Map<String, Object> build(String source, String location, String policy, Path output, long rows,
                                     long chunks, SourceStats stats, Long budgetBytes, long elapsedNanos,
                                     Failure failure) {
        double elapsedMs = elapsedNanos / 1e6;
        double seconds = elapsedNanos / 1e9;
        long bytesRead = stats == null ? 0 : stats.bytesRead();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("chunks", chunks);
        m.put("bytes_read", bytesRead);
        m.put("peak_memory_bytes", stats == null ? 0 : stats.peakMemoryBytes());
        m.put("current_memory_bytes", stats == null ? 0 : stats.currentMemoryBytes());
        m.put("budget_bytes", budgetBytes);
        m.put("avg_chunk_time_ms", stats == null ? 0.0 : stats.avgChunkTimeMs());
        m.put("elapsed_ms", round3(elapsedMs));
        m.put("rows_per_second", seconds > 0 ? round3(rows / seconds) : 0.0);
        m.put("mb_per_second", seconds > 0 ? round3(bytesRead / 1e6 / seconds) : 0.0);
        m.put("chunk_size_min", stats == null ? 0 : stats.minChunkSize());
        m.put("chunk_size_max", stats == null ? 0 : stats.maxChunkSize());
        m.put("chunk_size_current", stats == null ? 0 : stats.currentChunkSize());
        m.put("pauses", stats == null ? 0 : stats.pauses());
        m.put("paused_ms", stats == null ? 0 : stats.pausedMs());
        m.put("counters", stats == null ? Map.of() : new TreeMap<>(stats.counters()));
        m.put("source", source);
        m.put("location", Redact.location(location));
        m.put("policy", policy);
        m.put("output", output == null ? null : output.toString());
        m.put("error", failure == null ? null : failure.toJson());
        return m;
    }

    static void write(Path file, Map<String, Object> report) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(file)) {
            JSON.writeValue(out, report);
        }
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
