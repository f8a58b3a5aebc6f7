package io.polarway.bench.gate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class GateTest {
    private static final String KEY = "b.m{p=1}";

    /** n samples around {@code center} with relative noise {@code cv}, seeded. */
    static double[] noisy(double center, double cv, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = center * (1 + cv * (r.nextDouble() * 2 - 1));
        return v;
    }

    static Baseline baseline(double[] samples, double calibration) {
        return new Baseline(Map.of("id", "m1"), "2026-11-25", "abc", calibration,
                Map.of(KEY, new Samples(KEY, "us/op", samples, 3)));
    }

    /** The gate's verdict on 15 samples around {@code median} (2 % noise, seeded) at a calibration score. */
    static Gate.Verdict verdict(Gate g, double median, long seed, double calibration, Baseline base) {
        return g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(median, 0.02, 15, seed), 3)), calibration, base,
                true).get(0);
    }

    @Test
    void aClearSlowdownIsASuspectAndTwiceInARowARegression() {
        Gate g = Gate.defaults();
        Baseline base = baseline(noisy(100, 0.02, 15, 1), 50);
        Gate.Verdict first = verdict(g, 125, 2, 50, base);
        assertThat(first.status()).isEqualTo(Gate.Status.SUSPECT);
        assertThat(first.effect()).isBetween(0.2, 0.3);
        Gate.Verdict rerun = verdict(g, 124, 3, 50, base);
        assertThat(g.confirm(first, rerun).status()).isEqualTo(Gate.Status.REGRESSION);
        Gate.Verdict fine = verdict(g, 100, 4, 50, base);
        assertThat(g.confirm(first, fine).status()).isEqualTo(Gate.Status.OK); // a one-off is forgiven
    }

    /** The A/A false alarm of the gate experiment: a re-run 17 % slower while the calibration was 11 % slower. */
    @Test
    void aReRunWhoseSlowdownTheCalibrationSharesIsNotAConfirmation() {
        Gate g = Gate.defaults();
        Baseline base = baseline(noisy(100, 0.02, 15, 1), 50);
        Gate.Verdict first = verdict(g, 113, 2, 50, base);
        Gate.Verdict rerun = verdict(g, 117, 3, 55.5, base);
        assertThat(first.status()).isEqualTo(Gate.Status.SUSPECT);
        assertThat(g.confirm(first, rerun).status()).isEqualTo(Gate.Status.REGRESSION);
        assertThat(g.confirm(first, rerun, 55.5 / 50).status()).isEqualTo(Gate.Status.OK);
        // a real 25 % slowdown survives a calibration 5 % slower, and a faster machine changes nothing
        Gate.Verdict real = verdict(g, 125, 4, 52.5, base);
        assertThat(g.confirm(first, real, 52.5 / 50).status()).isEqualTo(Gate.Status.REGRESSION);
        assertThat(g.confirm(first, rerun, 0.9).status()).isEqualTo(Gate.Status.REGRESSION);
    }

    @Test
    void aSignificantButSmallChangeIsNotARegression() {
        Gate g = Gate.defaults();
        Baseline base = baseline(noisy(100, 0.005, 30, 1), 50);
        Gate.Verdict v = g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(105, 0.005, 30, 2), 3)), 50, base,
                true).get(0);
        assertThat(v.pValue()).isLessThan(0.001);
        assertThat(v.status()).isEqualTo(Gate.Status.OK); // 5 % < the 10 % minimum effect
    }

    @Test
    void noiseAloneIsNotASuspect() {
        Gate g = Gate.defaults();
        int alarms = 0;
        for (int i = 0; i < 200; i++) {
            Baseline base = baseline(noisy(100, 0.10, 15, 1000 + i), 50);
            Gate.Verdict v = g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(100, 0.10, 15, 5000 + i), 3)),
                    50, base, true).get(0);
            if (v.status() == Gate.Status.SUSPECT) alarms++;
        }
        assertThat(alarms).isZero();
    }

    @Test
    void acrossMachinesScoresAreNormalisedByTheCalibrationAndTheBarIsHigher() {
        Gate g = Gate.defaults();
        // the baseline machine was twice as fast (calibration 50 vs 100): twice the raw time is no change
        Baseline base = baseline(noisy(100, 0.02, 15, 1), 50);
        Gate.Verdict same = g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(200, 0.02, 15, 2), 3)), 100, base,
                false).get(0);
        assertThat(same.normalized()).isTrue();
        assertThat(same.status()).isEqualTo(Gate.Status.OK);
        // 15 % slower after normalisation: below the doubled 20 % bar
        Gate.Verdict mild = g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(230, 0.01, 15, 3), 3)), 100, base,
                false).get(0);
        assertThat(mild.status()).isEqualTo(Gate.Status.OK);
        Gate.Verdict bad = g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(300, 0.01, 15, 4), 3)), 100, base,
                false).get(0);
        assertThat(bad.status()).isEqualTo(Gate.Status.SUSPECT);
    }

    @Test
    void improvementsAndNewBenchmarksAreReportedNotFailed() {
        Gate g = Gate.defaults();
        Baseline base = baseline(noisy(100, 0.02, 15, 1), 50);
        assertThat(g.compare(Map.of(KEY, new Samples(KEY, "us/op", noisy(70, 0.02, 15, 2), 3)), 50, base, true)
                .get(0).status()).isEqualTo(Gate.Status.IMPROVED);
        assertThat(g.compare(Map.of("other", new Samples("other", "us/op", noisy(70, 0.02, 15, 2), 3)), 50, base,
                true).get(0).status()).isEqualTo(Gate.Status.NEW);
    }

    @Test
    void theBaselineRoundTripsThroughItsFile(@TempDir Path dir) throws Exception {
        Baseline b = baseline(noisy(100, 0.02, 15, 1), 42.5);
        b.write(dir.resolve("baseline.json"));
        Baseline back = Baseline.read(dir.resolve("baseline.json"));
        assertThat(back.calibrationMedian()).isEqualTo(42.5);
        assertThat(back.machineId()).isEqualTo("m1");
        assertThat(back.samples().get(KEY).values()).containsExactly(b.samples().get(KEY).values());
    }
}
