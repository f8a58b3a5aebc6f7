package io.polarway.bench.sim;

import io.polarway.bench.scenario.Scenario;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One tuning session, as {@code polarway tune} and the {@code tune} bench suite run it: build the workload for a
 * scenario under a profile (calibrated from a recorded run when one is given), sweep the policies over a grid or
 * random points, and write {@code sweep.csv}, {@code pareto.svg} and {@code table.md} into a folder.
 *
 * @param profile   the VM profile
 * @param scenario  the bench scenario
 * @param suite     the scenario's size (smoke, default, full)
 * @param policies  policies to compare; their defaults always run
 * @param grid      the search space
 * @param random    0: the grid; else random points per policy
 * @param seed      seed of the random points
 * @param trace     a recorded run (timeline.jsonl or its folder) to calibrate from, or null
 * @param traced    the policy the recorded run used, or null for the scenario's
 * @param cpuCores  CPU for the workload, or 0 for the profile's vCPUs
 * @param synthetic also sweep the synthetic variants ({@link Workloads#synthetic})
 * @param out       the folder to write to, or null to write nothing
 * @param threads   simulations in parallel
 * @param margin    share of the budget the best configuration must leave free ({@link Sweep#DEFAULT_MARGIN})
 */
public record Tune(VmProfile profile, Scenario scenario, String suite, List<String> policies, ParamGrid grid,
                   int random, long seed, Path trace, PolicySpec traced, double cpuCores, boolean synthetic, Path out,
                   int threads, double margin) {

    public Tune {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(scenario, "scenario");
        policies = List.copyOf(policies);
        if (policies.isEmpty()) throw new IllegalArgumentException("no policies to compare");
    }

    /** A session's results: the calibration (when a trace was given) and one sweep per workload. */
    public record Report(Calibration.Result calibration, List<Sweep.Outcome> sweeps) {
    }

    /** The base workload: the scenario's under the profile, calibrated from the trace when there is one. */
    public Workload workload(Calibration.Result[] calibrationOut) throws IOException {
        Workload base = Workloads.of(scenario, profile, suite, cpuCores > 0 ? cpuCores : profile.vcpus());
        if (trace == null) return base;
        Calibration.Result c = Calibration.fit(base, traced != null ? traced : Workloads.policy(scenario), profile,
                Trace.read(trace));
        if (calibrationOut != null) calibrationOut[0] = c;
        return c.workload();
    }

    /** Runs the session, printing the table(s) to {@code log}, and writes the files when {@link #out} is set. */
    public Report run(PrintStream log) throws IOException {
        Calibration.Result[] cal = new Calibration.Result[1];
        Workload base = workload(cal);
        if (cal[0] != null) log.println("calibrated from " + trace + ": " + Calibration.describe(cal[0].fitted()));
        List<Workload> workloads = new ArrayList<>();
        workloads.add(base);
        if (synthetic) workloads.addAll(Workloads.synthetic(base).values());
        List<Sweep.Outcome> sweeps = new ArrayList<>();
        List<String> csv = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        for (Workload w : workloads) {
            Sweep.Outcome o = Sweep.run(w, profile, policies, grid, random, seed, threads, margin);
            sweeps.add(o);
            log.printf(Locale.ROOT, "%n%s: %d configurations simulated in %.1f s (%d rejected by their policy)%n",
                    w.name(), o.points().size(), o.millis() / 1000.0, o.invalid().size());
            log.print(TuneReport.textTable(o));
            csv.addAll(TuneReport.csvLines(o));
            md.append("### ").append(w.name()).append("\n\n").append(TuneReport.markdownTable(o)).append('\n');
            if (out != null) {
                Files.createDirectories(out);
                String file = "pareto-" + slug(w.name()) + ".svg";
                Files.writeString(out.resolve(file), TuneReport.paretoSvg(o, "Pareto: " + w.name()),
                        StandardCharsets.UTF_8);
                md.append("![Pareto chart](").append(file).append(")\n\n");
            }
        }
        if (out != null) {
            TuneReport.writeCsv(out.resolve("sweep.csv"), csv, false);
            Files.writeString(out.resolve("table.md"), md.toString(), StandardCharsets.UTF_8);
            log.println();
            log.println("wrote " + out.resolve("sweep.csv") + ", " + out.resolve("table.md") + " and the Pareto "
                    + "chart(s) in " + out);
        }
        return new Report(cal[0], sweeps);
    }

    /** A file-name-safe form of a workload name. */
    static String slug(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("_+$", "");
    }
}
