package io.polarway.bench.sim;

import io.polarway.error.ConfigException;
import io.polarway.profile.VmProfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A sweep on one workload: each policy with its defaults, every configuration of the grid (or random points), and
 * the oracle — the best fixed chunk size in hindsight, {@code fixed} at 48 sizes spaced evenly in log between the
 * profile's min and max chunk — all simulated; then the Pareto front (throughput against peak memory) and the best
 * configuration: the highest throughput among runs that completed with the peak at most the budget (the profile's
 * recommended limit, what the bench suite validates) less a safety margin for the simulator's own error, and that
 * still completes without a stall and within the budget when the margin is added to the workload's non-Arrow memory
 * (a configuration that only works if the model is exact is not a choice); ties to the lower peak. Stateless; runs in
 * parallel.
 */
public final class Sweep {
    /** Sizes the oracle tries. */
    public static final int ORACLE_SIZES = 48;
    /**
     * Share of the budget a chosen configuration must leave free: the simulator's peak error against cgroup runs
     * (docs/tuning.md) — a configuration simulated at 95 % of the budget may well pass it for real.
     */
    public static final double DEFAULT_MARGIN = 0.10;

    private Sweep() {
    }

    /** What a point is in the comparison. */
    public enum Kind { DEFAULT, GRID, ORACLE }

    /**
     * One simulated configuration.
     *
     * @param spec         the policy and parameters
     * @param kind         a policy's defaults, a grid point, or one of the oracle's fixed sizes
     * @param result       what the simulation measured
     * @param withinBudget completed without a stall, the peak at most the budget less the margin, and robust to the
     *                     margin added to the working set
     */
    public record Point(PolicySpec spec, Kind kind, SimResult result, boolean withinBudget) {
        public double rowsPerSecond() {
            return result.rowsPerSecond();
        }
    }

    /**
     * A sweep's points and verdicts.
     *
     * @param workload   what was simulated
     * @param profile    the profile
     * @param points     every point, in run order
     * @param invalid    configurations the grid produced that the policy rejects (e.g. a mark above another)
     * @param oracle     the best fixed size within the budget, or null when none stayed within it
     * @param defaults   per policy, its defaults
     * @param best       per policy, its best point within the budget (defaults included), when any
     * @param overall    the best point of any adaptive policy within the budget, or null
     * @param pareto     the Pareto front of the completed points, by peak
     * @param millis     wall time of the sweep
     * @param margin     share of the budget a point had to leave free to count as within it
     */
    public record Outcome(Workload workload, VmProfile profile, List<Point> points, List<String> invalid, Point oracle,
                          Map<String, Point> defaults, Map<String, Point> best, Point overall, List<Point> pareto,
                          long millis, double margin) {
    }

    /**
     * @param policies policy names to sweep (their defaults always run)
     * @param grid     the search space (see {@link ParamGrid}); empty: defaults only
     * @param random   0 for the grid, else this many random points per policy
     * @param seed     seed of the random points
     * @param threads  simulations in parallel
     */
    public static Outcome run(Workload w, VmProfile profile, List<String> policies, ParamGrid grid, int random,
                              long seed, int threads) {
        return run(w, profile, policies, grid, random, seed, threads, DEFAULT_MARGIN);
    }

    /**
     * @param margin share of the budget a point must leave free to count as within it
     */
    public static Outcome run(Workload w, VmProfile profile, List<String> policies, ParamGrid grid, int random,
                              long seed, int threads, double margin) {
        long start = System.nanoTime();
        List<PolicySpec> specs = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        Set<PolicySpec> seen = new LinkedHashSet<>();
        for (String name : policies) {
            PolicySpec base = PolicySpec.of(name);
            if (seen.add(base)) {
                specs.add(base);
                kinds.add(Kind.DEFAULT);
            }
            if (name.equals(PolicySpec.PROFILE)) continue;
            List<PolicySpec> more = random > 0 ? grid.random(base, random, seed) : grid.grid(base);
            for (PolicySpec s : more) {
                if (seen.add(s)) {
                    specs.add(s);
                    kinds.add(Kind.GRID);
                }
            }
        }
        for (int rows : oracleSizes(profile.minChunkRows(), profile.maxChunkRows())) {
            PolicySpec s = PolicySpec.of("fixed").with("chunk_rows", Integer.toString(rows));
            if (seen.add(s)) {
                specs.add(s);
                kinds.add(Kind.ORACLE);
            }
        }

        SimResult[] results = new SimResult[specs.size()];
        SimResult[] stressed = new SimResult[specs.size()];
        String[] errors = new String[specs.size()];
        // a choice must survive the model's error: the margin added to the working set (unseen by the data limit)
        long extra = Math.round(margin * w.budgetBytes());
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, specs.size()).parallel().forEach(i -> {
                try {
                    results[i] = Simulator.run(w, specs.get(i), profile);
                    SimResult r = results[i];
                    if (margin > 0 && r.completed() && r.stallResumes() == 0
                            && r.peakBytes() <= (1 - margin) * w.budgetBytes()) {
                        stressed[i] = Simulator.runStressed(w, specs.get(i), profile, extra);
                    }
                } catch (ConfigException e) {
                    errors[i] = specs.get(i).label() + ": " + e.getMessage();
                }
            })).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sweep interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sweep failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }

        List<Point> points = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        Map<String, Point> defaults = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            if (results[i] == null) {
                invalid.add(errors[i]);
                continue;
            }
            SimResult r = results[i];
            boolean ok = r.completed() && r.stallResumes() == 0 && r.peakBytes() <= (1 - margin) * w.budgetBytes()
                    && (stressed[i] == null || robust(stressed[i], w));
            Point p = new Point(specs.get(i), kinds.get(i), r, ok);
            points.add(p);
            if (p.kind() == Kind.DEFAULT) defaults.put(p.spec().name(), p);
        }
        Comparator<Point> better = Comparator.comparingDouble(Point::rowsPerSecond)
                .thenComparing(p -> -p.result().peakBytes());
        Point oracle = points.stream().filter(p -> p.kind() == Kind.ORACLE && p.withinBudget()).max(better)
                .orElse(null);
        Map<String, Point> best = new LinkedHashMap<>();
        for (Point p : points) {
            if (p.kind() == Kind.ORACLE || !p.withinBudget()) continue;
            String key = p.spec().name();
            Point cur = best.get(key);
            if (cur == null || better.compare(p, cur) > 0) best.put(key, p);
        }
        Point overall = best.values().stream().filter(p -> !p.spec().name().equals("fixed")).max(better).orElse(null);
        return new Outcome(w, profile, points, invalid, oracle, defaults, best, overall, pareto(points),
                (System.nanoTime() - start) / 1_000_000, margin);
    }

    /** Whether a run on the stressed workload still completes, without a stall, within the budget. */
    private static boolean robust(SimResult stressed, Workload w) {
        return stressed.completed() && stressed.stallResumes() == 0 && stressed.peakBytes() <= w.budgetBytes();
    }

    /** {@code n} sizes from {@code min} to {@code max}, evenly spaced in log, distinct. */
    static List<Integer> oracleSizes(int min, int max) {
        Set<Integer> out = new LinkedHashSet<>();
        if (max <= min) return List.of(min);
        for (int i = 0; i < ORACLE_SIZES; i++) {
            double f = (double) i / (ORACLE_SIZES - 1);
            out.add((int) Math.round(Math.exp(Math.log(min) + f * (Math.log(max) - Math.log(min)))));
        }
        return new ArrayList<>(out);
    }

    /** The completed points no other completed point beats on both throughput and peak, by increasing peak. */
    static List<Point> pareto(List<Point> points) {
        List<Point> done = new ArrayList<>();
        for (Point p : points) if (p.result().completed()) done.add(p);
        done.sort(Comparator.comparingLong((Point p) -> p.result().peakBytes())
                .thenComparing(Comparator.comparingDouble(Point::rowsPerSecond).reversed()));
        List<Point> front = new ArrayList<>();
        double bestRate = -1;
        for (Point p : done) {
            if (p.rowsPerSecond() > bestRate) {
                front.add(p);
                bestRate = p.rowsPerSecond();
            }
        }
        return front;
    }
}
