package io.polarway.bench.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one simulated run measured, in the units the bench suite reports real runs in.
 *
 * @param outcome          {@code completed}, {@code oom_killed} (the working set passed the cgroup limit) or
 *                         {@code failed} (one row did not fit the data limit, or nothing could move)
 * @param rows             rows the consumer finished
 * @param elapsedNanos     simulated time from opening the stream to the last chunk released (or to the kill)
 * @param peakBytes        highest working set
 * @param gatePauses       times the gate paused reading
 * @param limitWaits       times a reader at the data limit waited for a release
 * @param pausedNanos      time paused (gate and data-limit waits)
 * @param stallResumes     times a pause outlasted the stall timeout and reading resumed at the smallest size
 * @param limitRetries     chunks halved after the data limit
 * @param chunks           chunks read
 * @param minChunkRows     smallest chunk size decided
 * @param maxChunkRows     largest chunk size decided
 * @param meanChunkRows    mean rows per chunk read
 * @param peakHeapLiveBytes the most consumer heap live at once (objects made from chunks in hand)
 */
public record SimResult(String outcome, long rows, long elapsedNanos, long peakBytes, long gatePauses,
                        long limitWaits, long pausedNanos, long stallResumes, long limitRetries, long chunks,
                        int minChunkRows, int maxChunkRows, double meanChunkRows, long peakHeapLiveBytes) {

    public boolean completed() {
        return outcome.equals("completed");
    }

    public boolean oomKilled() {
        return outcome.equals("oom_killed");
    }

    /** Rows per second over the run; 0 unless completed. */
    public double rowsPerSecond() {
        return completed() && elapsedNanos > 0 ? rows * 1e9 / elapsedNanos : 0;
    }

    /** Pauses of either kind, as the engine's stats count them. */
    public long pauses() {
        return gatePauses + limitWaits;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", outcome);
        m.put("rows", rows);
        m.put("elapsed_ms", elapsedNanos / 1e6);
        m.put("rows_per_s", rowsPerSecond());
        m.put("peak_bytes", peakBytes);
        m.put("gate_pauses", gatePauses);
        m.put("limit_waits", limitWaits);
        m.put("paused_ms", pausedNanos / 1e6);
        m.put("stall_resumes", stallResumes);
        m.put("limit_retries", limitRetries);
        m.put("chunks", chunks);
        m.put("chunk_rows_min", minChunkRows);
        m.put("chunk_rows_max", maxChunkRows);
        m.put("chunk_rows_mean", meanChunkRows);
        return m;
    }
}
