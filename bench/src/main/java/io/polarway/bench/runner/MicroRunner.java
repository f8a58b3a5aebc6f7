package io.polarway.bench.runner;

import io.polarway.bench.gate.Samples;
import io.polarway.bench.micro.ArrowBuildBenchmark;
import io.polarway.bench.micro.CalibrationBenchmark;
import io.polarway.bench.micro.CsvParseBenchmark;
import io.polarway.bench.micro.PolicyStepBenchmark;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Runs the gated micro benchmarks on the host (not in a cgroup: they measure code, not memory limits) with several
 * forks, and turns JMH's results into {@link Samples} per benchmark key, lower is better (throughput scores are
 * inverted). The calibration benchmark runs in the same invocation so the gate can normalise.
 */
final class MicroRunner {
    /** The calibration benchmark's key. */
    /** One-second warm-up iterations per fork before the measured ones. */
    static final int WARMUP_ITERATIONS = 5;
    static final String CALIBRATION = CalibrationBenchmark.class.getName() + ".work";

    /** Benchmarks the gate watches, with the parameter values it pins. */
    static final Map<String, Map<String, String[]>> GATED = new LinkedHashMap<>();

    static {
        GATED.put(CalibrationBenchmark.class.getName() + ".work", Map.of());
        GATED.put(PolicyStepBenchmark.class.getName() + ".step", Map.of("policy", new String[]{"guide"}));
        GATED.put(ArrowBuildBenchmark.class.getName() + ".build", Map.of("rows", new String[]{"1000", "10000"}));
        GATED.put(CsvParseBenchmark.class.getName() + ".parse", Map.of());
    }

    private final SuiteConfig config;

    MicroRunner(SuiteConfig config) {
        this.config = config;
    }

    /**
     * Runs {@code benchmarks} (keys of {@link #GATED}, or exact keys with parameters from an earlier run) and returns
     * the samples by key.
     */
    Map<String, Samples> run(Collection<String> benchmarks, String label) throws RunnerException {
        Path dir = config.out().resolve("micro");
        ChainedOptionsBuilder b = new OptionsBuilder()
                .forks(config.microForks())
                // Five warm-up seconds and a fixed, pre-touched heap: with two warm-up seconds and a heap G1 resized
                // at will, CsvParse switched between two speeds 30 % apart in the middle of a fork (the gate
                // experiment's A/A runs, docs/performance.md), and a confirmed false alarm followed.
                .warmupIterations(WARMUP_ITERATIONS).warmupTime(TimeValue.seconds(1))
                .measurementIterations(config.microIterations())
                .measurementTime(TimeValue.seconds(config.microIterationSeconds()))
                .jvmArgs("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dbench.inject=" + config.inject())
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON).result(dir.resolve(label + ".json").toString())
                .output(dir.resolve(label + ".log").toString());
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (String key : benchmarks) {
            String method = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
            b.include("^" + Pattern.quote(method) + "$");
            Map<String, String[]> pinned = GATED.getOrDefault(method, Map.of());
            pinned.forEach((k, v) -> params.computeIfAbsent(k, x -> new ArrayList<>()).addAll(List.of(v)));
            if (key.contains("{")) {
                for (String kv : key.substring(key.indexOf('{') + 1, key.length() - 1).split(",")) {
                    String[] p = kv.split("=", 2);
                    params.put(p[0], new ArrayList<>(List.of(p[1])));
                }
            }
        }
        params.forEach((k, v) -> b.param(k, v.stream().distinct().toArray(String[]::new)));
        config.asyncProfiler(dir.resolve(label)).ifPresent(p -> b.addProfiler("async", p));
        java.io.File d = dir.toFile();
        if (!d.exists() && !d.mkdirs()) throw new RunnerException("cannot create " + dir);
        Map<String, Samples> out = new TreeMap<>();
        for (RunResult rr : new Runner(b.build()).run()) {
            Samples s = samples(rr);
            out.put(s.key(), s);
        }
        return out;
    }

    static String key(BenchmarkParams p) {
        StringBuilder sb = new StringBuilder(p.getBenchmark());
        List<String> keys = new ArrayList<>(p.getParamsKeys());
        if (!keys.isEmpty()) {
            keys.sort(String::compareTo);
            sb.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(keys.get(i)).append('=').append(p.getParam(keys.get(i)));
            }
            sb.append('}');
        }
        return sb.toString();
    }

    static Samples samples(RunResult rr) {
        BenchmarkParams p = rr.getParams();
        boolean throughput = p.getMode() == Mode.Throughput;
        List<Double> values = new ArrayList<>();
        int forks = 0;
        for (BenchmarkResult br : rr.getBenchmarkResults()) {
            forks++;
            for (IterationResult ir : br.getIterationResults()) {
                double score = ir.getPrimaryResult().getScore();
                values.add(throughput ? 1.0 / score : score);
            }
        }
        String unit = rr.getPrimaryResult().getScoreUnit();
        return new Samples(key(p), throughput ? "1/(" + unit + ")" : unit,
                values.stream().mapToDouble(Double::doubleValue).toArray(), forks);
    }
}
