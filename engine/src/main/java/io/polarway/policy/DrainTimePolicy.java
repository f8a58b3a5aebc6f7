package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.Map;

/**
 * Sizes each chunk to drain in a target time, registered as {@code drain}: Flink's buffer debloating (buffers sized
 * so in-flight data drains in {@code buffer-debloat.target}, 1 s) and BBR (in-flight data = delivery rate × round
 * trip) applied to chunks, capped by the memory headroom.
 *
 * <h2>Rule</h2>
 * The drain rate is the stream's delivery rate in rows per second, measured between consecutive samples:
 * {@code r = lastChunkRows / (nanoTime − previous nanoTime)} — which includes the time the reader waited for the
 * consumer (a full read-ahead queue, a pause), so it is the rate the consumer drains, not the rate the source could
 * read. On the first sample, or when the clock did not advance, the interval is {@code lastChunkNanos}. Rates are
 * smoothed: {@code rate ← rate + rate_smoothing × (r − rate)} (the first sample sets {@code rate = r}). Samples
 * without rows or with an unknown interval leave the rate unchanged.
 *
 * <p>After each chunk, with {@code f = memoryUsedBytes / memoryBudgetBytes}, {@code asked = sample.chunkRows()} (the
 * previous decision when not positive), {@code base = asked} clamped to {@code [min_chunk_rows, max_chunk_rows]},
 * {@code drain = ceil(rate × target_chunk_ms / 1000)} (or {@code base} while the rate is unknown):
 * <ul>
 *   <li>memory unknown ({@code memoryBudgetBytes <= 0} or {@code memoryUsedBytes < 0}): {@code next = base};</li>
 *   <li>{@code f > high_mark} (strictly): {@code next = min(drain, floor(base × backoff_ratio))} — no headroom left;</li>
 *   <li>otherwise {@code next = drain}, then, when the bytes per row are known and
 *       {@code headroom = floor(headroom_share × (high_mark × budget − used) / bytesPerRow)} is below it,
 *       {@code next = max(headroom, min(next, floor(base × backoff_ratio)))} (a headroom cut is never harder than
 *       the cut above the mark, so the size does not jump at {@code high_mark}); then growth is limited to
 *       {@code floor(base × max_growth)}, and {@code next <= base} unless {@code f < high_mark} and the chunk was
 *       full ({@code lastChunkRows >= asked}).</li>
 * </ul>
 * Then {@code next} is clamped as {@link GuidePolicy} clamps ({@code min_chunk_rows}, {@code max_chunk_rows}, the
 * {@code max_chunk_fraction} byte cap). At {@code f >= high_mark} it never grows ({@link #growthCeiling()}).
 *
 * <p>When the consumer is faster than the source the chunk converges to the size whose read takes
 * {@code target_chunk_ms} (the fixed point of {@code c = T × c / (overhead + c × t_row)} is stable because its slope
 * there is {@code overhead / T < 1}); when it is slower, to what the consumer drains in that time, so memory in flight
 * follows the consumer, not the source.
 *
 * <h2>Options</h2>
 * {@code target_chunk_ms} (500), {@code rate_smoothing} (0.3), {@code high_mark} (0.80), {@code headroom_share}
 * (0.5), {@code backoff_ratio} (0.5), {@code max_growth} (2.0), and the guide's {@code min_chunk_rows} (100),
 * {@code max_chunk_rows} (100 000), {@code max_chunk_fraction} (0.10).
 *
 * <h2>Cost and thread safety</h2>
 * Allocation-free once sizes repeat ({@link Decisions}). Deterministic: the only clock is the samples'
 * {@code nanoTime}. Stateful (rate, previous time, previous decision, row width), not thread-safe: one per stream.
 */
public final class DrainTimePolicy implements ChunkSizePolicy {

    public static final String NAME = "drain";

    public static final OptionSpec<Long> TARGET_CHUNK_MS = OptionSpec.longValue("target_chunk_ms", 500L,
                    "Size each chunk so the stream drains it in this many milliseconds at the measured rate")
            .validate(v -> v >= 1 && v <= 600_000, "at least 1 and at most 600000");
    public static final OptionSpec<Double> RATE_SMOOTHING = OptionSpec.doubleValue("rate_smoothing", 0.3,
                    "Weight of the newest rate sample in the moving average (1 = no smoothing)")
            .validate(v -> v > 0 && v <= 1, "greater than 0 and at most 1");
    public static final OptionSpec<Double> HIGH_MARK = OptionSpec.doubleValue("high_mark", 0.80,
                    "Memory fraction the headroom is measured up to; above it the chunk is cut by backoff_ratio")
            .validate(v -> v > 0 && v <= 1.5, "greater than 0 and at most 1.5");
    public static final OptionSpec<Double> HEADROOM_SHARE = OptionSpec.doubleValue("headroom_share", 0.5,
                    "Largest share of the free memory below high_mark the next chunk may take")
            .validate(v -> v > 0 && v <= 1, "greater than 0 and at most 1");
    public static final OptionSpec<Double> BACKOFF_RATIO = OptionSpec.doubleValue("backoff_ratio", 0.5,
                    "Above high_mark the next chunk is at most this share of the last one")
            .validate(v -> v > 0 && v < 1, "greater than 0 and less than 1");
    public static final OptionSpec<Double> MAX_GROWTH = OptionSpec.doubleValue("max_growth", 2.0,
                    "A step grows the chunk by at most this factor (a noisy rate cannot make it jump)")
            .validate(v -> v > 1 && v <= 100, "greater than 1 and at most 100");

    /** Every option of the {@code drain} policy. */
    public static final OptionSet OPTIONS = OptionSet.of("policy '" + NAME + "'", TARGET_CHUNK_MS, RATE_SMOOTHING,
            HIGH_MARK, HEADROOM_SHARE, BACKOFF_RATIO, MAX_GROWTH, GuidePolicy.MIN_CHUNK_ROWS,
            GuidePolicy.MAX_CHUNK_ROWS, GuidePolicy.MAX_CHUNK_FRACTION);

    /** The registry entry for this policy. */
    public static final PolicyFactory FACTORY = new PolicyFactory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "Drain time (Flink debloating, BBR): chunk = measured drain rate × 500 ms, capped by half the "
                    + "headroom below 80% memory";
        }

        @Override
        public OptionSet options() {
            return OPTIONS;
        }

        @Override
        public ChunkSizePolicy create(Options options, int initialChunkRows) {
            return new DrainTimePolicy(options, initialChunkRows);
        }
    };

    private static final int UNKNOWN = 0;
    private static final int ABOVE = 1;
    private static final int DRAIN = 2;
    private static final int HEADROOM = 3;
    private static final int GROWTH = 4;
    private static final int NO_GROWTH = 5;
    private static final int NO_RATE = 6;

    private final double targetSeconds;
    private final double smoothing;
    private final double highMark;
    private final double headroomShare;
    private final double backoffRatio;
    private final double maxGrowth;
    private final Bounds bounds;
    private final Decisions decisions;
    private final int initialChunkRows;
    private int current;
    private double rate;
    private long previousNanoTime;
    private boolean hasPrevious;

    /**
     * @param options          parsed {@link #OPTIONS}
     * @param initialChunkRows the stream's initial chunk size; clamped to {@code [min, max]}
     * @throws io.polarway.error.ConfigException if {@code min_chunk_rows > max_chunk_rows}, naming the key
     */
    public DrainTimePolicy(Options options, int initialChunkRows) {
        if (options.optionSet() != OPTIONS) {
            throw new IllegalArgumentException("options were not parsed from DrainTimePolicy.OPTIONS");
        }
        this.bounds = new Bounds(options, OPTIONS.owner());
        long targetMs = options.get(TARGET_CHUNK_MS);
        this.targetSeconds = targetMs / 1000.0;
        this.smoothing = options.get(RATE_SMOOTHING);
        this.highMark = options.get(HIGH_MARK);
        this.headroomShare = options.get(HEADROOM_SHARE);
        this.backoffRatio = options.get(BACKOFF_RATIO);
        this.maxGrowth = options.get(MAX_GROWTH);
        this.initialChunkRows = bounds.clampToRange(initialChunkRows);
        this.current = this.initialChunkRows;
        String high = Checks.percent(highMark) + "%";
        this.decisions = new Decisions(new String[] {
                "memory unknown: hold",
                "memory > " + high + ": at most ×" + Checks.plain(backoffRatio) + " and the drain size",
                "drain rate × " + targetMs + " ms",
                "headroom: " + Checks.percent(headroomShare) + "% of the free memory below " + high,
                "drain rate × " + targetMs + " ms, growth limited to ×" + Checks.plain(maxGrowth),
                "drain rate × " + targetMs + " ms, no growth (short chunk or memory at " + high + ")",
                "drain rate unknown: hold"}, bounds);
    }

    /** The defaults. */
    public DrainTimePolicy(int initialChunkRows) {
        this(Options.defaults(OPTIONS), initialChunkRows);
    }

    /**
     * Parses {@code params} against {@link #OPTIONS}.
     *
     * @throws io.polarway.error.ConfigException on an unknown key (listing the valid ones) or a bad value
     */
    public static DrainTimePolicy create(Map<String, String> params, int initialChunkRows) {
        return new DrainTimePolicy(OPTIONS.parse(params), initialChunkRows);
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

    /** {@code high_mark}. */
    @Override
    public double growthCeiling() {
        return highMark;
    }

    /** The smoothed drain rate, rows per second, or 0 while unknown. */
    public double rateRowsPerSecond() {
        return rate;
    }

    @Override
    public ChunkDecision onSample(PolicySample sample) {
        int asked = sample.chunkRows() > 0 ? sample.chunkRows() : current;
        int base = bounds.clampToRange(asked);
        bounds.observe(sample);
        updateRate(sample);

        boolean memoryKnown = sample.memoryBudgetBytes() > 0 && sample.memoryUsedBytes() >= 0;
        double f = sample.memoryFraction();
        long drain = rate > 0 ? (long) Math.min(Integer.MAX_VALUE, Math.ceil(rate * targetSeconds)) : base;
        long raw;
        int rule;
        if (!memoryKnown) {
            raw = base;
            rule = UNKNOWN;
        } else if (f > highMark) {
            raw = Math.min(drain, (long) Math.floor(base * backoffRatio));
            rule = ABOVE;
        } else {
            raw = drain;
            rule = rate > 0 ? DRAIN : NO_RATE;
            double bpr = bounds.bytesPerRow();
            if (bpr > 0) {
                double free = highMark * sample.memoryBudgetBytes() - sample.memoryUsedBytes();
                long headroom = (long) Math.floor(Math.max(0, headroomShare * free / bpr));
                if (headroom < raw) {
                    // one step cuts for headroom at most as hard as above the mark, so the size is continuous in f
                    raw = Math.max(headroom, Math.min(raw, (long) Math.floor(base * backoffRatio)));
                    rule = HEADROOM;
                }
            }
            if (raw > base) {
                long limit = (long) Math.floor(base * maxGrowth);
                boolean mayGrow = f < highMark && sample.lastChunkRows() >= asked;
                if (!mayGrow) {
                    raw = base;
                    rule = NO_GROWTH;
                } else if (raw > limit) {
                    raw = Math.max(base, limit);
                    rule = GROWTH;
                }
            }
        }
        int next = bounds.clamp(raw, memoryKnown ? sample.memoryBudgetBytes() : 0);
        current = next;
        return decisions.get(base, next, rule, bounds.lastNote());
    }

    private void updateRate(PolicySample s) {
        long interval = -1;
        if (hasPrevious && s.nanoTime() > previousNanoTime) interval = s.nanoTime() - previousNanoTime;
        else if (s.lastChunkNanos() > 0) interval = s.lastChunkNanos();
        previousNanoTime = s.nanoTime();
        hasPrevious = true;
        if (interval <= 0 || s.lastChunkRows() <= 0) return;
        double r = s.lastChunkRows() * 1e9 / interval;
        rate = rate > 0 ? rate + smoothing * (r - rate) : r;
    }

    @Override
    public String toString() {
        return "DrainTimePolicy[target_chunk_ms=" + Math.round(targetSeconds * 1000) + ", rate_smoothing="
                + Checks.plain(smoothing) + ", high_mark=" + Checks.plain(highMark) + ", headroom_share="
                + Checks.plain(headroomShare) + ", backoff_ratio=" + Checks.plain(backoffRatio) + ", max_growth="
                + Checks.plain(maxGrowth) + ", " + bounds + "]";
    }
}
