package io.polarway.bench.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.sim.Calibration;
import io.polarway.bench.sim.ParamGrid;
import io.polarway.bench.sim.PolicySpec;
import io.polarway.bench.sim.SimError;
import io.polarway.bench.sim.SimResult;
import io.polarway.bench.sim.Simulator;
import io.polarway.bench.sim.Sweep;
import io.polarway.bench.sim.Trace;
import io.polarway.bench.sim.TuneReport;
import io.polarway.bench.sim.Workload;
import io.polarway.bench.sim.Workloads;
import io.polarway.memory.CgroupSandbox;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy-tuning suite, {@code mvn verify -Pbench -Dbench.suite=tune}: per VM profile and scenario,
 * <ol>
 *   <li>a reference cgroup run of the scenario as written (its policy: the guide's), whose timeline calibrates the
 *       simulator's workload ({@link Calibration}); profiles without a real run borrow the costs calibrated for the
 *       same scenario on another profile;</li>
 *   <li>a simulated sweep of the policies over the grid ({@link ParamGrid#defaults} plus {@code bench.tune.grid}),
 *       with the oracle, written as {@code sweep.csv}, {@code pareto.svg} (and {@code .png}, a few tens of
 *       kilobytes, for documents), {@code table.md};</li>
 *   <li>cgroup runs confirming the candidates — each rival's defaults, each policy's best tuned configuration, the
 *       oracle's size — each compared with its simulation ({@link SimError});</li>
 *   <li>per profile, the recommendation: the configuration whose worst throughput across the scenarios meant for the
 *       profile ({@link #relevant}) and the synthetic variants of {@value #SYNTHETIC_BASE} (simulated only: a 200 ms
 *       read latency, rows widening, a slower consumer), relative to the best any configuration reached there, is
 *       highest, among those within the budget everywhere; confirmed by cgroup runs too.</li>
 * </ol>
 * Everything lands in {@code bench/target/bench-report/tune/} ({@code summary.md}, {@code results.json},
 * {@code sim-error.csv}, one folder per profile and scenario). Switches (besides {@code bench.profiles},
 * {@code bench.scenarios}, {@code bench.timeout}): {@code bench.tune.size} (the scenarios' data size, default
 * {@code smoke}), {@code bench.tune.real} ({@code on}/{@code off}: cgroup runs), {@code bench.tune.traces} (a folder
 * of recorded run folders to calibrate from instead of new reference runs, e.g. an earlier report's {@code runs/}:
 * the candidates are still confirmed by cgroup runs), {@code
 * bench.tune.policies}
 * (default {@code guide,aimd,drain,gradient}), {@code bench.tune.grid} (more grid entries, {@code ;}-separated),
 * {@code bench.tune.random} / {@code bench.tune.seed} (random search instead of the grid), {@code bench.tune.margin}
 * (share of the budget a chosen configuration must leave free, default 0.10), {@code bench.tune.confirm}
 * ({@code all}: the candidates and the recommendation are run for real; {@code recommended}: only the
 * recommendation; {@code none}).
 */
final class TuneSuite {
    static final List<String> DEFAULT_SCENARIOS = List.of("steady-generate", "adaptive-large-chunks",
            "slow-consumer-backpressure");
    static final List<String> DEFAULT_PROFILES = List.of("B1s", "B2s", "B4ms", "t3.micro", "t3.medium", "t3.xlarge");
    /** The scenario whose synthetic variants ({@link Workloads#synthetic}) are swept too. */
    static final String SYNTHETIC_BASE = "steady-generate";

    private final SuiteConfig config;
    private final PrintStream log;
    private final String size = prop("bench.tune.size", "smoke");
    private final boolean real = !prop("bench.tune.real", "on").equalsIgnoreCase("off");
    private final List<String> policies = List.of(prop("bench.tune.policies", "guide,aimd,drain,gradient")
            .split(","));
    private final String extraGrid = prop("bench.tune.grid", "");
    private final int random = Integer.parseInt(prop("bench.tune.random", "0"));
    private final long seed = Long.parseLong(prop("bench.tune.seed", "1"));
    private final int timeout = System.getProperty("bench.timeout", "").isBlank() ? 5 : Integer.parseInt(
            System.getProperty("bench.timeout").trim());
    private final String traces = prop("bench.tune.traces", "");
    private final String confirm = prop("bench.tune.confirm", "all");
    private final double margin = Double.parseDouble(prop("bench.tune.margin", Double.toString(Sweep.DEFAULT_MARGIN)));
    private final int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private final List<RunRecord> runs = new ArrayList<>();
    private final List<SimError> errors = new ArrayList<>();
    private final Map<String, Calibration.Result> calibrations = new LinkedHashMap<>();

    TuneSuite(SuiteConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    private static String prop(String key, String def) {
        String v = System.getProperty(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    boolean run() throws Exception {
        Path out = config.out().resolve("tune");
        Files.createDirectories(out);
        String started = Instant.now().toString();
        log.printf(Locale.ROOT, "bench: tune suite (data size %s, cgroup runs %s) — %s%n", size, real ? "on" : "off",
                CgroupSandbox.probe().reason());
        List<String> profiles = config.profiles().isEmpty() ? DEFAULT_PROFILES : config.profiles();
        List<String> scenarios = config.scenarios().isEmpty() ? DEFAULT_SCENARIOS : config.scenarios();
        StringBuilder md = new StringBuilder("# Policy tuning — ").append(started).append("\n\n");
        md.append("Machine: ").append(io.polarway.bench.gate.Machine.current().id()).append("; load average at start ")
                .append(String.format(Locale.ROOT, "%.1f", java.lang.management.ManagementFactory
                        .getOperatingSystemMXBean().getSystemLoadAverage())).append(".\n\n");
        md.append("Data size `").append(size).append("`; grid: defaults")
                .append(extraGrid.isEmpty() ? "" : " + `" + extraGrid + "`")
                .append(random > 0 ? "; random search, " + random + " points per policy, seed " + seed : "")
                .append(".\n\n");
        StringBuilder yaml = new StringBuilder();

        for (String profileName : profiles) {
            VmProfile p = VmProfile.load(profileName);
            ParamGrid grid = ParamGrid.defaults(p);
            if (!extraGrid.isEmpty()) grid = grid.and(ParamGrid.parse(List.of(extraGrid)));
            // the profile's JVM environment (glibc malloc settings) decides whether freed Arrow memory leaves the
            // working set, hence whether the gate can resume: say which one the runs had
            md.append("## ").append(p.label()).append("\n\nJVM environment: ")
                    .append(p.jvm().env().isEmpty() ? "none" : "`" + p.jvm().env() + "`").append(".\n\n");
            Map<String, Sweep.Outcome> sweeps = new LinkedHashMap<>();
            Map<String, Boolean> realHere = new LinkedHashMap<>();
            for (String scName : scenarios) {
                Scenario sc = Scenario.load(scName);
                boolean runsHere = real && sc.resolvedProfiles(size).stream().anyMatch(x -> x.name().equals(p.name()));
                realHere.put(scName, runsHere);
                double cores = runsHere ? Math.min(p.vcpus(), Runtime.getRuntime().availableProcessors()) : p.vcpus();
                Workload base = Workloads.of(sc, p, size, cores);
                Workload w = base;
                String source = "default costs";
                PolicySpec own = Workloads.policy(sc);
                RunRecord ref = null;
                Path timeline = recordedTrace(scName, p);
                if (runsHere && timeline == null) {
                    ref = realRun(sc, p, own);
                    timeline = config.out().resolve(ref.runDir).resolve("timeline.jsonl");
                }
                if (timeline != null && Files.exists(timeline)) {
                    Calibration.Result cal = Calibration.fit(base, own, p, Trace.read(timeline));
                    calibrations.putIfAbsent(scName, cal);
                    w = cal.workload();
                    source = "calibrated on " + (ref != null ? "this cgroup run of " + own.label() : timeline) + ": "
                            + Calibration.describe(cal.fitted());
                } else if (calibrations.containsKey(scName)) {
                    w = Calibration.transfer(calibrations.get(scName).workload(), base);
                    source = "costs calibrated on " + calibrations.get(scName).workload().name();
                }
                log.printf(Locale.ROOT, "bench: tune %s %s: sweeping (%s)%n", scName, p.label(), source);
                Sweep.Outcome o = Sweep.run(w, p, policies, grid, random, seed, threads, margin);
                sweeps.put(scName, o);
                log.printf(Locale.ROOT, "bench: %d configurations in %.1f s%n%s", o.points().size(), o.millis() / 1e3,
                        TuneReport.textTable(o));
                Path dir = out.resolve(p.label()).resolve(scName);
                Files.createDirectories(dir);
                TuneReport.writeCsv(dir.resolve("sweep.csv"), TuneReport.csvLines(o), false);
                Files.writeString(dir.resolve("pareto.svg"), TuneReport.paretoSvg(o, scName + " on " + p.label()
                        + " (simulated)"), StandardCharsets.UTF_8);
                TuneReport.paretoPng(o, scName + " on " + p.label() + " (simulated)", dir.resolve("pareto.png"));
                Files.writeString(dir.resolve("table.md"), TuneReport.markdownTable(o), StandardCharsets.UTF_8);
                md.append("### ").append(scName).append("\n\nWorkload: ").append(source).append(".\n\n")
                        .append("![Pareto chart](").append(p.label()).append('/').append(scName)
                        .append("/pareto.png)\n\nSimulated (").append(o.points().size())
                        .append(" configurations):\n\n").append(TuneReport.markdownTable(o)).append('\n');

                if (scName.equals(SYNTHETIC_BASE)) {
                    // sim-only variants: where a rule tuned on the scenarios alone could go wrong (a remote source's
                    // latency, rows widening, a consumer slowing down); they count in the recommendation
                    for (Map.Entry<String, Workload> v : Workloads.synthetic(w).entrySet()) {
                        String key = scName + "+" + v.getKey();
                        Sweep.Outcome so = Sweep.run(v.getValue(), p, policies, grid, random, seed, threads, margin);
                        sweeps.put(key, so);
                        Path vdir = out.resolve(p.label()).resolve(key);
                        Files.createDirectories(vdir);
                        TuneReport.writeCsv(vdir.resolve("sweep.csv"), TuneReport.csvLines(so), false);
                        Files.writeString(vdir.resolve("pareto.svg"), TuneReport.paretoSvg(so, key + " on "
                                + p.label() + " (simulated)"), StandardCharsets.UTF_8);
                        TuneReport.paretoPng(so, key + " on " + p.label() + " (simulated)",
                                vdir.resolve("pareto.png"));
                        Files.writeString(vdir.resolve("table.md"), TuneReport.markdownTable(so),
                                StandardCharsets.UTF_8);
                        log.printf(Locale.ROOT, "bench: %s %s (synthetic): %d configurations%n%s", key, p.label(),
                                so.points().size(), TuneReport.textTable(so));
                    }
                }
                if (runsHere && confirm.equals("all")) {
                    List<RunRecord> confirmed = new ArrayList<>();
                    if (ref != null) {
                        confirmed.add(ref);
                        errors.add(error(sc, p, own, ref, Simulator.run(w, own, p), true));
                    }
                    Set<PolicySpec> done = new LinkedHashSet<>();
                    done.add(own);
                    List<String> skipped = new ArrayList<>();
                    for (Sweep.Point pt : TuneReport.comparison(o).values()) {
                        if (!done.add(pt.spec())) continue;
                        if (pt.result().stallResumes() > 0) {
                            // a stalled run only ends at the timeout: minutes of a shared machine for a known answer
                            skipped.add("`" + pt.spec().label() + "`");
                            continue;
                        }
                        RunRecord r = realRun(sc, p, pt.spec());
                        confirmed.add(r);
                        errors.add(error(sc, p, pt.spec(), r, pt.result(), false));
                    }
                    md.append("Confirmed by cgroup runs:\n\n").append(realTable(confirmed, false)).append('\n');
                    if (!skipped.isEmpty()) {
                        md.append("Not run for real (the simulation stalls: paused past the 30 s stall timeout, "
                                + "so a real run would only end at the suite's timeout): ")
                                .append(String.join(", ", skipped)).append(".\n\n");
                    }
                }
            }

            // the scenarios meant for this VM (or, for a profile no scenario names, for one with the same RAM), and
            // the synthetic variants of the base scenario when it is among them
            Map<String, Sweep.Outcome> relevant = new LinkedHashMap<>();
            sweeps.forEach((k, o) -> {
                if (relevant(Scenario.load(k.contains("+") ? k.substring(0, k.indexOf('+')) : k), p)) {
                    relevant.put(k, o);
                }
            });
            Recommendation rec = recommend(relevant, p);
            if (rec != null) {
                md.append("### Recommendation for ").append(p.label()).append("\n\n`").append(rec.spec().label())
                        .append("` — worst throughput across ").append(String.join(", ", relevant.keySet()))
                        .append(": ")
                        .append(String.format(Locale.ROOT, "%.0f %%", rec.score() * 100))
                        .append(" of the best configuration of each; within the budget in all.\n\n");
                yaml.append(p.name()).append(":\n  policy:\n    name: ").append(rec.spec().name())
                        .append("\n    params: {");
                List<String> kv = new ArrayList<>();
                essential(rec.spec(), p).forEach((k, v) -> kv.add(k + ": " + v));
                yaml.append(String.join(", ", kv)).append("}\n");
                List<RunRecord> recRuns = new ArrayList<>();
                for (String scName : scenarios) {
                    if (!realHere.getOrDefault(scName, false) || confirm.equals("none")) continue;
                    Scenario sc = Scenario.load(scName);
                    RunRecord already = runs.stream().filter(x -> x.scenario.equals(scName)
                            && x.profile.equals(p.name()) && rec.spec().name().equals(x.policy)
                            && rec.spec().paramsText().equals(x.policyParams)).findFirst().orElse(null);
                    if (already != null) {
                        recRuns.add(already); // confirmed above as a policy's best: shown, not run again
                        continue;
                    }
                    RunRecord r = realRun(sc, p, rec.spec());
                    recRuns.add(r);
                    Workload w = sweeps.get(scName).workload();
                    errors.add(error(sc, p, rec.spec(), r, Simulator.run(w, rec.spec(), p), false));
                }
                if (!recRuns.isEmpty()) md.append(realTable(recRuns, true)).append('\n');
            }
        }

        md.append("## Simulator against cgroup runs\n\n").append(SimError.summary(errors)).append(".\n\n")
                .append(SimError.markdown(errors)).append('\n');
        md.append("## Recommended `policy:` sections\n\n```yaml\n").append(yaml).append("```\n");
        Files.writeString(out.resolve("summary.md"), md.toString(), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("recommended.yaml"), yaml.toString(), StandardCharsets.UTF_8);
        List<Map<String, Object>> rr = new ArrayList<>();
        for (RunRecord r : runs) rr.add(r.toMap());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(),
                Map.of("started", started, "finished", Instant.now().toString(), "runs", rr));
        List<String> csv = new ArrayList<>();
        csv.add("scenario,profile,policy,in_sample,real_outcome,sim_outcome,real_rows_per_s,sim_rows_per_s,"
                + "throughput_error,real_peak_mb,sim_peak_mb,peak_error,real_pauses,sim_pauses");
        for (SimError e : errors) {
            csv.add(String.format(Locale.ROOT, "%s,%s,\"%s\",%s,%s,%s,%.0f,%.0f,%.4f,%.1f,%.1f,%.4f,%d,%d",
                    e.scenario(), e.profile(), e.policy(), e.inSample(), e.realOutcome(), e.simOutcome(),
                    e.realRowsPerS(), e.simRowsPerS(), e.throughputError(), e.realPeakBytes() / 1e6,
                    e.simPeakBytes() / 1e6, e.peakError(), e.realPauses(), e.simPauses()));
        }
        Files.write(out.resolve("sim-error.csv"), csv, StandardCharsets.UTF_8);
        log.println("bench: simulator vs cgroup runs: " + SimError.summary(errors));
        log.println("bench: tune suite done; " + out.resolve("summary.md"));
        return true;
    }

    /**
     * A recorded run of the scenario on the profile under {@code bench.tune.traces} (a folder of run folders, as a
     * bench report's {@code runs/}): the first folder named {@code SCENARIO_PROFILE_guide_*} or
     * {@code SCENARIO_PROFILE_N} holding a timeline; null when none or when the switch is not set.
     */
    private Path recordedTrace(String scenario, VmProfile p) throws IOException {
        if (traces.isEmpty()) return null;
        Path root = Path.of(traces);
        if (!Files.isDirectory(root)) return null;
        try (var walk = Files.walk(root, 3)) {
            return walk.filter(Files::isDirectory).filter(d -> {
                        String n = d.getFileName().toString();
                        String prefix = scenario + "_" + p.label() + "_";
                        return n.startsWith(prefix) && (n.substring(prefix.length()).matches("\\d+")
                                || n.startsWith(prefix + "guide_"));
                    }).map(d -> d.resolve("timeline.jsonl")).filter(Files::exists).sorted().findFirst()
                    .orElse(null);
        }
    }

    /** One cgroup run of {@code sc} on {@code p} with {@code spec}. */
    private RunRecord realRun(Scenario sc, VmProfile p, PolicySpec spec) throws IOException {
        SuiteConfig c = config.with(size, spec.name(), spec.paramsText(), timeout);
        log.printf(Locale.ROOT, "bench: %-28s %-5s %-40s ... ", sc.name(), p.label(), abbreviate(spec.label(), 40));
        log.flush();
        RunRecord r = new ScenarioRunner(c).run(sc.withPolicy(spec.name(), spec.params()), p, 1);
        runs.add(r);
        log.println(r.outcome.name().toLowerCase(Locale.ROOT) + (r.outcome == RunRecord.Outcome.COMPLETED
                ? String.format(Locale.ROOT, " %,.0f rows/s, peak %.0f MB, %d gate pauses",
                r.metricDouble("rows_per_s"), r.peakWorkingSetBytes() / 1e6, r.metric("gate_pauses", 0)) : "")
                + (r.failure != null ? " (" + abbreviate(r.failure, 80) + ")" : ""));
        return r;
    }

    private static SimError error(Scenario sc, VmProfile p, PolicySpec spec, RunRecord r, SimResult sim,
                                  boolean inSample) {
        String outcome = r.outcome.name().toLowerCase(Locale.ROOT);
        return new SimError(sc.name(), p.label(), spec.label(), outcome, sim.outcome(),
                r.outcome == RunRecord.Outcome.COMPLETED ? r.metricDouble("rows_per_s") : 0, sim.rowsPerSecond(),
                r.outcome == RunRecord.Outcome.COMPLETED ? r.peakWorkingSetBytes() : -1, sim.peakBytes(),
                r.metric("gate_pauses", 0), sim.gatePauses(), inSample);
    }

    /** The cgroup runs as a Markdown table; {@code withScenario}: a first column names each run's scenario. */
    private static String realTable(List<RunRecord> rs, boolean withScenario) {
        StringBuilder sb = new StringBuilder(withScenario ? "| scenario " : "").append("| policy | parameters | "
                + "outcome | rows/s | peak MB | gate pauses | limit waits | paused s | validations |\n")
                .append(withScenario ? "|---" : "").append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (RunRecord r : rs) {
            if (withScenario) sb.append("| ").append(r.scenario).append(' ');
            List<String> failed = new ArrayList<>();
            for (RunRecord.Validation v : r.validations) if (!v.passed()) failed.add(v.name());
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.0f | %.0f | %d | %d | %.1f | %s |%n", r.policy,
                    r.policyParams == null || r.policyParams.isEmpty() ? "—" : "`" + r.policyParams + "`",
                    r.outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                            + (r.failure != null && r.outcome != RunRecord.Outcome.COMPLETED ? " (" + abbreviate(
                            r.failure, 60) + ")" : ""),
                    r.metricDouble("rows_per_s"), Math.max(0, r.peakWorkingSetBytes()) / 1e6,
                    r.metric("gate_pauses", 0), r.metric("memory_limit_waits", 0), r.metricDouble("paused_ms") / 1e3,
                    failed.isEmpty() ? "pass" : "FAIL: " + String.join(", ", failed)));
        }
        return sb.toString();
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    /**
     * Whether {@code sc} is meant for {@code p}: it names the profile (in any suite), or — for a profile no scenario
     * names, such as the AWS ones — a profile with the same RAM.
     */
    static boolean relevant(Scenario sc, VmProfile p) {
        List<VmProfile> named = sc.resolvedProfiles();
        for (Map.Entry<String, List<String>> e : sc.profilesBySuite().entrySet()) {
            for (String n : e.getValue()) named.add(VmProfile.load(n));
        }
        if (named.stream().anyMatch(x -> x.name().equals(p.name()))) return true;
        boolean anyNamesIt = Scenario.names().stream().map(Scenario::load).anyMatch(s -> s.resolvedProfiles().stream()
                .anyMatch(x -> x.name().equals(p.name())));
        return !anyNamesIt && named.stream().anyMatch(x -> x.ramBytes() == p.ramBytes());
    }

    /**
     * The parameters of {@code spec} that differ from what the profile would apply anyway: the policy's and the
     * gate's defaults, and the profile's chunk clamps.
     */
    static Map<String, String> essential(PolicySpec spec, VmProfile p) {
        io.polarway.policy.PolicyFactory f = io.polarway.policy.PolicyRegistry.withDefaults().get(spec.name());
        Map<String, String> out = new LinkedHashMap<>();
        spec.params().forEach((k, v) -> {
            if (k.equals("max_chunk_rows") && v.equals(Integer.toString(p.maxChunkRows()))) return;
            if (k.equals("min_chunk_rows") && v.equals(Integer.toString(p.minChunkRows()))) return;
            io.polarway.config.OptionSet set = f.options().contains(k) ? f.options()
                    : io.polarway.policy.HysteresisGate.OPTIONS;
            Object parsed = set.parse(Map.of(k, v)).find(spec(set, k)).orElse(null);
            Object def = spec(set, k).defaultValue().orElse(null);
            if (parsed != null && parsed.equals(def)) return;
            out.put(k, v);
        });
        return out;
    }

    private static io.polarway.config.OptionSpec<?> spec(io.polarway.config.OptionSet set, String key) {
        for (io.polarway.config.OptionSpec<?> s : set.specs()) if (s.key().equals(key)) return s;
        throw new IllegalArgumentException(key);
    }

    /** The recommended configuration and its score (worst share of the best throughput across scenarios). */
    record Recommendation(PolicySpec spec, double score) {
    }

    /**
     * How far (as a share of the best throughput) the winner must be ahead of the guide's own policy, at its worst,
     * before the guide's is replaced: the simulator's throughput error is a few percent, so a smaller lead is noise
     * and would swap the recommendation from one run to the next.
     */
    static final double KEEP_GUIDE_WITHIN = 0.02;

    /**
     * The configuration (of any adaptive policy) whose worst throughput across the sweeps, as a share of the best
     * throughput any configuration reached in that sweep, is highest — among those within the budget in every
     * sweep. Ties: the fewer pauses in total. The guide's policy with its defaults is kept instead when it is within
     * the budget everywhere and its worst share is within {@link #KEEP_GUIDE_WITHIN} of the winner's.
     */
    static Recommendation recommend(Map<String, Sweep.Outcome> sweeps, VmProfile p) {
        if (sweeps.isEmpty()) return null;
        Map<PolicySpec, double[]> score = new LinkedHashMap<>(); // {min share, pauses, count}
        for (Sweep.Outcome o : sweeps.values()) {
            double best = 0;
            for (Sweep.Point pt : o.points()) if (pt.withinBudget()) best = Math.max(best, pt.rowsPerSecond());
            if (best <= 0) continue;
            for (Sweep.Point pt : o.points()) {
                if (pt.kind() == Sweep.Kind.ORACLE || pt.spec().name().equals("fixed")) continue;
                double share = pt.withinBudget() ? pt.rowsPerSecond() / best : -1;
                double[] s = score.computeIfAbsent(pt.spec(), k -> new double[] {Double.MAX_VALUE, 0, 0});
                s[0] = Math.min(s[0], share);
                s[1] += pt.result().pauses();
                s[2]++;
            }
        }
        PolicySpec bestSpec = null;
        double[] bestScore = null;
        for (Map.Entry<PolicySpec, double[]> e : score.entrySet()) {
            double[] s = e.getValue();
            if (s[2] < sweeps.size() || s[0] < 0) continue;
            if (bestScore == null || s[0] > bestScore[0] + 1e-9
                    || (Math.abs(s[0] - bestScore[0]) <= 1e-9 && s[1] < bestScore[1])) {
                bestSpec = e.getKey();
                bestScore = s;
            }
        }
        if (bestSpec == null) return null;
        for (Map.Entry<PolicySpec, double[]> e : score.entrySet()) {
            double[] s = e.getValue();
            if (e.getKey().name().equals("guide") && e.getKey().params().isEmpty() && s[2] >= sweeps.size()
                    && s[0] >= 0 && s[0] >= bestScore[0] - KEEP_GUIDE_WITHIN) {
                return new Recommendation(e.getKey(), s[0]);
            }
        }
        return new Recommendation(bestSpec, bestScore[0]);
    }

    @Override
    public String toString() {
        return "TuneSuite" + Arrays.asList(size, real, policies);
    }
}
