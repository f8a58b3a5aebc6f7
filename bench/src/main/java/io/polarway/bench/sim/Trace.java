package io.polarway.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A recorded run: the {@code timeline.jsonl} a bench scenario run writes (memory samples and chunk events, see
 * {@code io.polarway.bench.scenario.Timeline}) and, when it sits beside it, the run's {@code summary.json}. Fields a
 * timeline from an older bench version lacks read as -1. Immutable once read.
 *
 * @param file    the timeline file
 * @param samples memory samples, in time order
 * @param chunks  chunk events, in time order
 * @param pauses  pause events (gate pauses and data-limit waits)
 * @param summary the run's summary (rows, elapsed_ms, peaks, pauses), empty when absent
 */
public record Trace(Path file, List<Sample> samples, List<ChunkEvent> chunks, int pauses, Map<String, Object> summary) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param tMillis     since the timeline started
     * @param workingSet  the policy's signal
     * @param cgroup      the cgroup's working set, -1 outside one
     * @param arrow       Arrow bytes allocated
     * @param heap        committed Java heap, -1 when not recorded
     */
    public record Sample(double tMillis, long workingSet, long cgroup, long arrow, long heap) {
    }

    /**
     * @param tMillis    since the timeline started
     * @param askedRows  rows asked, -1 when not recorded
     * @param rows       rows read
     * @param bytes      Arrow bytes of the chunk
     * @param readNanos  read time, -1 when not recorded
     * @param nextRows   the policy's decision
     */
    public record ChunkEvent(double tMillis, long askedRows, long rows, long bytes, long readNanos, long nextRows) {
    }

    public Trace {
        samples = List.copyOf(samples);
        chunks = List.copyOf(chunks);
        summary = summary == null ? Map.of() : Collections.unmodifiableMap(summary);
    }

    /**
     * Reads {@code timeline.jsonl} (or a run folder holding it) and the {@code summary.json} beside it.
     *
     * @throws IOException when the file cannot be read or a line is not JSON (naming the line)
     */
    @SuppressWarnings("unchecked")
    public static Trace read(Path fileOrDir) throws IOException {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("timeline.jsonl") : fileOrDir;
        List<Sample> samples = new ArrayList<>();
        List<ChunkEvent> chunks = new ArrayList<>();
        int pauses = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    // a killed run may leave a torn last line
                    if (in.ready()) throw new IOException(file + ":" + lineNo + ": not JSON: " + e.getMessage(), e);
                    break;
                }
                switch (n.path("k").asText()) {
                    case "s" -> samples.add(new Sample(n.path("t").asDouble(), n.path("ws").asLong(-1),
                            n.path("cg").asLong(-1), n.path("arrow").asLong(-1), n.path("heap").asLong(-1)));
                    case "c" -> chunks.add(new ChunkEvent(n.path("t").asDouble(), n.path("ask").asLong(-1),
                            n.path("rows").asLong(), n.path("bytes").asLong(), n.path("ns").asLong(-1),
                            n.path("next").asLong(-1)));
                    case "p" -> pauses++;
                    default -> {
                    }
                }
            }
        }
        Path summaryFile = file.resolveSibling("summary.json");
        Map<String, Object> summary = Files.exists(summaryFile)
                ? JSON.readValue(summaryFile.toFile(), Map.class) : Map.of();
        return new Trace(file, samples, chunks, pauses, summary);
    }

    /** Rows read in all chunks. */
    public long rowsRead() {
        long n = 0;
        for (ChunkEvent c : chunks) n += c.rows();
        return n;
    }

    /** Mean Arrow bytes per row over all chunks, or 0. */
    public double bytesPerRow() {
        long rows = 0;
        long bytes = 0;
        for (ChunkEvent c : chunks) {
            rows += c.rows();
            bytes += c.bytes();
        }
        return rows == 0 ? 0 : (double) bytes / rows;
    }

    /** A number from the summary, or {@code fallback}. */
    public double summaryNumber(String key, double fallback) {
        Object v = summary.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    /** The run's elapsed time (stream open to last release) from the summary, else the last chunk's time; ms. */
    public double elapsedMillis() {
        double e = summaryNumber("elapsed_ms", -1);
        if (e > 0) return e;
        return chunks.isEmpty() ? 0 : chunks.get(chunks.size() - 1).tMillis() - chunks.get(0).tMillis();
    }

    /** The highest cgroup working set sampled (else the highest signal), bytes. */
    public long peakBytes() {
        double cg = summaryNumber("peak_cgroup_working_set_bytes", -1);
        if (cg > 0) return (long) cg;
        long peak = 0;
        for (Sample s : samples) peak = Math.max(peak, s.cgroup() > 0 ? s.cgroup() : s.workingSet());
        return peak;
    }

    /** Whether the samples carry the committed heap (timelines from this bench version on). */
    public boolean hasHeap() {
        for (Sample s : samples) if (s.heap() >= 0) return true;
        return false;
    }

    /** Whether the chunk events carry read times. */
    public boolean hasReadTimes() {
        for (ChunkEvent c : chunks) if (c.readNanos() >= 0) return true;
        return false;
    }
}
