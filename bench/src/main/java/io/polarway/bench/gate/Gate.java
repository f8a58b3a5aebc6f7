package io.polarway.bench.gate;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a benchmark got slower than its baseline, built not to cry wolf on shared 2-core machines
 * (see docs/performance.md for its measured false-alarm rate and power):
 * <ol>
 *   <li>both a statistical test and a minimum effect: a two-sided Mann-Whitney U test over every iteration of every
 *       fork ({@code p < alpha}) <em>and</em> a median slowdown of at least {@code minEffect} — a significant 2 %
 *       change is not a regression worth failing CI;</li>
 *   <li>when the baseline comes from another machine, scores are divided by the calibration benchmark of the same run
 *       and the minimum effect is doubled (normalisation adds its own noise);</li>
 *   <li>a suspect is only {@link Status#SUSPECT}: the suite re-runs it with fresh forks and fails only if the re-run
 *       is a suspect too ({@link #confirm}), so a false alarm must happen twice in a row.</li>
 * </ol>
 * Pure: no I/O, no clock.
 */
public final class Gate {
    /** What a comparison concluded. */
    public enum Status { OK, SUSPECT, REGRESSION, IMPROVED, NEW }

    /**
     * @param key        benchmark and parameters
     * @param baseline   baseline median (normalised when {@code normalized})
     * @param current    current median (same units)
     * @param effect     current / baseline − 1 (positive = slower)
     * @param pValue     Mann-Whitney U two-sided p-value
     * @param normalized whether scores were divided by the calibration benchmark
     * @param status     the verdict
     */
    public record Verdict(String key, double baseline, double current, double effect, double pValue,
                          boolean normalized, Status status) {
    }

    private final double alpha;
    private final double minEffect;

    /**
     * @param alpha     the significance level, e.g. 0.01
     * @param minEffect the smallest slowdown that fails, e.g. 0.10 for 10 %
     */
    public Gate(double alpha, double minEffect) {
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in (0, 1)");
        if (!(minEffect > 0)) throw new IllegalArgumentException("minEffect must be positive");
        this.alpha = alpha;
        this.minEffect = minEffect;
    }

    public static Gate defaults() {
        return new Gate(0.01, 0.10);
    }

    /**
     * Compares current samples with the baseline's.
     *
     * @param current            this run's samples by key (raw scores)
     * @param currentCalibration this run's calibration median
     * @param baseline           the stored baseline
     * @param sameMachine        whether the baseline was recorded on a machine with the same {@link Machine#id()}
     */
    public List<Verdict> compare(Map<String, Samples> current, double currentCalibration, Baseline baseline,
                                 boolean sameMachine) {
        List<Verdict> out = new ArrayList<>();
        for (Map.Entry<String, Samples> e : current.entrySet()) {
            Samples base = baseline.samples().get(e.getKey());
            if (base == null) {
                out.add(new Verdict(e.getKey(), Double.NaN, e.getValue().median(), Double.NaN, Double.NaN,
                        !sameMachine, Status.NEW));
                continue;
            }
            Samples cur = e.getValue();
            if (!sameMachine) {
                cur = cur.normalized(currentCalibration);
                base = base.normalized(baseline.calibrationMedian());
            }
            out.add(verdict(e.getKey(), base, cur, !sameMachine));
        }
        return out;
    }

    Verdict verdict(String key, Samples base, Samples cur, boolean normalized) {
        double b = base.median();
        double c = cur.median();
        double effect = c / b - 1;
        double p = new MannWhitneyUTest().mannWhitneyUTest(base.values(), cur.values());
        double threshold = normalized ? 2 * minEffect : minEffect;
        Status s;
        if (p < alpha && effect >= threshold) s = Status.SUSPECT;
        else if (p < alpha && effect <= -threshold) s = Status.IMPROVED;
        else s = Status.OK;
        return new Verdict(key, b, c, effect, p, normalized, s);
    }

    /**
     * The verdict after a re-run of a suspect: a regression only when the re-run is a suspect too; otherwise the
     * original verdict downgraded to OK (a one-off).
     */
    public Verdict confirm(Verdict first, Verdict rerun) {
        if (first.status() != Status.SUSPECT) return first;
        if (rerun.status() == Status.SUSPECT) {
            return new Verdict(first.key(), first.baseline(), rerun.current(), rerun.effect(),
                    Math.max(first.pValue(), rerun.pValue()), first.normalized(), Status.REGRESSION);
        }
        return new Verdict(first.key(), first.baseline(), rerun.current(), rerun.effect(), rerun.pValue(),
                first.normalized(), Status.OK);
    }

    /**
     * {@link #confirm(Verdict, Verdict)}, except that on the same machine a re-run whose slowdown the calibration
     * benchmark of the re-run shares is not a confirmation: when the calibration ran {@code calibrationRatio} times
     * its baseline median ({@code > 1}: the machine was slower, e.g. a noisy neighbour on a cloud VM), the re-run's
     * effect must still reach the minimum effect after dividing by it. In the gate experiment's A/A runs
     * (docs/performance.md) a confirmed false alarm came from a re-run during which the calibration itself was 11 %
     * slower. A faster machine ({@code <= 1}) changes nothing, and normalised verdicts already carry the calibration.
     */
    public Verdict confirm(Verdict first, Verdict rerun, double calibrationRatio) {
        Verdict v = confirm(first, rerun);
        if (v.status() != Status.REGRESSION || rerun.normalized() || !(calibrationRatio > 1)) return v;
        double net = (1 + rerun.effect()) / calibrationRatio - 1;
        if (net >= minEffect) return v;
        return new Verdict(v.key(), v.baseline(), v.current(), v.effect(), v.pValue(), v.normalized(), Status.OK);
    }

    public double minEffect() {
        return minEffect;
    }

    public double alpha() {
        return alpha;
    }
}
