package io.polarway.bench.runner;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.scenario.ScenarioData;
import io.polarway.bench.scenario.ScenarioBenchmark;
import io.polarway.bench.scenario.ScenarioProfiler;
import io.polarway.profile.VmProfile;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one scenario under one profile as a single-shot JMH benchmark whose fork lives inside the profile's
 * {@link Confinement}, then decides what happened. JMH drops a fork the kernel killed from its results (it only
 * prints {@code <forked VM failed with exit code 137>}), so a missing result is read together with the group's
 * {@code oom_kill} counter and the exit code in JMH's output: a kill is an {@code OOM_KILLED} outcome, never a silent
 * gap.
 */
final class ScenarioRunner {
    private static final Pattern FORK_EXIT = Pattern.compile("forked VM failed with exit code (\\d+)");
    private final SuiteConfig config;

    ScenarioRunner(SuiteConfig config) {
        this.config = config;
    }

    /** The record of a run that could not even be attempted: a failure naming why. */
    static RunRecord failed(Scenario scenario, VmProfile profile, SuiteConfig config, Throwable why) {
        RunRecord r = new RunRecord();
        r.scenario = scenario.name();
        r.profile = profile.name();
        r.profileLabel = profile.label();
        r.suite = config.suite();
        r.repeat = 1;
        r.recommendedLimitBytes = profile.recommendedLimitBytes();
        r.expectedOutcome = scenario.expect().outcome();
        r.confinement = "none";
        r.runDir = "runs";
        r.outcome = RunRecord.Outcome.FAILED;
        r.failure = "runner: " + why;
        Validations.check(r, scenario, profile);
        return r;
    }

    RunRecord run(Scenario scenario, VmProfile profile, int repeat) throws IOException {
        String tag = config.policyTag();
        String id = scenario.name() + "_" + profile.label() + (tag.isEmpty() ? "" : "_" + tag) + "_" + repeat;
        Path dir = config.out().resolve("runs").resolve(id);
        Files.createDirectories(dir);
        RunRecord r = new RunRecord();
        r.scenario = scenario.name();
        r.profile = profile.name();
        r.profileLabel = profile.label();
        r.suite = config.suite();
        r.repeat = repeat;
        r.recommendedLimitBytes = profile.recommendedLimitBytes();
        r.expectedOutcome = scenario.expect().outcome();
        r.runDir = config.out().relativize(dir).toString();
        r.policy = config.policy().isEmpty() ? scenario.stream().policy() : config.policy();
        r.policyParams = config.policy().isEmpty() ? paramsText(scenario.stream().params()) : config.policyParams();

        String group = "polarway-bench-" + ProcessHandle.current().pid() + "-" + id.replaceAll("[^A-Za-z0-9._-]", "_");
        try (Confinement box = Confinement.create(profile, group)) {
            r.confinement = box.kind();
            r.confined = box.confined();
            r.confinementNote = box.note();
            r.limitBytes = box.limitBytes();
            r.cpuQuotaCores = box.cpuQuotaCores();
            Path wrapper = box.writeJvmWrapper(dir);
            CreditController credits = null;
            if (box.sandbox() != null && box.sandbox().cpuLimited() && !profile.cpu().unlimited()) {
                credits = new CreditController(box.sandbox(),
                        new CpuCredits(profile.cpu(), box.cpuQuotaCores(), profile.cpu().initialCredits()),
                        dir.resolve("cpu.jsonl"));
            }
            Path jmhLog = dir.resolve("jmh.log");
            Collection<RunResult> results;
            long start = System.nanoTime();
            // The data are made ready here, in the runner's own JVM and outside the profile's cgroup: writing a
            // file or running a store is not what the profile's limits measure (on a real VM the store is another
            // machine). Not timed either: the run's figures come from the fork.
            ScenarioData data = null;
            try {
                data = ScenarioData.prepare(scenario, profile, config.suite());
                List<String> datasetArgs = new ArrayList<>();
                data.forkProperties().forEach((k, v) -> datasetArgs.add("-D" + k + "=" + v));
                start = System.nanoTime();
                results = new Runner(options(scenario, profile, wrapper, dir, jmhLog, datasetArgs)).run();
            } catch (Exception e) {
                results = List.of();
                r.failure = (e instanceof RunnerException ? "JMH: " : "dataset: ") + e.getMessage();
            } finally {
                if (data != null) {
                    try {
                        data.close();
                    } catch (Exception e) {
                        if (r.failure == null) r.failure = "cannot stop the dataset's server: " + e;
                    }
                }
                if (credits != null) {
                    credits.close();
                    r.cpuThrottled = credits.everThrottled();
                }
            }
            r.elapsedMs = (System.nanoTime() - start) / 1e6;
            r.oomKills = box.oomKills();
            r.peakRawBytes = box.peakRawBytes();
            String log = Files.exists(jmhLog) ? Files.readString(jmhLog, StandardCharsets.UTF_8) : "";
            Matcher m = FORK_EXIT.matcher(log);
            r.exitCode = m.find() ? Integer.parseInt(m.group(1)) : 0;
            Path summary = dir.resolve("summary.json");
            boolean completed = !results.isEmpty() && Files.exists(summary);
            if (completed) {
                r.outcome = RunRecord.Outcome.COMPLETED;
                r.metrics.putAll(new ObjectMapper().readValue(summary.toFile(),
                        new TypeReference<Map<String, Object>>() { }));
            } else if (r.oomKills > 0 || r.exitCode == 137) {
                r.outcome = RunRecord.Outcome.OOM_KILLED;
            } else {
                r.outcome = RunRecord.Outcome.FAILED;
                if (r.failure == null) r.failure = failureLine(log, r.exitCode);
            }
        }
        Validations.check(r, scenario, profile);
        return r;
    }

    private org.openjdk.jmh.runner.options.Options options(Scenario s, VmProfile p, Path wrapper, Path dir,
                                                           Path jmhLog, List<String> datasetArgs) {
        List<String> jvmArgs = new ArrayList<>(p.jvmArgs());
        jvmArgs.addAll(datasetArgs);
        jvmArgs.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        jvmArgs.add("-Dbench.run.dir=" + dir);
        jvmArgs.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        if (!config.policy().isEmpty()) {
            jvmArgs.add("-Dbench.policy=" + config.policy());
            jvmArgs.add("-Dbench.policy.params=" + config.policyParams());
        }
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(ScenarioBenchmark.class.getName() + ".run")
                .param("scenario", s.name()).param("profile", p.name()).param("suite", config.suite())
                .forks(1).warmupIterations(0).measurementIterations(1)
                .jvm(wrapper.toString())
                .jvmArgs(jvmArgs.toArray(String[]::new))
                .addProfiler(ScenarioProfiler.class)
                .timeout(TimeValue.minutes(config.timeoutMinutes()))
                .shouldFailOnError(false)
                .resultFormat(ResultFormatType.JSON).result(dir.resolve("jmh.json").toString())
                .output(jmhLog.toString());
        config.asyncProfiler(dir).ifPresent(prof -> b.addProfiler("async", prof));
        return b.build();
    }

    private static String paramsText(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** The most telling line of a failed fork's output. */
    private static String failureLine(String log, int exit) {
        for (String line : log.split("\n")) {
            String t = line.trim();
            if (t.startsWith("io.polarway") || t.contains("Exception:") || t.startsWith("java.lang.")) {
                return t.length() > 300 ? t.substring(0, 300) + "..." : t;
            }
        }
        return exit != 0 ? "fork exited with code " + exit : "no result (see jmh.log)";
    }
}
