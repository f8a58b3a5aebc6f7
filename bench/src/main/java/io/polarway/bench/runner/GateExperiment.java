package io.polarway.bench.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polarway.bench.gate.Baseline;
import io.polarway.bench.gate.Gate;
import io.polarway.bench.gate.Machine;
import io.polarway.bench.gate.Samples;

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the regression gate itself: its false-alarm rate (A/A — the same commit compared with a baseline recorded
 * from the same commit, {@code runs} times) and its power (the same, with a known slowdown injected into one
 * benchmark through {@code -Dbench.inject}). Each trial is a full gate decision, re-run included. Writes
 * {@code gate-experiment.json} into {@code bench.out} and prints the two rates.
 *
 * <pre>java -cp bench/target/benchmarks.jar -Dbench.suite=default -Dbench.out=bench/target/gate-experiment \
 *     io.polarway.bench.runner.GateExperiment 10 ArrowBuildBenchmark:1.20</pre>
 */
public final class GateExperiment {

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String inject = args.length > 1 ? args[1] : "ArrowBuildBenchmark:1.20";
        SuiteConfig base = SuiteConfig.fromSystemProperties();
        Files.createDirectories(base.out());
        Gate gate = Gate.defaults();
        Machine machine = Machine.current();

        System.out.println("gate experiment: recording a baseline");
        Map<String, Samples> first = micro(base, "", "baseline");
        Baseline baseline = new Baseline(machine.toMap(), Instant.now().toString(), "",
                first.get(MicroRunner.CALIBRATION).median(), first);

        List<Map<String, Object>> trials = new ArrayList<>();
        int aaAlarms = 0;
        int aaDecisions = 0;
        int detected = 0;
        int targetDecisions = 0; // a parameterised benchmark (rows=1000, rows=10000) is one decision per key
        String target = inject.split(":")[0];
        for (int i = 0; i < runs; i++) {
            for (boolean injected : new boolean[]{false, true}) {
                String label = (injected ? "inj-" : "aa-") + i;
                List<Gate.Verdict> verdicts = decide(base, gate, baseline, injected ? inject : "", label);
                for (Gate.Verdict v : verdicts) {
                    boolean isTarget = v.key().contains("." + target + ".");
                    boolean alarm = v.status() == Gate.Status.REGRESSION;
                    if (!injected) {
                        aaDecisions++;
                        if (alarm) aaAlarms++;
                    } else if (isTarget) {
                        targetDecisions++;
                        if (alarm) detected++;
                    }
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("trial", label);
                    t.put("injected", injected ? inject : null);
                    t.put("benchmark", v.key());
                    t.put("status", v.status().name().toLowerCase(Locale.ROOT));
                    t.put("effect", v.effect());
                    t.put("p_value", v.pValue());
                    trials.add(t);
                }
                System.out.printf(Locale.ROOT, "gate experiment: %s: %s%n", label, verdicts.stream()
                        .map(v -> v.key().replaceAll(".*\\.(\\w+\\.\\w+)", "$1") + "=" + v.status()
                                + String.format(Locale.ROOT, "(%+.1f%%)", v.effect() * 100)).toList());
            }
        }
        double falseAlarmRate = aaDecisions == 0 ? 0 : (double) aaAlarms / aaDecisions;
        double power = targetDecisions == 0 ? 0 : (double) detected / targetDecisions;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("machine", machine.toMap());
        out.put("suite", base.suite());
        out.put("forks", base.microForks());
        out.put("iterations", base.microIterations());
        out.put("runs", runs);
        out.put("inject", inject);
        out.put("false_alarms", aaAlarms);
        out.put("aa_decisions", aaDecisions);
        out.put("false_alarm_rate", falseAlarmRate);
        out.put("detected", detected);
        out.put("injected_decisions", targetDecisions);
        out.put("power", power);
        out.put("trials", trials);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(base.out().resolve("gate-experiment.json").toFile(), out);
        System.out.printf(Locale.ROOT, "gate experiment: false alarms %d of %d benchmark decisions (%.1f %%); "
                        + "%s detected in %d of %d decisions (%.0f %%)%n", aaAlarms, aaDecisions, falseAlarmRate * 100,
                inject, detected, targetDecisions, power * 100);
    }

    /** One full gate decision against {@code baseline}, confirming re-runs included. */
    private static List<Gate.Verdict> decide(SuiteConfig base, Gate gate, Baseline baseline, String inject,
                                             String label) throws Exception {
        SuiteConfig c = withInject(base, inject);
        MicroRunner runner = new MicroRunner(c);
        Map<String, Samples> current = runner.run(MicroRunner.GATED.keySet(), label);
        Samples cal = current.remove(MicroRunner.CALIBRATION);
        List<Gate.Verdict> out = new ArrayList<>();
        for (Gate.Verdict v : gate.compare(current, cal.median(), baseline, true)) {
            if (v.status() != Gate.Status.SUSPECT) {
                out.add(v);
                continue;
            }
            Map<String, Samples> again = runner.run(List.of(v.key(), MicroRunner.CALIBRATION), label + "-rerun");
            Samples cal2 = again.remove(MicroRunner.CALIBRATION);
            out.add(gate.confirm(v, gate.compare(Map.of(v.key(), again.get(v.key())), cal2.median(), baseline, true)
                    .get(0), cal2.median() / baseline.calibrationMedian()));
        }
        return out;
    }

    private static Map<String, Samples> micro(SuiteConfig c, String inject, String label) throws Exception {
        return new MicroRunner(withInject(c, inject)).run(MicroRunner.GATED.keySet(), label);
    }

    private static SuiteConfig withInject(SuiteConfig c, String inject) {
        return new SuiteConfig(c.suite(), c.profiles(), c.scenarios(), c.profiler(), c.gate(), c.baseline(),
                false, inject, c.out(), c.root());
    }

    private GateExperiment() {
    }
}
