package io.polarway.policy;

import io.polarway.error.ConfigException;
import io.polarway.policy.ChunkDecision.Action;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DrainTimePolicyTest {

    static final long BUDGET = 1_000_000_000L;
    static final long MS = 1_000_000L;

    static DrainTimePolicy policy(Map<String, String> params, int initial) {
        return (DrainTimePolicy) PolicyRegistry.withDefaults().create("drain", params, initial);
    }

    /** A chunk of {@code rows} full rows of {@code width} bytes, sampled at {@code atMs} after a {@code readMs} read. */
    static PolicySample sample(long atMs, double fraction, int rows, int width, long readMs) {
        return new PolicySample(atMs * MS, Math.round(fraction * BUDGET), BUDGET, rows, rows, (long) rows * width,
                readMs * MS);
    }

    @Test
    void defaults() {
        DrainTimePolicy p = new DrainTimePolicy(1000);
        assertThat(p.name()).isEqualTo("drain");
        assertThat(p.minChunkRows()).isEqualTo(100);
        assertThat(p.maxChunkRows()).isEqualTo(100_000);
        assertThat(p.growthCeiling()).isEqualTo(0.80);
        assertThat(DrainTimePolicy.OPTIONS.keys()).containsExactly("target_chunk_ms", "rate_smoothing", "high_mark",
                "headroom_share", "backoff_ratio", "max_growth", "min_chunk_rows", "max_chunk_rows",
                "max_chunk_fraction");
    }

    @Test
    void chunkFollowsTheDrainRateTimesTheTargetWithGrowthLimitedPerStep() {
        // 20 000 rows/s; target 500 ms → 10 000 rows, reached by doubling
        DrainTimePolicy p = policy(Map.of("rate_smoothing", "1", "max_chunk_fraction", "1"), 1000);
        assertThat(p.onSample(sample(100, 0.1, 1000, 100, 50))).isEqualTo(new ChunkDecision(2000, Action.GROW,
                "drain rate × 500 ms, growth limited to ×2"));
        assertThat(p.rateRowsPerSecond()).isEqualTo(20_000); // first sample: the read time is the interval
        assertThat(p.onSample(sample(200, 0.1, 2000, 100, 50)).chunkRows()).isEqualTo(4000);
        assertThat(p.onSample(sample(400, 0.1, 4000, 100, 50)).chunkRows()).isEqualTo(8000);
        assertThat(p.onSample(sample(800, 0.1, 8000, 100, 50))).isEqualTo(new ChunkDecision(10_000, Action.GROW,
                "drain rate × 500 ms"));
        assertThat(p.onSample(sample(1300, 0.1, 10_000, 100, 50))).isEqualTo(new ChunkDecision(10_000, Action.HOLD,
                "drain rate × 500 ms"));
        // the consumer halves its pace: 10 000 rows took 1 s between samples (the read itself still 50 ms)
        assertThat(p.onSample(sample(2300, 0.1, 10_000, 100, 50))).isEqualTo(new ChunkDecision(5000, Action.SHRINK,
                "drain rate × 500 ms"));
    }

    @Test
    void headroomBelowTheHighMarkCapsTheChunkButCutsNoHarderThanTheBackoff() {
        DrainTimePolicy p = policy(Map.of("rate_smoothing", "1", "max_chunk_fraction", "1"), 5000);
        // 10 000 rows/s (the first interval is the read time), rows of 1 000 B: drain = 5 000 rows
        assertThat(p.onSample(sample(500, 0.5, 5000, 1000, 500)).chunkRows()).isEqualTo(5000);
        // free below 80%: 2 MB; half of it is 1 000 rows; the backoff floor is 2 500
        assertThat(p.onSample(sample(1000, 0.798, 5000, 1000, 50))).isEqualTo(new ChunkDecision(2500,
                Action.SHRINK, "headroom: 50.0% of the free memory below 80.0%"));
        // free 3 MB → 1 500 rows, above the backoff floor of 1 250
        assertThat(p.onSample(sample(1250, 0.797, 2500, 1000, 50)).chunkRows()).isEqualTo(1500);
        assertThat(p.onSample(sample(1400, 0.85, 1500, 1000, 50))).isEqualTo(new ChunkDecision(750, Action.SHRINK,
                "memory > 80.0%: at most ×0.5 and the drain size"));
        // exactly at the mark: no headroom, the same cut as above it, never growth
        assertThat(p.onSample(sample(1475, 0.80, 750, 1000, 50)).chunkRows()).isEqualTo(375);
    }

    @Test
    void rateIsSmoothed() {
        DrainTimePolicy p = new DrainTimePolicy(1000);
        p.onSample(sample(50, 0.1, 1000, 100, 50));
        assertThat(p.rateRowsPerSecond()).isEqualTo(20_000);
        p.onSample(sample(150, 0.1, 1000, 100, 50)); // 10 000 rows/s: 20 000 + 0.3 × (10 000 − 20 000)
        assertThat(p.rateRowsPerSecond()).isCloseTo(17_000, within(1e-6));
    }

    @Test
    void noRateNoGrowthFromShortChunksAndUnknownMemoryHolds() {
        DrainTimePolicy p = new DrainTimePolicy(1000);
        assertThat(p.onSample(new PolicySample(0, 100, BUDGET, 1000, 1000, 0, 0)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "drain rate unknown: hold"));
        PolicySample shortChunk = new PolicySample(100 * MS, 100, BUDGET, 1000, 300, 30_000, 10 * MS);
        assertThat(p.onSample(shortChunk)).isEqualTo(new ChunkDecision(1000, Action.HOLD,
                "drain rate × 500 ms, no growth (short chunk or memory at 80.0%)"));
        assertThat(p.onSample(new PolicySample(200 * MS, 100, 0, 1000, 1000, 0, MS)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "memory unknown: hold"));
    }

    @Test
    void convergesToTheChunkThatTakesTheTargetTimeWhenTheSourceIsTheBottleneck() {
        // read cost: 20 ms per chunk + 10 µs per row; fixed point (500 − 20) ms / 10 µs = 48 000 rows
        DrainTimePolicy p = policy(Map.of("max_chunk_fraction", "1"), 1000);
        long now = 0;
        int rows = p.initialChunkRows();
        for (int i = 0; i < 60; i++) {
            long read = 20 * MS + rows * 10_000L;
            now += read;
            rows = p.onSample(new PolicySample(now, BUDGET / 10, BUDGET, rows, rows, rows * 100L, read)).chunkRows();
        }
        assertThat(rows).isBetween(47_500, 48_500);
    }

    @Test
    void badOptionsNameTheKey() {
        assertThatThrownBy(() -> policy(Map.of("target_chunk_ms", "0"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("target_chunk_ms"));
        assertThatThrownBy(() -> policy(Map.of("max_growth", "1"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("max_growth"));
    }
}
