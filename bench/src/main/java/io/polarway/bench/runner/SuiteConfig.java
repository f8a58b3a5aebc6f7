package io.polarway.bench.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The bench suite's switches, from system properties (the Maven profile passes {@code -Dbench.*} through):
 * <ul>
 *   <li>{@code bench.suite} — {@code smoke} (a few minutes: one scenario per guide profile, the OOM pair, short micro
 *       runs), {@code default} (at most 15 minutes on 2 cores), {@code full};</li>
 *   <li>{@code bench.profiles}, {@code bench.scenarios} — comma lists to narrow the suite;</li>
 *   <li>{@code bench.profiler} — {@code cpu}, {@code alloc} or {@code wall}: async-profiler flame graphs per benchmark;</li>
 *   <li>{@code bench.gate} — {@code on} (default) or {@code off}; {@code bench.baseline} — the baseline file
 *       (default {@code bench/baseline.json}); {@code bench.baseline.update=true} writes it from this run;</li>
 *   <li>{@code bench.inject} — {@code Benchmark:factor}, a known slowdown to measure the gate's power;</li>
 *   <li>{@code bench.out} — the report folder (default {@code bench/target/bench-report}); {@code bench.root} — the
 *       repository root;</li>
 *   <li>{@code bench.policy}, {@code bench.policy.params} — run every scenario with this policy (a registered name,
 *       or {@code profile} for the VM profile's recommended one) and exactly these parameters ({@code k=v,k=v},
 *       policy and gate keys) instead of the scenario's own, e.g.
 *       {@code -Dbench.policy=drain -Dbench.policy.params=target_chunk_ms=250,pause_above=0.85};</li>
 *   <li>{@code bench.timeout} — minutes a scenario run may take before JMH stops it (default 30);</li>
 *   <li>{@code bench.suite=tune} — the policy-tuning suite instead ({@link TuneSuite}): simulated sweeps per
 *       profile and scenario, confirmed by cgroup runs; {@code bench.tune.*} switches there.</li>
 * </ul>
 *
 * @param suite          smoke, default or full
 * @param profiles       profile names to keep (empty: all the scenarios name)
 * @param scenarios      scenario names to keep (empty: all in the suite)
 * @param profiler       async-profiler event, or empty
 * @param gate           whether the regression gate runs
 * @param baseline       the baseline file
 * @param updateBaseline write the baseline from this run
 * @param inject         a known slowdown, {@code Benchmark:factor}, or empty
 * @param out            the report folder
 * @param root           the repository root
 * @param policy         a policy to run every scenario with, or empty for the scenarios' own
 * @param policyParams   its parameters, {@code k=v,k=v}
 * @param timeoutMinutes how long one scenario run may take
 */
public record SuiteConfig(String suite, List<String> profiles, List<String> scenarios, String profiler, boolean gate,
                          Path baseline, boolean updateBaseline, String inject, Path out, Path root, String policy,
                          String policyParams, int timeoutMinutes) {

    public static final List<String> SUITES = List.of("smoke", "default", "full", "tune");

    /** The suite's switches with the scenarios' own policies and the default timeout. */
    public SuiteConfig(String suite, List<String> profiles, List<String> scenarios, String profiler, boolean gate,
                       Path baseline, boolean updateBaseline, String inject, Path out, Path root) {
        this(suite, profiles, scenarios, profiler, gate, baseline, updateBaseline, inject, out, root, "", "", 30);
    }

    /** This configuration with another suite name, policy override and timeout (the tune suite's runs). */
    public SuiteConfig with(String suiteName, String policyName, String params, int timeout) {
        return new SuiteConfig(suiteName, profiles, scenarios, profiler, gate, baseline, updateBaseline, inject, out,
                root, policyName, params, timeout);
    }

    public SuiteConfig {
        if (!SUITES.contains(suite)) {
            throw new IllegalArgumentException("bench.suite must be one of " + SUITES + ", got '" + suite + "'");
        }
        if (!profiler.isEmpty() && !List.of("cpu", "alloc", "wall").contains(profiler)) {
            throw new IllegalArgumentException("bench.profiler must be cpu, alloc or wall, got '" + profiler + "'");
        }
        policy = policy == null ? "" : policy.trim();
        policyParams = policyParams == null ? "" : policyParams.trim();
        if (policy.isEmpty() && !policyParams.isEmpty()) {
            throw new IllegalArgumentException("bench.policy.params needs bench.policy");
        }
        if (timeoutMinutes < 1) throw new IllegalArgumentException("bench.timeout must be at least 1 minute");
    }

    public static SuiteConfig fromSystemProperties() {
        Path root = Path.of(prop("bench.root", ".")).toAbsolutePath().normalize();
        return new SuiteConfig(prop("bench.suite", "default").toLowerCase(Locale.ROOT), list("bench.profiles"),
                list("bench.scenarios"), prop("bench.profiler", "").toLowerCase(Locale.ROOT),
                !prop("bench.gate", "on").equalsIgnoreCase("off"),
                Path.of(prop("bench.baseline", root.resolve("bench/baseline.json").toString())),
                Boolean.parseBoolean(prop("bench.baseline.update", "false")), prop("bench.inject", ""),
                Path.of(prop("bench.out", root.resolve("bench/target/bench-report").toString())).toAbsolutePath(),
                root, prop("bench.policy", ""), prop("bench.policy.params", ""),
                Integer.parseInt(prop("bench.timeout", "30")));
    }

    /** A short tag for run folders when a policy override is set, e.g. {@code drain-3f2a1c}; empty otherwise. */
    public String policyTag() {
        if (policy.isEmpty()) return "";
        String tag = policy.replaceAll("[^A-Za-z0-9]", "");
        return policyParams.isEmpty() ? tag : tag + "-" + Integer.toHexString(policyParams.hashCode());
    }

    private static String prop(String key, String def) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    private static List<String> list(String key) {
        String v = prop(key, "");
        if (v.isEmpty()) return List.of();
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Forks per micro benchmark for the gate: more forks, fewer false alarms, longer runs. */
    public int microForks() {
        return switch (suite) {
            case "smoke" -> 2;
            case "default" -> 3;
            default -> 5;
        };
    }

    /** Measurement iterations per fork for micro benchmarks. */
    public int microIterations() {
        return suite.equals("smoke") ? 3 : 5;
    }

    /** Seconds per micro-benchmark iteration. */
    public int microIterationSeconds() {
        return 1;
    }

    /**
     * JMH's async-profiler options writing flame graphs into {@code dir}, when {@link #profiler} is set. The native
     * library is extracted from the async-profiler jar on the classpath.
     */
    public Optional<String> asyncProfiler(Path dir) {
        if (profiler.isEmpty()) return Optional.empty();
        return Optional.of("libPath=" + asyncProfilerLibrary() + ";event=" + profiler + ";output=flamegraph;dir="
                + dir.resolve("flamegraph"));
    }

    private Path asyncProfilerLibrary() {
        Path lib = out.resolve("lib").resolve("libasyncProfiler.so");
        if (Files.exists(lib)) return lib;
        String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-arm64" : "linux-x64";
        try (InputStream in = SuiteConfig.class.getClassLoader().getResourceAsStream(arch + "/libasyncProfiler.so")) {
            if (in == null) throw new IllegalStateException("async-profiler's " + arch + " library is not on the classpath");
            Files.createDirectories(lib.getParent());
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract async-profiler", e);
        }
    }
}
