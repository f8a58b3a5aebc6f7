package io.polarway.bench.gate;

import java.util.Arrays;
import java.util.List;

/**
 * The per-iteration scores of one benchmark (all forks), lower is better (time per operation), in {@code unit}.
 *
 * @param key    benchmark and parameters, e.g. {@code io.polarway.bench.micro.ArrowBuildBenchmark.build{rows=1000}}
 * @param unit   the score unit, e.g. {@code us/op}
 * @param values every iteration's score
 * @param forks  how many forks produced them
 */
public record Samples(String key, String unit, double[] values, int forks) {

    public Samples {
        values = values.clone();
        if (values.length == 0) throw new IllegalArgumentException("no samples for " + key);
    }

    public double median() {
        return median(values);
    }

    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** These scores divided by {@code by} (the calibration benchmark's median). */
    public Samples normalized(double by) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) out[i] = values[i] / by;
        return new Samples(key, unit + "/calibration", out, forks);
    }

    public List<Double> asList() {
        return Arrays.stream(values).boxed().toList();
    }

    @Override
    public double[] values() {
        return values.clone();
    }
}
