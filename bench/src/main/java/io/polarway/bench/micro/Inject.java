package io.polarway.bench.micro;

import java.util.Locale;

/**
 * A known slowdown for measuring the regression gate's power: with {@code -Dbench.inject=NAME:FACTOR} (e.g.
 * {@code PolicyStepBenchmark:1.2}) the benchmark whose simple class name is {@code NAME} repeats its operation on a
 * deterministic {@code FACTOR − 1} share of its invocations, so its time per operation grows by that factor. Without
 * the property nothing changes. One instance per benchmark state (not thread-safe).
 */
public final class Inject {
    private final double extra;
    private long calls;

    private Inject(double extra) {
        this.extra = extra;
    }

    /**
     * The injection for the benchmark class {@code benchmark}, from {@code bench.inject}. Takes the class literal, not
     * {@code getClass()}: JMH runs a generated subclass of the state, whose simple name never matches.
     */
    public static Inject forBenchmark(Class<?> benchmark) {
        return forBenchmark(benchmark.getSimpleName());
    }

    /** The injection for {@code benchmark} (a simple class name), from {@code bench.inject}. */
    static Inject forBenchmark(String benchmark) {
        String spec = System.getProperty("bench.inject", "");
        if (spec.isBlank()) return new Inject(0);
        String[] parts = spec.split(":");
        if (parts.length != 2) throw new IllegalArgumentException("bench.inject must be NAME:FACTOR, got " + spec);
        double factor = Double.parseDouble(parts[1].trim());
        if (factor < 1 || factor > 2) throw new IllegalArgumentException("bench.inject factor must be in [1, 2]: " + spec);
        return new Inject(parts[0].trim().toLowerCase(Locale.ROOT).equals(benchmark.toLowerCase(Locale.ROOT))
                ? factor - 1 : 0);
    }

    /** Whether this invocation must do its operation once more. */
    public boolean repeat() {
        if (extra == 0) return false;
        calls++;
        // the epsilon: 1.2 − 1 is 0.19999999999999996, which would repeat 199 times in 1000 instead of 200
        return Math.floor(calls * extra + 1e-9) > Math.floor((calls - 1) * extra + 1e-9);
    }
}
