package io.polarway.bench.objectstore;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The fork's peak resident memory per iteration, everything counted: heap, direct and Arrow buffers, and native
 * memory no JVM counter sees (the AWS CRT's buffers). Linux: resets the peak before each iteration
 * ({@code 5 > /proc/self/clear_refs}) and reads {@code VmHWM} after it; reports {@code rss.peakMB} (the peak) and
 * {@code rss.growthMB} (the peak minus the resident size when the iteration started).
 * {@code -prof io.polarway.bench.objectstore.PeakRssProfiler}.
 */
public final class PeakRssProfiler implements InternalProfiler {
    private long startKb = -1;

    @Override
    public String getDescription() {
        return "peak resident set size of the fork per iteration (VmHWM, reset before each iteration)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        System.gc();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: the peak is then the fork's since its start
        }
        startKb = statusKb("VmRSS");
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
                                                       IterationParams iterationParams, IterationResult result) {
        List<Result> out = new ArrayList<>();
        long peak = statusKb("VmHWM");
        if (peak > 0) {
            out.add(new ScalarResult("rss.peakMB", peak / 1024.0, "MB", AggregationPolicy.MAX));
            if (startKb > 0) {
                out.add(new ScalarResult("rss.growthMB", (peak - startKb) / 1024.0, "MB", AggregationPolicy.MAX));
            }
        }
        return out;
    }

    static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
