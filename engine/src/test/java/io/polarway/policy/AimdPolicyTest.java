package io.polarway.policy;

import io.polarway.error.ConfigException;
import io.polarway.policy.ChunkDecision.Action;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AimdPolicyTest {

    static final long BUDGET = 1_000_000;

    /** A full chunk of {@code rows} rows with unknown bytes (no byte cap), read in {@code ms}. */
    static PolicySample sample(double fraction, int rows, long ms) {
        return new PolicySample(0, Math.round(fraction * BUDGET), BUDGET, rows, rows, 0, ms * 1_000_000);
    }

    static AimdPolicy policy(Map<String, String> params, int initial) {
        return (AimdPolicy) PolicyRegistry.withDefaults().create("aimd", params, initial);
    }

    @Test
    void defaults() {
        AimdPolicy p = new AimdPolicy(1000);
        assertThat(p.name()).isEqualTo("aimd");
        assertThat(p.initialChunkRows()).isEqualTo(1000);
        assertThat(p.minChunkRows()).isEqualTo(100);
        assertThat(p.maxChunkRows()).isEqualTo(100_000);
        assertThat(p.increaseRows()).isEqualTo(6250);
        assertThat(p.growthCeiling()).isEqualTo(0.80);
        assertThat(AimdPolicy.OPTIONS.keys()).containsExactly("decrease_above", "increase_below", "backoff_ratio",
                "increase_rows", "increase_if_chunk_ms_below", "min_chunk_rows", "max_chunk_rows",
                "max_chunk_fraction");
        assertThat(policy(Map.of("max_chunk_rows", "5000"), 1000).increaseRows()).isEqualTo(312);
        assertThat(new AimdPolicy(5).initialChunkRows()).isEqualTo(100);
        assertThat(new AimdPolicy(1_000_000).initialChunkRows()).isEqualTo(100_000);
    }

    @Test
    void renoSawtoothAddsPerFastChunkAndHalvesAbove80Percent() {
        AimdPolicy p = policy(Map.of("increase_rows", "1000", "max_chunk_rows", "10000"), 1000);
        assertThat(p.onSample(sample(0.50, 1000, 10))).isEqualTo(new ChunkDecision(2000, Action.GROW,
                "memory < 80.0%, fast full chunk: increase +1000 rows"));
        assertThat(p.onSample(sample(0.60, 2000, 10)).chunkRows()).isEqualTo(3000);
        assertThat(p.onSample(sample(0.85, 3000, 10))).isEqualTo(new ChunkDecision(1500, Action.SHRINK,
                "memory > 80.0%: decrease ×0.5"));
        assertThat(p.onSample(sample(0.80, 1500, 10))).isEqualTo(new ChunkDecision(1500, Action.HOLD,
                "memory in [80.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.79, 1500, 1000))).isEqualTo(new ChunkDecision(1500, Action.HOLD,
                "memory < 80.0%, chunk not under 1000 ms: hold"));
        assertThat(p.onSample(sample(0.79, 1500, 999))).isEqualTo(new ChunkDecision(2500, Action.GROW,
                "memory < 80.0%, fast full chunk: increase +1000 rows"));
        PolicySample shortChunk = new PolicySample(0, 100_000, BUDGET, 2500, 300, 0, 10_000_000);
        assertThat(p.onSample(shortChunk)).isEqualTo(new ChunkDecision(2500, Action.HOLD,
                "memory < 80.0%, short chunk: hold"));
        PolicySample unknownTime = new PolicySample(0, 100_000, BUDGET, 2500, 2500, 0, -1);
        assertThat(p.onSample(unknownTime).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void netflixBackoffAndASeparateIncreaseMark() {
        AimdPolicy p = policy(Map.of("backoff_ratio", "0.9", "increase_below", "0.6", "increase_rows", "100"), 1000);
        assertThat(p.growthCeiling()).isEqualTo(0.6);
        assertThat(p.onSample(sample(0.81, 1000, 10)).chunkRows()).isEqualTo(900);
        assertThat(p.onSample(sample(0.70, 900, 10))).isEqualTo(new ChunkDecision(900, Action.HOLD,
                "memory in [60.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.5999, 900, 10)).chunkRows()).isEqualTo(1000);
    }

    @Test
    void clampsAtMinAndMax() {
        AimdPolicy p = policy(Map.of("increase_rows", "1000", "max_chunk_rows", "10000"), 9500);
        assertThat(p.onSample(sample(0.1, 9500, 10))).isEqualTo(new ChunkDecision(10_000, Action.GROW,
                "memory < 80.0%, fast full chunk: increase +1000 rows, at max 10000 rows"));
        assertThat(p.onSample(sample(0.1, 10_000, 10))).isEqualTo(new ChunkDecision(10_000, Action.HOLD,
                "memory < 80.0%, fast full chunk: increase +1000 rows, at max 10000 rows"));
        AimdPolicy q = new AimdPolicy(150);
        assertThat(q.onSample(sample(0.9, 150, 10))).isEqualTo(new ChunkDecision(100, Action.SHRINK,
                "memory > 80.0%: decrease ×0.5, at min 100 rows"));
        assertThat(q.onSample(sample(0.9, 100, 10))).isEqualTo(new ChunkDecision(100, Action.HOLD,
                "memory > 80.0%: decrease ×0.5, at min 100 rows"));
    }

    @Test
    void byteCapLimitsTheChunkToAShareOfTheBudget() {
        AimdPolicy p = new AimdPolicy(8_000);
        long budget = 1_000_000_000L; // cap = floor(0.10 × 1e9 / 1e4) = 10 000 rows; 8 000 + 6 250 = 14 250
        ChunkDecision d = p.onSample(new PolicySample(0, budget / 10, budget, 8_000, 8_000, 8_000 * 10_000L,
                10_000_000));
        assertThat(d).isEqualTo(new ChunkDecision(10_000, Action.GROW,
                "memory < 80.0%, fast full chunk: increase +6250 rows, byte cap (10.0% of the budget)"));
    }

    @Test
    void unknownMemoryHolds() {
        AimdPolicy p = new AimdPolicy(1000);
        assertThat(p.onSample(new PolicySample(0, 100, 0, 1000, 1000, 0, 1_000_000)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "memory unknown: hold"));
        assertThat(p.onSample(new PolicySample(0, -1, BUDGET, 1000, 1000, 0, 1_000_000)).action())
                .isEqualTo(Action.HOLD);
    }

    @Test
    void repeatedDecisionsAreTheSameObjectSoAStepAllocatesNothing() {
        AimdPolicy p = policy(Map.of("max_chunk_rows", "1000"), 1000);
        ChunkDecision first = p.onSample(sample(0.1, 1000, 10));
        for (int i = 0; i < 100; i++) assertThat(p.onSample(sample(0.1, 1000, 10))).isSameAs(first);
    }

    @Test
    void increaseMarkAboveDecreaseMarkIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> policy(Map.of("increase_below", "0.9"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("increase_below"))
                .hasMessageContaining("increase_below (0.9) must be at most decrease_above (0.8)");
        assertThatThrownBy(() -> policy(Map.of("backoff_ratio", "1"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("backoff_ratio"));
        assertThatThrownBy(() -> policy(Map.of("min_chunk_rows", "500", "max_chunk_rows", "400"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("min_chunk_rows"));
    }
}
