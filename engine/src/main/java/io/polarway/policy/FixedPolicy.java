package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.Map;

/**
 * Always the same chunk size, registered as {@code fixed}: the baseline (oracle) that benchmarks compare adaptive
 * policies against. Option {@code chunk_rows} (rows, at least 1) defaults to the stream's initial chunk size.
 *
 * <p>Every decision is {@link ChunkDecision.Action#HOLD} at {@code chunk_rows}, whatever the sample. Immutable and
 * therefore thread-safe, though the engine still uses one instance per stream.
 */
public final class FixedPolicy implements ChunkSizePolicy {

    public static final String NAME = "fixed";

    public static final OptionSpec<Integer> CHUNK_ROWS = OptionSpec.intValue("chunk_rows", null,
                    "Chunk size in rows for every read (default: the stream's initial chunk size)")
            .validate(v -> v >= 1, "at least 1");

    /** Every option of the {@code fixed} policy. */
    public static final OptionSet OPTIONS = OptionSet.of("policy '" + NAME + "'", CHUNK_ROWS);

    /** The registry entry for this policy. */
    public static final PolicyFactory FACTORY = new PolicyFactory() {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "Always the same chunk size (chunk_rows, default the initial size): the benchmarks' baseline";
        }

        @Override
        public OptionSet options() {
            return OPTIONS;
        }

        @Override
        public ChunkSizePolicy create(Options options, int initialChunkRows) {
            return new FixedPolicy(options.find(CHUNK_ROWS).orElse(initialChunkRows));
        }
    };

    private final int chunkRows;
    private final ChunkDecision decision;

    /**
     * @param chunkRows the chunk size for every read, at least 1
     * @throws IllegalArgumentException if {@code chunkRows < 1}
     */
    public FixedPolicy(int chunkRows) {
        if (chunkRows < 1) throw new IllegalArgumentException("chunk_rows must be at least 1, got " + chunkRows);
        this.chunkRows = chunkRows;
        this.decision = new ChunkDecision(chunkRows, ChunkDecision.Action.HOLD, "fixed " + chunkRows + " rows");
    }

    /**
     * Parses {@code params} against {@link #OPTIONS}.
     *
     * @throws io.polarway.error.ConfigException on an unknown key or a bad value
     */
    public static FixedPolicy create(Map<String, String> params, int initialChunkRows) {
        return (FixedPolicy) FACTORY.create(OPTIONS.parse(params), initialChunkRows);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int initialChunkRows() {
        return chunkRows;
    }

    @Override
    public ChunkDecision onSample(PolicySample sample) {
        return decision;
    }

    @Override
    public int minChunkRows() {
        return chunkRows;
    }

    @Override
    public int maxChunkRows() {
        return chunkRows;
    }

    /** 0: a fixed size never grows. */
    @Override
    public double growthCeiling() {
        return 0;
    }

    @Override
    public String toString() {
        return "FixedPolicy[chunk_rows=" + chunkRows + "]";
    }
}
