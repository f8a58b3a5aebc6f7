package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.Map;

/**
 * Additive increase, multiplicative decrease, registered as {@code aimd}: TCP Reno's congestion window (and Netflix
 * concurrency-limits' {@code AIMDLimit}) applied to chunk sizes, with memory pressure in place of packet loss. The
 * chunk creeps up by a fixed number of rows per fast chunk and is cut by a ratio when memory is high, so it saws
 * between the decrease mark and what one cut leaves.
 *
 * <h2>Rule</h2>
 * After each chunk, with {@code f = memoryUsedBytes / memoryBudgetBytes}, {@code asked = sample.chunkRows()} (the
 * previous decision when not positive) and {@code base = asked} clamped to {@code [min_chunk_rows, max_chunk_rows]}:
 * <ul>
 *   <li>{@code f > decrease_above} (strictly): {@code next = floor(base × backoff_ratio)} — the "loss";</li>
 *   <li>{@code f < increase_below} (strictly) <em>and</em> the chunk was full ({@code lastChunkRows >= asked})
 *       <em>and</em> fast ({@code 0 <= lastChunkNanos < increase_if_chunk_ms_below × 10⁶}):
 *       {@code next = base + increase_rows} — one step per fast chunk, as Reno adds one segment per round trip;</li>
 *   <li>otherwise {@code next = base}. Unknown memory ({@code memoryBudgetBytes <= 0} or {@code memoryUsedBytes < 0})
 *       holds.</li>
 * </ul>
 * Then {@code next} is clamped as {@link GuidePolicy} clamps: to {@code [min_chunk_rows, cap]}, {@code cap} being
 * {@code max_chunk_rows} lowered to {@code floor(max_chunk_fraction × budget / bytesPerRow)} once the bytes per row
 * are known, never below {@code min_chunk_rows}. The action is {@code SHRINK}/{@code GROW}/{@code HOLD} as
 * {@code next} is below, above or equal to {@code base}. At {@code f >= increase_below} it never grows
 * ({@link #growthCeiling()}).
 *
 * <h2>Options</h2>
 * {@code decrease_above} (0.80), {@code increase_below} (0.80; at most {@code decrease_above} — equal is Reno:
 * grow whenever not cutting), {@code backoff_ratio} (0.5, Reno's halving; Netflix uses 0.9),
 * {@code increase_rows} (default {@code max(1, max_chunk_rows / 16)}: from the min to the max in 16 fast chunks),
 * {@code increase_if_chunk_ms_below} (1000 ms), and the guide's {@code min_chunk_rows} (100), {@code max_chunk_rows}
 * (100 000), {@code max_chunk_fraction} (0.10).
 *
 * <h2>Cost and thread safety</h2>
 * A step is a few arithmetic operations and allocates nothing once sizes repeat (see {@link Decisions}); reasons
 * are fixed texts. Deterministic, stateful (the previous decision, the last known row width), not thread-safe: one
 * instance per stream.
 */
public final class AimdPolicy implements ChunkSizePolicy {

    public static final String NAME = "aimd";

    public static final OptionSpec<Double> DECREASE_ABOVE = OptionSpec.doubleValue("decrease_above", 0.80,
                    "Cut the chunk when memory use (working set / budget) is strictly above this fraction")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");
    public static final OptionSpec<Double> INCREASE_BELOW = OptionSpec.doubleValue("increase_below", 0.80,
                    "Add increase_rows after a fast, full chunk when memory use is strictly below this fraction; "
                            + "at most decrease_above (equal: Reno, grow whenever not cutting)")
            .validate(v -> v >= 0 && v <= 1.5, "at least 0 and at most 1.5");
    public static final OptionSpec<Double> BACKOFF_RATIO = OptionSpec.doubleValue("backoff_ratio", 0.5,
                    "Multiply the chunk size by this when memory is above decrease_above (rounded down)")
            .validate(v -> v > 0 && v < 1, "greater than 0 and less than 1");
    public static final OptionSpec<Integer> INCREASE_ROWS = OptionSpec.intValue("increase_rows", null,
                    "Rows added per fast chunk (default max(1, max_chunk_rows / 16))")
            .validate(v -> v >= 1, "at least 1");
    public static final OptionSpec<Long> INCREASE_IF_CHUNK_MS_BELOW = OptionSpec.longValue(
                    "increase_if_chunk_ms_below", 1000L,
                    "Grow only after a chunk read in less than this many milliseconds; 0 never grows")
            .validate(v -> v >= 0, "at least 0");

    /** Every option of the {@code aimd} policy. */
    public static final OptionSet OPTIONS = OptionSet.of("policy '" + NAME + "'", DECREASE_ABOVE, INCREASE_BELOW,
            BACKOFF_RATIO, INCREASE_ROWS, INCREASE_IF_CHUNK_MS_BELOW, GuidePolicy.MIN_CHUNK_ROWS,
            GuidePolicy.MAX_CHUNK_ROWS, GuidePolicy.MAX_CHUNK_FRACTION);

    /** The registry entry for this policy. */
    public static final PolicyFactory FACTORY = new PolicyFactory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "Reno-like AIMD: +increase_rows per fast chunk below 80% memory, ×0.5 above 80%";
        }

        @Override
        public OptionSet options() {
            return OPTIONS;
        }

        @Override
        public ChunkSizePolicy create(Options options, int initialChunkRows) {
            return new AimdPolicy(options, initialChunkRows);
        }
    };

    private static final int UNKNOWN = 0;
    private static final int DECREASE = 1;
    private static final int INCREASE = 2;
    private static final int SHORT = 3;
    private static final int SLOW = 4;
    private static final int BAND = 5;

    private final double decreaseAbove;
    private final double increaseBelow;
    private final double backoffRatio;
    private final int increaseRows;
    private final long increaseIfChunkNanosBelow;
    private final Bounds bounds;
    private final Decisions decisions;
    private final int initialChunkRows;
    private int current;

    /**
     * @param options          parsed {@link #OPTIONS}
     * @param initialChunkRows the stream's initial chunk size; clamped to {@code [min, max]}
     * @throws io.polarway.error.ConfigException if {@code increase_below > decrease_above} or
     *                                           {@code min_chunk_rows > max_chunk_rows}, naming the key
     */
    public AimdPolicy(Options options, int initialChunkRows) {
        if (options.optionSet() != OPTIONS) {
            throw new IllegalArgumentException("options were not parsed from AimdPolicy.OPTIONS");
        }
        Checks.ordered(options, INCREASE_BELOW, DECREASE_ABOVE, true, OPTIONS.owner());
        this.bounds = new Bounds(options, OPTIONS.owner());
        this.decreaseAbove = options.get(DECREASE_ABOVE);
        this.increaseBelow = options.get(INCREASE_BELOW);
        this.backoffRatio = options.get(BACKOFF_RATIO);
        this.increaseRows = options.find(INCREASE_ROWS).orElse(Math.max(1, bounds.maxRows / 16));
        long ms = options.get(INCREASE_IF_CHUNK_MS_BELOW);
        this.increaseIfChunkNanosBelow = ms > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : ms * 1_000_000;
        this.initialChunkRows = bounds.clampToRange(initialChunkRows);
        this.current = this.initialChunkRows;
        String dec = Checks.percent(decreaseAbove) + "%";
        String inc = Checks.percent(increaseBelow) + "%";
        this.decisions = new Decisions(new String[] {
                "memory unknown: hold",
                "memory > " + dec + ": decrease ×" + Checks.plain(backoffRatio),
                "memory < " + inc + ", fast full chunk: increase +" + increaseRows + " rows",
                "memory < " + inc + ", short chunk: hold",
                "memory < " + inc + ", chunk not under " + ms + " ms: hold",
                "memory in [" + inc + ", " + dec + "]: hold"}, bounds);
    }

    /** The defaults. */
    public AimdPolicy(int initialChunkRows) {
        this(Options.defaults(OPTIONS), initialChunkRows);
    }

    /**
     * Parses {@code params} against {@link #OPTIONS}.
     *
     * @throws io.polarway.error.ConfigException on an unknown key (listing the valid ones) or a bad value
     */
    public static AimdPolicy create(Map<String, String> params, int initialChunkRows) {
        return new AimdPolicy(OPTIONS.parse(params), initialChunkRows);
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

    /** {@code increase_below}. */
    @Override
    public double growthCeiling() {
        return increaseBelow;
    }

    /** Rows added per fast chunk. */
    public int increaseRows() {
        return increaseRows;
    }

    @Override
    public ChunkDecision onSample(PolicySample sample) {
        int asked = sample.chunkRows() > 0 ? sample.chunkRows() : current;
        int base = bounds.clampToRange(asked);
        bounds.observe(sample);
        boolean memoryKnown = sample.memoryBudgetBytes() > 0 && sample.memoryUsedBytes() >= 0;
        double f = sample.memoryFraction();
        long raw = base;
        int rule;
        if (!memoryKnown) {
            rule = UNKNOWN;
        } else if (f > decreaseAbove) {
            raw = (long) Math.floor(base * backoffRatio);
            rule = DECREASE;
        } else if (f < increaseBelow) {
            if (sample.lastChunkRows() < asked) {
                rule = SHORT;
            } else if (sample.lastChunkNanos() < 0 || sample.lastChunkNanos() >= increaseIfChunkNanosBelow) {
                rule = SLOW;
            } else {
                raw = (long) base + increaseRows;
                rule = INCREASE;
            }
        } else {
            rule = BAND;
        }
        int next = bounds.clamp(raw, memoryKnown ? sample.memoryBudgetBytes() : 0);
        current = next;
        return decisions.get(base, next, rule, bounds.lastNote());
    }

    @Override
    public String toString() {
        return "AimdPolicy[decrease_above=" + Checks.plain(decreaseAbove) + ", increase_below="
                + Checks.plain(increaseBelow) + ", backoff_ratio=" + Checks.plain(backoffRatio) + ", increase_rows="
                + increaseRows + ", increase_if_chunk_ms_below=" + increaseIfChunkNanosBelow / 1_000_000 + ", "
                + bounds + "]";
    }
}
