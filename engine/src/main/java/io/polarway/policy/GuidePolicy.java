package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.Map;

/**
 * The user guide's chunk-size rule, registered as {@code guide}: shrink under memory pressure, grow when memory is
 * plentiful and chunks are so short that per-chunk overhead dominates.
 *
 * <h2>Rule</h2>
 * After each chunk, with {@code f = memoryUsedBytes / memoryBudgetBytes} (a fraction, 1.0 = the whole budget) and
 * {@code asked = sample.chunkRows()} (rows asked for the chunk just read; the previous decision when it is not
 * positive) and {@code base = asked} clamped to {@code [min_chunk_rows, max_chunk_rows]}:
 * <ul>
 *   <li>{@code f > shrink_above} (strictly): {@code next = floor(base × shrink_factor)};</li>
 *   <li>{@code f < grow_below} (strictly) <em>and</em> the chunk just read took less than
 *       {@code grow_if_chunk_ms_below} milliseconds ({@code lastChunkNanos < grow_if_chunk_ms_below × 10⁶}) <em>and</em>
 *       it was a full chunk ({@code lastChunkRows >= asked}):
 *       {@code next = max(base + 1, ceil(base × grow_factor))}, so growth always makes progress;</li>
 *   <li>otherwise {@code next = base}. A short final chunk of a split, a chunk of unknown duration
 *       ({@code lastChunkNanos < 0}) and a sample with unknown memory ({@code memoryBudgetBytes <= 0} or
 *       {@code memoryUsedBytes < 0}) never grow.</li>
 * </ul>
 * Then {@code next} is clamped to {@code [min_chunk_rows, cap]} where {@code cap = max_chunk_rows}, lowered to the
 * byte cap {@code floor(max_chunk_fraction × memoryBudgetBytes / bytesPerRow)} rows when the bytes per row are known
 * (from this sample, or the last sample that had rows), but never below {@code min_chunk_rows}.
 *
 * <p>The decision's {@link ChunkDecision.Action} describes the outcome: {@code SHRINK} when {@code next < base},
 * {@code GROW} when {@code next > base}, else {@code HOLD} (e.g. a shrink at the min clamp holds). Because
 * {@code base} is within {@code [min, max]} and the byte cap never goes below {@code min}, {@code GROW} happens only
 * on the grow rule, and above {@code shrink_above} the next size never exceeds {@code base}.
 *
 * <h2>Options</h2>
 * {@code shrink_above} (0.80), {@code grow_below} (0.50, must be less than {@code shrink_above}),
 * {@code shrink_factor} (0.5), {@code grow_factor} (1.25), {@code grow_if_chunk_ms_below} (1000 ms; the guide calls
 * chunks over one second too large), {@code min_chunk_rows} (100), {@code max_chunk_rows} (100 000),
 * {@code max_chunk_fraction} (0.10 of the budget per chunk).
 *
 * <h2>Thread safety</h2>
 * Configuration is immutable; the only state is the previous decision and the last known bytes per row. Deterministic
 * (no clock, no randomness: the same sample sequence gives the same decisions) and not thread-safe: one instance per
 * stream, called from one thread at a time, as {@link ChunkSizePolicy} requires.
 */
public final class GuidePolicy implements ChunkSizePolicy {

    public static final String NAME = "guide";

    public static final double DEFAULT_SHRINK_ABOVE = 0.80;
    public static final double DEFAULT_GROW_BELOW = 0.50;
    public static final double DEFAULT_SHRINK_FACTOR = 0.5;
    public static final double DEFAULT_GROW_FACTOR = 1.25;
    public static final long DEFAULT_GROW_IF_CHUNK_MS_BELOW = 1000;
    public static final int DEFAULT_MIN_CHUNK_ROWS = 100;
    public static final int DEFAULT_MAX_CHUNK_ROWS = 100_000;
    public static final double DEFAULT_MAX_CHUNK_FRACTION = 0.10;

    public static final OptionSpec<Double> SHRINK_ABOVE = OptionSpec.doubleValue("shrink_above", DEFAULT_SHRINK_ABOVE,
                    "Shrink the chunk when memory use (working set / budget) is strictly above this fraction")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");
    public static final OptionSpec<Double> GROW_BELOW = OptionSpec.doubleValue("grow_below", DEFAULT_GROW_BELOW,
                    "Grow the chunk when memory use is strictly below this fraction (and chunks are fast); "
                            + "must be less than shrink_above; 0 never grows")
            .validate(v -> v >= 0 && v <= 1.5, "at least 0 and at most 1.5");
    public static final OptionSpec<Double> SHRINK_FACTOR = OptionSpec.doubleValue("shrink_factor",
                    DEFAULT_SHRINK_FACTOR, "Multiply the chunk size by this when shrinking (rounded down)")
            .validate(v -> v > 0 && v < 1, "greater than 0 and less than 1");
    public static final OptionSpec<Double> GROW_FACTOR = OptionSpec.doubleValue("grow_factor", DEFAULT_GROW_FACTOR,
                    "Multiply the chunk size by this when growing (rounded up, at least one row more)")
            .validate(v -> v > 1 && v <= 10, "greater than 1 and at most 10");
    public static final OptionSpec<Long> GROW_IF_CHUNK_MS_BELOW = OptionSpec.longValue("grow_if_chunk_ms_below",
                    DEFAULT_GROW_IF_CHUNK_MS_BELOW,
                    "Grow only when the chunk just read took less than this many milliseconds (a faster chunk is "
                            + "dominated by per-chunk overhead); 0 never grows")
            .validate(v -> v >= 0, "at least 0");
    public static final OptionSpec<Integer> MIN_CHUNK_ROWS = OptionSpec.intValue("min_chunk_rows",
                    DEFAULT_MIN_CHUNK_ROWS, "Smallest chunk size in rows")
            .validate(v -> v >= 1, "at least 1");
    public static final OptionSpec<Integer> MAX_CHUNK_ROWS = OptionSpec.intValue("max_chunk_rows",
                    DEFAULT_MAX_CHUNK_ROWS, "Largest chunk size in rows; must be at least min_chunk_rows")
            .validate(v -> v >= 1, "at least 1");
    public static final OptionSpec<Double> MAX_CHUNK_FRACTION = OptionSpec.doubleValue("max_chunk_fraction",
                    DEFAULT_MAX_CHUNK_FRACTION,
                    "Largest share of the memory budget one chunk may hold, once the bytes per row are known")
            .validate(v -> v > 0 && v <= 1, "greater than 0 and at most 1");

    /** Every option of the {@code guide} policy. */
    public static final OptionSet OPTIONS = OptionSet.of("policy '" + NAME + "'", SHRINK_ABOVE, GROW_BELOW,
            SHRINK_FACTOR, GROW_FACTOR, GROW_IF_CHUNK_MS_BELOW, MIN_CHUNK_ROWS, MAX_CHUNK_ROWS, MAX_CHUNK_FRACTION);

    /** The registry entry for this policy. */
    public static final PolicyFactory FACTORY = new PolicyFactory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "The user guide's rule: shrink ×0.5 above 80% memory, grow ×1.25 below 50% when chunks take "
                    + "under 1 s, within [100, 100000] rows and at most 10% of the budget per chunk";
        }

        @Override
        public OptionSet options() {
            return OPTIONS;
        }

        @Override
        public ChunkSizePolicy create(Options options, int initialChunkRows) {
            return new GuidePolicy(options, initialChunkRows);
        }
    };

    private final double shrinkAbove;
    private final double growBelow;
    private final double shrinkFactor;
    private final double growFactor;
    private final long growIfChunkNanosBelow;
    /** The clamps, shared with the rival policies (and the last known row width). */
    private final Bounds bounds;
    private final int minRows;
    private final int maxRows;
    private final int initialChunkRows;

    private final String shrinkAbovePct;
    private final String growBelowPct;
    private final String growMs;

    private int current;

    /**
     * @param options          parsed {@link #OPTIONS}
     * @param initialChunkRows the stream's configured initial chunk size; clamped to {@code [min, max]}
     * @throws io.polarway.error.ConfigException if {@code grow_below >= shrink_above} or
     *                                           {@code min_chunk_rows > max_chunk_rows}, naming the key
     */
    public GuidePolicy(Options options, int initialChunkRows) {
        if (options.optionSet() != OPTIONS) {
            throw new IllegalArgumentException("options were not parsed from GuidePolicy.OPTIONS");
        }
        Checks.ordered(options, GROW_BELOW, SHRINK_ABOVE, false, OPTIONS.owner());
        this.bounds = new Bounds(options, OPTIONS.owner());
        this.shrinkAbove = options.get(SHRINK_ABOVE);
        this.growBelow = options.get(GROW_BELOW);
        this.shrinkFactor = options.get(SHRINK_FACTOR);
        this.growFactor = options.get(GROW_FACTOR);
        long ms = options.get(GROW_IF_CHUNK_MS_BELOW);
        this.growIfChunkNanosBelow = ms > Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : ms * 1_000_000;
        this.minRows = bounds.minRows;
        this.maxRows = bounds.maxRows;
        this.initialChunkRows = bounds.clampToRange(initialChunkRows);
        this.current = this.initialChunkRows;
        this.shrinkAbovePct = Checks.percent(shrinkAbove);
        this.growBelowPct = Checks.percent(growBelow);
        this.growMs = Long.toString(ms);
    }

    /** The guide's defaults. */
    public GuidePolicy(int initialChunkRows) {
        this(Options.defaults(OPTIONS), initialChunkRows);
    }

    /**
     * Parses {@code params} against {@link #OPTIONS} and builds the policy.
     *
     * @throws io.polarway.error.ConfigException on an unknown key (listing the valid ones) or a bad value
     */
    public static GuidePolicy create(Map<String, String> params, int initialChunkRows) {
        return new GuidePolicy(OPTIONS.parse(params), initialChunkRows);
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
        return minRows;
    }

    @Override
    public int maxChunkRows() {
        return maxRows;
    }

    /** {@code grow_below}: the guide grows only strictly below it. */
    @Override
    public double growthCeiling() {
        return growBelow;
    }

    @Override
    public ChunkDecision onSample(PolicySample sample) {
        int asked = sample.chunkRows() > 0 ? sample.chunkRows() : current;
        int base = bounds.clampToRange(asked);
        bounds.observe(sample);

        boolean memoryKnown = sample.memoryBudgetBytes() > 0 && sample.memoryUsedBytes() >= 0;
        double f = sample.memoryFraction();
        long raw;
        String why;
        String verb;
        if (!memoryKnown) {
            raw = base;
            why = "memory unknown";
            verb = "hold";
        } else if (f > shrinkAbove) {
            raw = (long) Math.floor(base * shrinkFactor);
            why = "memory " + Checks.distinct(f * 100, shrinkAbovePct, 1) + "% > " + shrinkAbovePct + "%";
            verb = "shrink ×" + Checks.plain(shrinkFactor);
        } else if (f < growBelow) {
            String mem = "memory " + Checks.distinct(f * 100, growBelowPct, 1) + "% < " + growBelowPct + "%";
            if (sample.lastChunkRows() < asked) {
                raw = base;
                why = mem + ", short chunk " + sample.lastChunkRows() + " < " + asked + " rows";
                verb = "hold";
            } else if (sample.lastChunkNanos() < 0) {
                raw = base;
                why = mem + ", chunk time unknown";
                verb = "hold";
            } else if (sample.lastChunkNanos() >= growIfChunkNanosBelow) {
                raw = base;
                why = mem + ", chunk " + Checks.distinct(sample.lastChunkNanos() / 1e6, growMs, 0) + " ms ≥ "
                        + growMs + " ms";
                verb = "hold";
            } else {
                raw = Math.max((long) base + 1, (long) Math.ceil(base * growFactor));
                why = mem + ", chunk " + Checks.distinct(sample.lastChunkNanos() / 1e6, growMs, 0) + " ms < "
                        + growMs + " ms";
                verb = "grow ×" + Checks.plain(growFactor);
            }
        } else {
            raw = base;
            why = "memory " + Checks.percent(f) + "% in [" + growBelowPct + "%, " + shrinkAbovePct + "%]";
            verb = "hold";
        }

        int next = bounds.clamp(raw, memoryKnown ? sample.memoryBudgetBytes() : 0);
        // the guide's reasons carry the measured values, so its byte-cap note names the rows it capped at
        String note = bounds.lastNote() == Bounds.NOTE_BYTE_CAP ? ", byte cap " + next + " rows"
                : bounds.noteText(bounds.lastNote());
        ChunkDecision.Action action = next < base ? ChunkDecision.Action.SHRINK
                : next > base ? ChunkDecision.Action.GROW : ChunkDecision.Action.HOLD;
        current = next;
        return new ChunkDecision(next, action, why + ": " + verb + note);
    }

    @Override
    public String toString() {
        return "GuidePolicy[shrink_above=" + Checks.plain(shrinkAbove) + ", grow_below=" + Checks.plain(growBelow)
                + ", shrink_factor=" + Checks.plain(shrinkFactor) + ", grow_factor=" + Checks.plain(growFactor)
                + ", grow_if_chunk_ms_below=" + growMs + ", min_chunk_rows=" + minRows
                + ", max_chunk_rows=" + maxRows + ", max_chunk_fraction=" + Checks.plain(bounds.maxChunkFraction)
                + "]";
    }
}
