package io.polarway.policy;

import io.polarway.error.ConfigException;
import io.polarway.policy.ChunkDecision.Action;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GradientPolicyTest {

    static final long BUDGET = 1_000_000;

    static PolicySample sample(double fraction, int rows, long ms) {
        return new PolicySample(0, Math.round(fraction * BUDGET), BUDGET, rows, rows, 0, ms * 1_000_000);
    }

    static GradientPolicy policy(Map<String, String> params, int initial) {
        return (GradientPolicy) PolicyRegistry.withDefaults().create("gradient", params, initial);
    }

    @Test
    void defaults() {
        GradientPolicy p = new GradientPolicy(1000);
        assertThat(p.name()).isEqualTo("gradient");
        assertThat(p.growthCeiling()).isEqualTo(0.70);
        assertThat(GradientPolicy.OPTIONS.keys()).containsExactly("target_fraction", "min_gradient", "max_growth",
                "smoothing", "latency_tolerance", "latency_window", "min_chunk_rows", "max_chunk_rows",
                "max_chunk_fraction");
    }

    @Test
    void scalesTheChunkByTheMemoryGradient() {
        GradientPolicy p = new GradientPolicy(1000);
        // 0.70 / 0.35 = 2, clamped to 1.5; half of the growth: 1 000 + 0.5 × 500
        assertThat(p.onSample(sample(0.35, 1000, 10))).isEqualTo(new ChunkDecision(1250, Action.GROW,
                "memory below 70.0%: grow by 50.0% of the gradient (at most ×1.5)"));
        // 0.70 / 0.56 = 1.25: 1 250 + 0.5 × 312.5 → 1 407 (rounded up)
        assertThat(p.onSample(sample(0.56, 1250, 10)).chunkRows()).isEqualTo(1407);
        // 0.70 / 0.875 = 0.8, applied at once
        assertThat(p.onSample(sample(0.875, 1407, 10))).isEqualTo(new ChunkDecision(1125, Action.SHRINK,
                "memory above 70.0%: × 70.0% / memory (at least ×0.5)"));
        // 0.70 / 1.4 = 0.5, the floor
        assertThat(p.onSample(sample(1.4, 1125, 10)).chunkRows()).isEqualTo(562);
        assertThat(p.onSample(sample(3.0, 562, 10)).chunkRows()).isEqualTo(281);
        assertThat(p.onSample(sample(0.70, 281, 10))).isEqualTo(new ChunkDecision(281, Action.HOLD,
                "memory at 70.0%: hold"));
        PolicySample shortChunk = new PolicySample(0, 100_000, BUDGET, 281, 100, 0, 10_000_000);
        assertThat(p.onSample(shortChunk)).isEqualTo(new ChunkDecision(281, Action.HOLD,
                "memory below 70.0%, short chunk: hold"));
        assertThat(p.onSample(new PolicySample(0, 100, 0, 281, 281, 0, 1)))
                .isEqualTo(new ChunkDecision(281, Action.HOLD, "memory unknown: hold"));
    }

    @Test
    void latencyGradientShrinksWhenTimePerRowRisesPastTheTolerance() {
        GradientPolicy p = policy(Map.of("latency_tolerance", "2", "latency_window", "1"), 1000);
        assertThat(p.onSample(sample(0.70, 1000, 10)).chunkRows()).isEqualTo(1000); // sets the average: 10 µs/row
        assertThat(p.onSample(sample(0.70, 1000, 20)).chunkRows()).isEqualTo(1000); // 2 × 10 / 20 = 1
        // the average is now 20 µs/row (window 1); 80 µs/row: 2 × 20 / 80 = 0.5
        assertThat(p.onSample(sample(0.70, 1000, 80))).isEqualTo(new ChunkDecision(500, Action.SHRINK,
                "time per row above 2 × its average: shrink"));
        GradientPolicy off = new GradientPolicy(1000);
        off.onSample(sample(0.70, 1000, 10));
        assertThat(off.onSample(sample(0.70, 1000, 1000)).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void convergesToTheTargetWhenMemoryIsABaselinePlusTheChunk() {
        // memory fraction = 0.2 + 10⁻⁵ × chunk: the target 0.7 is reached at 50 000 rows, from below and from above
        for (int start : new int[] {1000, 100_000}) {
            GradientPolicy p = new GradientPolicy(start);
            int rows = p.initialChunkRows();
            for (int i = 0; i < 80; i++) rows = p.onSample(sample(0.2 + 1e-5 * rows, rows, 10)).chunkRows();
            assertThat(rows).as("from %d", start).isBetween(49_000, 50_500);
        }
    }

    @Test
    void badOptionsNameTheKey() {
        assertThatThrownBy(() -> policy(Map.of("latency_tolerance", "0.5"), 1000))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).contains("latency_tolerance"));
        assertThatThrownBy(() -> policy(Map.of("min_gradient", "1"), 1000))
                .isInstanceOf(ConfigException.class);
    }
}
