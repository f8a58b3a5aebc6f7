package io.polarway.bench.runner;

import io.polarway.bench.gate.Baseline;
import io.polarway.bench.gate.Gate;
import io.polarway.bench.gate.Machine;
import io.polarway.bench.gate.Samples;
import io.polarway.bench.report.ReportWriter;
import io.polarway.bench.scenario.Scenario;
import io.polarway.config.ByteSize;
import io.polarway.memory.CgroupSandbox;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bench suite, as {@code mvn verify -Pbench} runs it: every scenario of the suite under each of its VM profiles
 * (a fresh JVM per run, inside the profile's cgroup), the validations, the micro benchmarks and the regression gate,
 * then {@code bench/target/bench-report/} ({@code index.html}, {@code results.json}). Exits 1 when a validation fails
 * or a regression is confirmed, 2 on a usage error. Switches: see {@link SuiteConfig}. {@code -Dbench.suite=tune}
 * runs the policy-tuning suite instead ({@link TuneSuite}).
 */
public final class BenchSuite {
    private final SuiteConfig config;
    private final PrintStream log;

    BenchSuite(SuiteConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        SuiteConfig config;
        try {
            config = SuiteConfig.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        boolean passed = config.suite().equals("tune") ? new TuneSuite(config, System.out).run()
                : new BenchSuite(config, System.out).run();
        System.exit(passed ? 0 : 1);
    }

    /** Runs the suite and writes the report; returns whether it passed. */
    boolean run() throws Exception {
        String started = Instant.now().toString();
        Files.createDirectories(config.out());
        Machine machine = Machine.current();
        log.printf(Locale.ROOT, "bench: suite %s on %s%n", config.suite(), machine.id());
        log.println("bench: confinement: " + CgroupSandbox.probe().reason());
        removeStaleGroups();

        List<RunRecord> runs = new ArrayList<>();
        for (String name : Scenario.names()) {
            Scenario sc = Scenario.load(name);
            if (!sc.inSuite(config.suite())) continue;
            if (!config.scenarios().isEmpty() && !config.scenarios().contains(name)) continue;
            for (VmProfile p : sc.resolvedProfiles(config.suite())) {
                if (!config.profiles().isEmpty() && config.profiles().stream().noneMatch(p::isNamed)) continue;
                log.printf(Locale.ROOT, "bench: %-28s %-5s ... ", name, p.label());
                log.flush();
                RunRecord r;
                try {
                    r = new ScenarioRunner(config).run(sc, p, 1);
                } catch (Exception | LinkageError e) {
                    // one broken run (a missing class, an unwritable folder) is a failed run, not the end of the suite
                    r = ScenarioRunner.failed(sc, p, config, e);
                }
                runs.add(r);
                log.println(summary(r));
            }
        }

        Map<String, Samples> micro = new LinkedHashMap<>();
        List<Gate.Verdict> verdicts = new ArrayList<>();
        String gateStatus = "off";
        String gateNote = "the gate is off (-Dbench.gate=off)";
        boolean gatePassed = true;
        if (config.gate() || config.updateBaseline()) {
            log.println("bench: micro benchmarks (" + config.microForks() + " forks each) ...");
            MicroRunner runner = new MicroRunner(config);
            micro.putAll(runner.run(MicroRunner.GATED.keySet(), "micro"));
            Samples calibration = micro.get(MicroRunner.CALIBRATION);
            if (config.updateBaseline()) {
                Map<String, Samples> gated = new LinkedHashMap<>(micro);
                new Baseline(machine.toMap(), Instant.now().toString(), commit(), calibration.median(), gated)
                        .write(config.baseline());
                gateStatus = "baseline written";
                gateNote = "baseline written to " + config.baseline() + " from this run";
            } else if (!Files.exists(config.baseline())) {
                gateStatus = "no baseline";
                gateNote = "no baseline at " + config.baseline() + ": nothing to compare (record one with "
                        + "-Dbench.baseline.update=true)";
            } else {
                Baseline base = Baseline.read(config.baseline());
                boolean same = base.machineId().equals(machine.id());
                Gate gate = Gate.defaults();
                Map<String, Samples> gated = new LinkedHashMap<>(micro);
                gated.remove(MicroRunner.CALIBRATION);
                List<Gate.Verdict> first = gate.compare(gated, calibration.median(), base, same);
                for (Gate.Verdict v : first) {
                    if (v.status() != Gate.Status.SUSPECT) {
                        verdicts.add(v);
                        continue;
                    }
                    log.printf(Locale.ROOT, "bench: %s looks %.1f %% slower (p=%.3g): re-running to confirm%n",
                            v.key(), v.effect() * 100, v.pValue());
                    Map<String, Samples> again = runner.run(List.of(v.key(), MicroRunner.CALIBRATION),
                            "rerun-" + verdicts.size());
                    Samples cal = again.remove(MicroRunner.CALIBRATION);
                    Gate.Verdict rerun = gate.compare(Map.of(v.key(), again.get(v.key())), cal.median(), base, same)
                            .get(0);
                    verdicts.add(gate.confirm(v, rerun, cal.median() / base.calibrationMedian()));
                }
                long regressions = verdicts.stream().filter(v -> v.status() == Gate.Status.REGRESSION).count();
                gatePassed = regressions == 0;
                gateStatus = gatePassed ? "pass" : "FAIL (" + regressions + " regression" + (regressions > 1 ? "s" : "")
                        + ")";
                gateNote = String.format(Locale.ROOT, "baseline %s (%s, recorded %s); %s; a regression needs p < %.2g "
                                + "and a slowdown of at least %.0f %%%s, twice in a row",
                        config.baseline().getFileName(), base.machineId(), base.recorded(),
                        same ? "same machine: raw scores" : "other machine: scores divided by the calibration benchmark",
                        gate.alpha(), gate.minEffect() * (same ? 100 : 200), same ? "" : " (doubled across machines)");
            }
        }

        boolean validationsPassed = runs.stream().allMatch(RunRecord::passed);
        boolean passed = validationsPassed && gatePassed;
        ReportWriter.write(config.out(), new ReportWriter.Report(config.suite(), started, Instant.now().toString(),
                machine.toMap(), runs, micro, verdicts, gateStatus, gateNote, passed));

        log.println();
        for (RunRecord r : runs) {
            for (RunRecord.Validation v : r.validations) {
                if (!v.passed()) log.printf("bench: FAILED %s on %s: %s (%s)%n", r.scenario, r.profileLabel,
                        v.name(), v.detail());
            }
        }
        for (Gate.Verdict v : verdicts) {
            if (v.status() == Gate.Status.REGRESSION) {
                log.printf(Locale.ROOT, "bench: REGRESSION %s: %+.1f %% (p=%.3g)%n", v.key(), v.effect() * 100,
                        v.pValue());
            }
        }
        log.printf("bench: %s — %d runs, validations %s, gate %s; report: %s%n", passed ? "PASSED" : "FAILED",
                runs.size(), validationsPassed ? "passed" : "FAILED", gateStatus, config.out().resolve("index.html"));
        return passed;
    }

    /**
     * Removes the cgroups of earlier runners that died without cleaning up ({@code polarway-bench-PID-...} whose
     * runner PID is gone and that hold no process), so a killed suite does not leave groups behind for ever.
     */
    private void removeStaleGroups() {
        io.polarway.memory.CgroupMemory.detect().groupDir().ifPresent(dir -> {
            for (java.nio.file.Path parent : List.of(dir, java.nio.file.Path.of("/sys/fs/cgroup/cpu"))) {
                try (java.util.stream.Stream<java.nio.file.Path> s = Files.list(parent)) {
                    for (java.nio.file.Path g : s.toList()) {
                        String n = g.getFileName().toString();
                        if (!n.startsWith("polarway-bench-")) continue;
                        String[] parts = n.split("-");
                        long pid;
                        try {
                            pid = Long.parseLong(parts[2]);
                        } catch (RuntimeException e) {
                            continue;
                        }
                        if (ProcessHandle.of(pid).isPresent()) continue;
                        try {
                            Files.delete(g);
                            log.println("bench: removed a stale cgroup " + g);
                        } catch (IOException e) {
                            log.println("bench: cannot remove stale cgroup " + g + ": " + e.getMessage());
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // no such hierarchy here
                }
            }
        });
    }

    private static String summary(RunRecord r) {
        StringBuilder sb = new StringBuilder(r.outcome.name().toLowerCase(Locale.ROOT));
        if (r.outcome == RunRecord.Outcome.COMPLETED) {
            sb.append(String.format(Locale.ROOT, " %,.0f rows/s, peak %s of %s recommended, %s pauses",
                    r.metricDouble("rows_per_s"), ByteSize.format(Math.max(0, r.peakWorkingSetBytes())),
                    ByteSize.format(r.recommendedLimitBytes), r.metrics.getOrDefault("pauses", 0)));
        }
        if (!r.expectedOutcome.equals("completed")) sb.append(" (expected ").append(r.expectedOutcome).append(')');
        sb.append(r.passed() ? " — ok" : " — FAILED");
        if (!r.confined) sb.append(" [unconfined]");
        return sb.toString();
    }

    private String commit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(config.root().toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
