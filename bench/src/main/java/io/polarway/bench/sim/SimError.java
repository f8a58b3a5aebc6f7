package io.polarway.bench.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How far the simulator is from a real cgroup run of the same scenario, profile and policy: the relative error of
 * throughput and of peak working set ({@code (simulated − measured) / measured}), and whether both ended the same way.
 *
 * @param scenario      the scenario
 * @param profile       the profile label
 * @param policy        the policy and parameters
 * @param realOutcome   how the real run ended ({@code completed}, {@code oom_killed}, {@code failed})
 * @param simOutcome    how the simulated run ended
 * @param realRowsPerS  measured throughput (0 unless completed)
 * @param simRowsPerS   simulated throughput
 * @param realPeakBytes measured peak (the cgroup's working set)
 * @param simPeakBytes  simulated peak
 * @param realPauses    measured gate pauses
 * @param simPauses     simulated gate pauses
 * @param inSample      the run the workload was calibrated on (its throughput error is 0 by construction)
 */
public record SimError(String scenario, String profile, String policy, String realOutcome, String simOutcome,
                       double realRowsPerS, double simRowsPerS, long realPeakBytes, long simPeakBytes,
                       long realPauses, long simPauses, boolean inSample) {

    /** Relative throughput error, or NaN when either run did not complete. */
    public double throughputError() {
        if (realRowsPerS <= 0 || !simOutcome.equals("completed")) return Double.NaN;
        return (simRowsPerS - realRowsPerS) / realRowsPerS;
    }

    /** Relative peak error, or NaN when the real peak is unknown. */
    public double peakError() {
        if (realPeakBytes <= 0 || !realOutcome.equals("completed")) return Double.NaN;
        return (double) (simPeakBytes - realPeakBytes) / realPeakBytes;
    }

    public boolean sameOutcome() {
        return realOutcome.equals(simOutcome);
    }

    /** Median and largest absolute errors over the out-of-sample comparisons, as one line. */
    public static String summary(List<SimError> errors) {
        List<Double> tp = new ArrayList<>();
        List<Double> pk = new ArrayList<>();
        int same = 0;
        int n = 0;
        for (SimError e : errors) {
            if (e.inSample()) continue;
            n++;
            if (e.sameOutcome()) same++;
            if (!Double.isNaN(e.throughputError())) tp.add(Math.abs(e.throughputError()));
            if (!Double.isNaN(e.peakError())) pk.add(Math.abs(e.peakError()));
        }
        return String.format(Locale.ROOT, "%d out-of-sample runs: outcome agrees in %d; throughput error median %s, "
                        + "max %s (%d runs); peak error median %s, max %s (%d runs)", n, same, pct(median(tp)),
                pct(max(tp)), tp.size(), pct(median(pk)), pct(max(pk)), pk.size());
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) return Double.NaN;
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    /** A Markdown table of the comparisons. */
    public static String markdown(List<SimError> errors) {
        StringBuilder sb = new StringBuilder("| scenario | profile | policy | real | sim | real rows/s | sim rows/s "
                + "| error | real peak MB | sim peak MB | error | real pauses | sim pauses |\n"
                + "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SimError e : errors) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | `%s`%s | %s | %s | %.0f | %.0f | %s | %.0f | %.0f | %s "
                            + "| %d | %d |%n", e.scenario(), e.profile(), e.policy(), e.inSample() ? " (calibration)"
                            : "", e.realOutcome().replace('_', ' '), e.simOutcome().replace('_', ' '),
                    e.realRowsPerS(), e.simRowsPerS(), signed(e.throughputError()), e.realPeakBytes() / 1e6,
                    e.simPeakBytes() / 1e6, signed(e.peakError()), e.realPauses(), e.simPauses()));
        }
        return sb.toString();
    }

    static String signed(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%+.0f %%", v * 100);
    }
}
