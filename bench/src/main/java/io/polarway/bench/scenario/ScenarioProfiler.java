package io.polarway.bench.scenario;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Adds a scenario's measurements to JMH's results (so they land in its JSON as secondary metrics): rows, rows/s, MB/s,
 * peak working set (policy signal, cgroup, process) in MB, GC ms, pauses. Runs inside the fork:
 * {@code -prof io.polarway.bench.scenario.ScenarioProfiler}.
 */
public final class ScenarioProfiler implements InternalProfiler {
    private static volatile ScenarioRun.Result last;

    static void record(ScenarioRun.Result r) {
        last = r;
    }

    @Override
    public String getDescription() {
        return "Polarway scenario measurements (rows, throughput, peak working set, GC, pauses)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        last = null;
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
                                                       IterationParams iterationParams, IterationResult result) {
        ScenarioRun.Result r = last;
        List<Result> out = new ArrayList<>();
        if (r == null) return out;
        out.add(new ScalarResult("sc.rows", r.rows(), "rows", AggregationPolicy.AVG));
        out.add(new ScalarResult("sc.rowsPerSec", r.rowsPerSecond(), "rows/s", AggregationPolicy.AVG));
        out.add(new ScalarResult("sc.mbPerSec", r.mbPerSecond(), "MB/s", AggregationPolicy.AVG));
        out.add(new ScalarResult("sc.peakSignalMB", r.peakSignalBytes() / 1e6, "MB", AggregationPolicy.MAX));
        out.add(new ScalarResult("sc.peakCgroupMB", r.peakCgroupBytes() / 1e6, "MB", AggregationPolicy.MAX));
        out.add(new ScalarResult("sc.peakProcessMB", r.peakProcessBytes() / 1e6, "MB", AggregationPolicy.MAX));
        out.add(new ScalarResult("sc.gcMs", r.gcMillis(), "ms", AggregationPolicy.AVG));
        out.add(new ScalarResult("sc.pauses", r.stats().pauses(), "pauses", AggregationPolicy.AVG));
        return out;
    }
}
