package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.Map;

/**
 * A gradient controller, registered as {@code gradient}: Netflix concurrency-limits' {@code Gradient2Limit}
 * ({@code limit × gradient}, the gradient clamped to {@code [0.5, 1]}, growth smoothed) with memory in place of
 * round-trip time — the chunk is scaled by how far memory is from a target — and, as an option, Gradient2's own
 * latency gradient on the time per row.
 *
 * <h2>Rule</h2>
 * After each chunk, with {@code f = memoryUsedBytes / memoryBudgetBytes}, {@code asked = sample.chunkRows()} (the
 * previous decision when not positive) and {@code base = asked} clamped to {@code [min_chunk_rows, max_chunk_rows]}:
 * <ul>
 *   <li>the memory gradient {@code g = target_fraction / f} ({@code +∞} at {@code f = 0}): above the target the
 *       chunk shrinks in proportion, below it the chunk may grow;</li>
 *   <li>with {@code latency_tolerance > 0}, also the latency gradient
 *       {@code latency_tolerance × long / short}, where {@code short = lastChunkNanos / lastChunkRows} and
 *       {@code long} its moving average over about {@code latency_window} chunks (updated after use; the first
 *       chunk only sets it); {@code g} is the smaller of the two. Off by default: a GC pause inside a chunk reads as
 *       congestion (Netflix concurrency-limits #58), and the memory gradient alone keeps the budget;</li>
 *   <li>{@code g} is clamped to {@code [min_gradient, max_growth]};</li>
 *   <li>{@code g < 1}: {@code next = floor(base × g)} at once (memory is the product: no smoothing on the way
 *       down);</li>
 *   <li>{@code g > 1} and the chunk was full ({@code lastChunkRows >= asked}):
 *       {@code next = max(base + 1, ceil(base + smoothing × (base × g − base)))} — smoothed growth, always
 *       progress;</li>
 *   <li>otherwise (and with unknown memory: {@code memoryBudgetBytes <= 0} or {@code memoryUsedBytes < 0})
 *       {@code next = base}.</li>
 * </ul>
 * Then {@code next} is clamped as {@link GuidePolicy} clamps ({@code min_chunk_rows}, {@code max_chunk_rows}, the
 * {@code max_chunk_fraction} byte cap). Growth needs {@code g > 1}, hence {@code f < target_fraction}: at or above
 * the target it never grows ({@link #growthCeiling()}). Memory is roughly {@code baseline + k × chunk}, so the
 * proportional step {@code c ← c × target / f} converges to {@code f = target} (its slope at the fixed point is
 * {@code baseline / target < 1}).
 *
 * <h2>Options</h2>
 * {@code target_fraction} (0.70), {@code min_gradient} (0.5), {@code max_growth} (1.5), {@code smoothing} (0.5),
 * {@code latency_tolerance} (0 = off; Gradient2 uses 1.5), {@code latency_window} (50 chunks), and the guide's
 * {@code min_chunk_rows} (100), {@code max_chunk_rows} (100 000), {@code max_chunk_fraction} (0.10).
 *
 * <h2>Cost and thread safety</h2>
 * Allocation-free once sizes repeat ({@link Decisions}). Deterministic, stateful (previous decision, row width, the
 * latency average), not thread-safe: one per stream.
 */
public final class GradientPolicy implements ChunkSizePolicy {

    public static final String NAME = "gradient";

    public static final OptionSpec<Double> TARGET_FRACTION = OptionSpec.doubleValue("target_fraction", 0.70,
                    "Memory fraction (working set / budget) the chunk size steers to: shrink in proportion above, "
                            + "grow below")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");
    public static final OptionSpec<Double> MIN_GRADIENT = OptionSpec.doubleValue("min_gradient", 0.5,
                    "The most one step may shrink the chunk: next >= chunk × min_gradient")
            .validate(v -> v > 0 && v < 1, "greater than 0 and less than 1");
    public static final OptionSpec<Double> MAX_GROWTH = OptionSpec.doubleValue("max_growth", 1.5,
                    "The largest gradient applied when growing (before smoothing)")
            .validate(v -> v > 1 && v <= 10, "greater than 1 and at most 10");
    public static final OptionSpec<Double> SMOOTHING = OptionSpec.doubleValue("smoothing", 0.5,
                    "Share of the gradient's growth applied per step (1 = all of it)")
            .validate(v -> v > 0 && v <= 1, "greater than 0 and at most 1");
    public static final OptionSpec<Double> LATENCY_TOLERANCE = OptionSpec.doubleValue("latency_tolerance", 0.0,
                    "Shrink when the time per row exceeds this multiple of its moving average; 0 = off")
            .validate(v -> v == 0 || (v >= 1 && v <= 100), "0 (off) or from 1 to 100");
    public static final OptionSpec<Integer> LATENCY_WINDOW = OptionSpec.intValue("latency_window", 50,
                    "Chunks the moving average of the time per row spans (its weight is 1 / latency_window)")
            .validate(v -> v >= 1, "at least 1");

    /** Every option of the {@code gradient} policy. */
    public static final OptionSet OPTIONS = OptionSet.of("policy '" + NAME + "'", TARGET_FRACTION, MIN_GRADIENT,
            MAX_GROWTH, SMOOTHING, LATENCY_TOLERANCE, LATENCY_WINDOW, GuidePolicy.MIN_CHUNK_ROWS,
            GuidePolicy.MAX_CHUNK_ROWS, GuidePolicy.MAX_CHUNK_FRACTION);

    /** The registry entry for this policy. */
    public static final PolicyFactory FACTORY = new PolicyFactory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "Gradient (Netflix Gradient2 on memory): chunk × clamp(0.70 / memory fraction, 0.5, 1.5), "
                    + "growth smoothed";
        }

        @Override
        public OptionSet options() {
            return OPTIONS;
        }

        @Override
        public ChunkSizePolicy create(Options options, int initialChunkRows) {
            return new GradientPolicy(options, initialChunkRows);
        }
    };

    private static final int UNKNOWN = 0;
    private static final int SHRINK_MEMORY = 1;
    private static final int SHRINK_LATENCY = 2;
    private static final int GROW = 3;
    private static final int SHORT = 4;
    private static final int AT_TARGET = 5;

    private final double target;
    private final double minGradient;
    private final double maxGrowth;
    private final double smoothing;
    private final double latencyTolerance;
    private final double latencyWeight;
    private final Bounds bounds;
    private final Decisions decisions;
    private final int initialChunkRows;
    private int current;
    private double longNanosPerRow;

    /**
     * @param options          parsed {@link #OPTIONS}
     * @param initialChunkRows the stream's initial chunk size; clamped to {@code [min, max]}
     * @throws io.polarway.error.ConfigException if {@code min_chunk_rows > max_chunk_rows}, naming the key
     */
    public GradientPolicy(Options options, int initialChunkRows) {
        if (options.optionSet() != OPTIONS) {
            throw new IllegalArgumentException("options were not parsed from GradientPolicy.OPTIONS");
        }
        this.bounds = new Bounds(options, OPTIONS.owner());
        this.target = options.get(TARGET_FRACTION);
        this.minGradient = options.get(MIN_GRADIENT);
        this.maxGrowth = options.get(MAX_GROWTH);
        this.smoothing = options.get(SMOOTHING);
        this.latencyTolerance = options.get(LATENCY_TOLERANCE);
        this.latencyWeight = 1.0 / options.get(LATENCY_WINDOW);
        this.initialChunkRows = bounds.clampToRange(initialChunkRows);
        this.current = this.initialChunkRows;
        String t = Checks.percent(target) + "%";
        this.decisions = new Decisions(new String[] {
                "memory unknown: hold",
                "memory above " + t + ": × " + t + " / memory (at least ×" + Checks.plain(minGradient) + ")",
                "time per row above " + Checks.plain(latencyTolerance) + " × its average: shrink",
                "memory below " + t + ": grow by " + Checks.percent(smoothing) + "% of the gradient (at most ×"
                        + Checks.plain(maxGrowth) + ")",
                "memory below " + t + ", short chunk: hold",
                "memory at " + t + ": hold"}, bounds);
    }

    /** The defaults. */
    public GradientPolicy(int initialChunkRows) {
        this(Options.defaults(OPTIONS), initialChunkRows);
    }

    /**
     * Parses {@code params} against {@link #OPTIONS}.
     *
     * @throws io.polarway.error.ConfigException on an unknown key (listing the valid ones) or a bad value
     */
    public static GradientPolicy create(Map<String, String> params, int initialChunkRows) {
        return new GradientPolicy(OPTIONS.parse(params), initialChunkRows);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int initialChunkRows() {
        return initialChunkRows;
    }

    @Override
    public int minChunkRows() {
        return bounds.minRows;
    }

    @Override
    public int maxChunkRows() {
        return bounds.maxRows;
    }

    /** {@code target_fraction}. */
    @Override
    public double growthCeiling() {
        return target;
    }

    @Override
    public ChunkDecision onSample(PolicySample sample) {
        int asked = sample.chunkRows() > 0 ? sample.chunkRows() : current;
        int base = bounds.clampToRange(asked);
        bounds.observe(sample);
        boolean memoryKnown = sample.memoryBudgetBytes() > 0 && sample.memoryUsedBytes() >= 0;
        double f = sample.memoryFraction();

        double g = f > 0 ? target / f : Double.POSITIVE_INFINITY;
        boolean latencyBinds = false;
        if (sample.lastChunkRows() > 0 && sample.lastChunkNanos() > 0) {
            double nanosPerRow = (double) sample.lastChunkNanos() / sample.lastChunkRows();
            if (latencyTolerance > 0 && longNanosPerRow > 0) {
                double gl = latencyTolerance * longNanosPerRow / nanosPerRow;
                if (gl < g) {
                    g = gl;
                    latencyBinds = true;
                }
            }
            longNanosPerRow = longNanosPerRow > 0
                    ? longNanosPerRow + latencyWeight * (nanosPerRow - longNanosPerRow) : nanosPerRow;
        }
        g = Math.max(minGradient, Math.min(maxGrowth, g));

        long raw = base;
        int rule;
        if (!memoryKnown) {
            rule = UNKNOWN;
        } else if (g < 1) {
            raw = (long) Math.floor(base * g);
            rule = latencyBinds ? SHRINK_LATENCY : SHRINK_MEMORY;
        } else if (g > 1) {
            if (sample.lastChunkRows() < asked) {
                rule = SHORT;
            } else {
                raw = Math.max((long) base + 1, (long) Math.ceil(base + smoothing * (base * g - base)));
                rule = GROW;
            }
        } else {
            rule = AT_TARGET;
        }
        int next = bounds.clamp(raw, memoryKnown ? sample.memoryBudgetBytes() : 0);
        current = next;
        return decisions.get(base, next, rule, bounds.lastNote());
    }

    @Override
    public String toString() {
        return "GradientPolicy[target_fraction=" + Checks.plain(target) + ", min_gradient="
                + Checks.plain(minGradient) + ", max_growth=" + Checks.plain(maxGrowth) + ", smoothing="
                + Checks.plain(smoothing) + ", latency_tolerance=" + Checks.plain(latencyTolerance)
                + ", latency_window=" + Math.round(1 / latencyWeight) + ", " + bounds + "]";
    }
}
