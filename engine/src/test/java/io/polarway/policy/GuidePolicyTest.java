package io.polarway.policy;

import io.polarway.error.ConfigException;
import io.polarway.policy.ChunkDecision.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GuidePolicyTest {

    /** Budget of one million bytes so fractions are exact: used = fraction × 10⁶. */
    static final long BUDGET = 1_000_000;
    static final long FAST_MS = 10;
    static final long SLOW_MS = 1500;

    /** A full chunk of {@code chunkRows} rows with unknown bytes (no byte cap). */
    static PolicySample sample(double fraction, int chunkRows, long chunkMs) {
        return new PolicySample(0, Math.round(fraction * BUDGET), BUDGET, chunkRows, chunkRows, 0,
                chunkMs * 1_000_000);
    }

    @Test
    void defaults() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.name()).isEqualTo("guide");
        assertThat(p.initialChunkRows()).isEqualTo(1000);
        assertThat(p.minChunkRows()).isEqualTo(GuidePolicy.DEFAULT_MIN_CHUNK_ROWS).isEqualTo(100);
        assertThat(p.maxChunkRows()).isEqualTo(GuidePolicy.DEFAULT_MAX_CHUNK_ROWS).isEqualTo(100_000);
        assertThat(GuidePolicy.OPTIONS.keys()).containsExactly("shrink_above", "grow_below", "shrink_factor",
                "grow_factor", "grow_if_chunk_ms_below", "min_chunk_rows", "max_chunk_rows", "max_chunk_fraction");
    }

    @Test
    void initialChunkRowsIsClampedToMinAndMax() {
        assertThat(new GuidePolicy(5).initialChunkRows()).isEqualTo(100);
        assertThat(new GuidePolicy(-1).initialChunkRows()).isEqualTo(100);
        assertThat(new GuidePolicy(5_000).initialChunkRows()).isEqualTo(5_000);
        assertThat(new GuidePolicy(1_000_000).initialChunkRows()).isEqualTo(100_000);
    }

    @Test
    void shrinkBoundaryIsStrictlyAbove80Percent() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(sample(0.80, 1000, FAST_MS)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "memory 80.0% in [50.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.8001, 1000, FAST_MS)))
                .isEqualTo(new ChunkDecision(500, Action.SHRINK, "memory 80.01% > 80.0%: shrink ×0.5"));
        assertThat(p.onSample(sample(0.85, 500, SLOW_MS)))
                .isEqualTo(new ChunkDecision(250, Action.SHRINK, "memory 85.0% > 80.0%: shrink ×0.5"));
    }

    @Test
    void shrinkRoundsDown() {
        GuidePolicy p = new GuidePolicy(1001);
        assertThat(p.onSample(sample(0.9, 1001, FAST_MS)).chunkRows()).isEqualTo(500);
    }

    @Test
    void growBoundaryIsStrictlyBelow50PercentAndNeedsAFastChunk() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(sample(0.50, 1000, FAST_MS)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "memory 50.0% in [50.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.4999, 1000, FAST_MS)))
                .isEqualTo(new ChunkDecision(1250, Action.GROW, "memory 49.99% < 50.0%, chunk 10 ms < 1000 ms: grow ×1.25"));
        assertThat(p.onSample(sample(0.4999, 1250, SLOW_MS)))
                .isEqualTo(new ChunkDecision(1250, Action.HOLD, "memory 49.99% < 50.0%, chunk 1500 ms ≥ 1000 ms: hold"));
    }

    @Test
    void chunkTimeThresholdIsStrict() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(sample(0.1, 1000, 1000)).action()).isEqualTo(Action.HOLD);
        assertThat(p.onSample(sample(0.1, 1000, 999)).action()).isEqualTo(Action.GROW);
        PolicySample justUnder = new PolicySample(0, 100_000, BUDGET, 1000, 1000, 0, 999_999_999);
        ChunkDecision d = p.onSample(justUnder);
        assertThat(d.action()).isEqualTo(Action.GROW);
        assertThat(d.reason()).contains("chunk 999.9999 ms < 1000 ms");
    }

    @Test
    void chunkTimeThresholdIsConfigurable() {
        GuidePolicy p = GuidePolicy.create(Map.of("grow_if_chunk_ms_below", "200"), 1000);
        assertThat(p.onSample(sample(0.1, 1000, 200)).action()).isEqualTo(Action.HOLD);
        assertThat(p.onSample(sample(0.1, 1000, 199)).action()).isEqualTo(Action.GROW);
        GuidePolicy never = GuidePolicy.create(Map.of("grow_if_chunk_ms_below", "0"), 1000);
        assertThat(never.onSample(sample(0.1, 1000, 0)).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void shrinksToTheMinClampAndStaysThere() {
        GuidePolicy p = new GuidePolicy(1000);
        List<ChunkDecision> decisions = new ArrayList<>();
        int rows = p.initialChunkRows();
        for (int i = 0; i < 7; i++) {
            ChunkDecision d = p.onSample(sample(0.95, rows, FAST_MS));
            decisions.add(d);
            rows = d.chunkRows();
        }
        assertThat(decisions).extracting(ChunkDecision::chunkRows).containsExactly(500, 250, 125, 100, 100, 100, 100);
        assertThat(decisions).extracting(ChunkDecision::action).containsExactly(Action.SHRINK, Action.SHRINK,
                Action.SHRINK, Action.SHRINK, Action.HOLD, Action.HOLD, Action.HOLD);
        assertThat(decisions.get(3).reason()).isEqualTo("memory 95.0% > 80.0%: shrink ×0.5, at min 100 rows");
        assertThat(decisions.get(6).reason()).isEqualTo("memory 95.0% > 80.0%: shrink ×0.5, at min 100 rows");
    }

    @Test
    void growsToTheMaxClampAndStaysThere() {
        GuidePolicy p = new GuidePolicy(100);
        int rows = p.initialChunkRows();
        int steps = 0;
        ChunkDecision d;
        while (true) {
            d = p.onSample(sample(0.10, rows, FAST_MS));
            if (d.action() != Action.GROW) break;
            assertThat(d.chunkRows()).isGreaterThan(rows).isLessThanOrEqualTo(100_000);
            rows = d.chunkRows();
            steps++;
        }
        assertThat(rows).isEqualTo(100_000);
        assertThat(steps).isEqualTo(31);
        assertThat(d).isEqualTo(new ChunkDecision(100_000, Action.HOLD,
                "memory 10.0% < 50.0%, chunk 10 ms < 1000 ms: grow ×1.25, at max 100000 rows"));
    }

    @Test
    void growthRoundsUpSoItAlwaysMakesProgress() {
        GuidePolicy p = GuidePolicy.create(Map.of("min_chunk_rows", "1", "grow_factor", "1.01"), 1);
        int rows = 1;
        for (int i = 0; i < 50; i++) {
            ChunkDecision d = p.onSample(sample(0.1, rows, FAST_MS));
            assertThat(d.action()).isEqualTo(Action.GROW);
            assertThat(d.chunkRows()).isEqualTo(rows + 1);
            rows = d.chunkRows();
        }
        GuidePolicy q = new GuidePolicy(101);
        assertThat(q.onSample(sample(0.1, 101, FAST_MS)).chunkRows()).isEqualTo(127); // ceil(126.25)
    }

    @Test
    void byteCapLimitsTheChunkToAShareOfTheBudget() {
        GuidePolicy p = new GuidePolicy(8_500);
        long budget = 1_000_000_000L;
        long bytesPerRow = 10_000; // cap = floor(0.10 × 1e9 / 1e4) = 10 000 rows; 8 500 × 1.25 = 10 625
        ChunkDecision d1 = p.onSample(new PolicySample(0, budget / 10, budget, 8_500, 8_500, 8_500 * bytesPerRow,
                FAST_MS * 1_000_000));
        assertThat(d1.chunkRows()).isEqualTo(10_000);
        assertThat(d1.action()).isEqualTo(Action.GROW);
        assertThat(d1.reason()).endsWith("grow ×1.25, byte cap 10000 rows");
        ChunkDecision d2 = p.onSample(new PolicySample(0, budget / 10, budget, 10_000, 10_000,
                10_000 * bytesPerRow, FAST_MS * 1_000_000));
        assertThat(d2.chunkRows()).isEqualTo(10_000);
        assertThat(d2.action()).isEqualTo(Action.HOLD);
        // Rows got wider: the cap now forces a shrink even in the hold band.
        ChunkDecision d3 = p.onSample(new PolicySample(0, budget * 6 / 10, budget, 10_000, 10_000,
                10_000 * 40_000L, FAST_MS * 1_000_000));
        assertThat(d3.chunkRows()).isEqualTo(2_500);
        assertThat(d3.action()).isEqualTo(Action.SHRINK);
        assertThat(d3.reason()).isEqualTo("memory 60.0% in [50.0%, 80.0%]: hold, byte cap 2500 rows");
        // An empty chunk says nothing about row width: the last known width still caps.
        ChunkDecision d4 = p.onSample(new PolicySample(0, budget / 10, budget, 2_500, 2_500, 0,
                FAST_MS * 1_000_000));
        assertThat(d4.chunkRows()).isEqualTo(2_500);
    }

    @Test
    void byteCapNeverGoesBelowMin() {
        GuidePolicy p = new GuidePolicy(1_000);
        long budget = 1_000_000;
        ChunkDecision d = p.onSample(new PolicySample(0, budget / 10, budget, 1_000, 1_000, 1_000 * 50_000L,
                FAST_MS * 1_000_000));
        assertThat(d.chunkRows()).isEqualTo(100); // cap would be 2 rows
        assertThat(d.action()).isEqualTo(Action.SHRINK);
    }

    @Test
    void byteCapFractionIsConfigurable() {
        GuidePolicy p = GuidePolicy.create(Map.of("max_chunk_fraction", "0.5"), 8_000);
        long budget = 1_000_000_000L;
        ChunkDecision d = p.onSample(new PolicySample(0, budget / 10, budget, 8_000, 8_000, 8_000 * 10_000L,
                FAST_MS * 1_000_000));
        assertThat(d.chunkRows()).isEqualTo(10_000); // cap 50 000 rows does not bind
    }

    @Test
    void shortFinalChunkDoesNotGrow() {
        GuidePolicy p = new GuidePolicy(1000);
        PolicySample shortChunk = new PolicySample(0, 100_000, BUDGET, 1000, 300, 0, FAST_MS * 1_000_000);
        assertThat(p.onSample(shortChunk)).isEqualTo(new ChunkDecision(1000, Action.HOLD,
                "memory 10.0% < 50.0%, short chunk 300 < 1000 rows: hold"));
        PolicySample empty = new PolicySample(0, 100_000, BUDGET, 1000, 0, 0, FAST_MS * 1_000_000);
        assertThat(p.onSample(empty).action()).isEqualTo(Action.HOLD);
    }

    @Test
    void shortChunkStillShrinksUnderPressure() {
        GuidePolicy p = new GuidePolicy(1000);
        PolicySample shortChunk = new PolicySample(0, 900_000, BUDGET, 1000, 300, 0, FAST_MS * 1_000_000);
        assertThat(p.onSample(shortChunk).chunkRows()).isEqualTo(500);
    }

    @Test
    void unknownMemoryOrTimeHolds() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(new PolicySample(0, 100, 0, 1000, 1000, 0, 1_000_000)))
                .isEqualTo(new ChunkDecision(1000, Action.HOLD, "memory unknown: hold"));
        assertThat(p.onSample(new PolicySample(0, -1, BUDGET, 1000, 1000, 0, 1_000_000)).action())
                .isEqualTo(Action.HOLD);
        assertThat(p.onSample(new PolicySample(0, 100, BUDGET, 1000, 1000, 0, -1)).action())
                .isEqualTo(Action.HOLD);
    }

    @Test
    void askedSizeOutsideTheClampIsClampedFirst() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(sample(0.6, 10, FAST_MS)))
                .isEqualTo(new ChunkDecision(100, Action.HOLD, "memory 60.0% in [50.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.95, 10, FAST_MS)).action()).isEqualTo(Action.HOLD);
        assertThat(p.onSample(sample(0.6, 500_000, FAST_MS)))
                .isEqualTo(new ChunkDecision(100_000, Action.HOLD, "memory 60.0% in [50.0%, 80.0%]: hold"));
        assertThat(p.onSample(sample(0.95, 500_000, FAST_MS)))
                .isEqualTo(new ChunkDecision(50_000, Action.SHRINK, "memory 95.0% > 80.0%: shrink ×0.5"));
    }

    @Test
    void nonPositiveChunkRowsFallsBackToThePreviousDecision() {
        GuidePolicy p = new GuidePolicy(1000);
        assertThat(p.onSample(sample(0.9, 1000, FAST_MS)).chunkRows()).isEqualTo(500);
        assertThat(p.onSample(new PolicySample(0, 900_000, BUDGET, 0, 0, 0, 1)).chunkRows()).isEqualTo(250);
    }

    @Test
    void sameSequenceGivesSameDecisions() {
        List<PolicySample> seq = List.of(sample(0.3, 1000, 5), sample(0.3, 1250, 5), sample(0.85, 1563, 5),
                sample(0.6, 781, 5), sample(0.95, 781, 2000), sample(0.2, 390, 2000), sample(0.2, 390, 20));
        assertThat(run(new GuidePolicy(1000), seq)).isEqualTo(run(new GuidePolicy(1000), seq));
        assertThat(run(new GuidePolicy(1000), seq)).extracting(ChunkDecision::chunkRows)
                .containsExactly(1250, 1563, 781, 781, 390, 390, 488);
    }

    private static List<ChunkDecision> run(ChunkSizePolicy p, List<PolicySample> seq) {
        List<ChunkDecision> out = new ArrayList<>();
        for (PolicySample s : seq) out.add(p.onSample(s));
        return out;
    }

    @Test
    void customThresholds() {
        GuidePolicy p = GuidePolicy.create(Map.of("shrink_above", "0.75", "shrink_factor", "0.25",
                "grow_below", "0.3", "grow_factor", "2"), 1000);
        assertThat(p.onSample(sample(0.76, 1000, FAST_MS)))
                .isEqualTo(new ChunkDecision(250, Action.SHRINK, "memory 76.0% > 75.0%: shrink ×0.25"));
        assertThat(p.onSample(sample(0.4, 250, FAST_MS)).action()).isEqualTo(Action.HOLD);
        assertThat(p.onSample(sample(0.29, 250, FAST_MS)))
                .isEqualTo(new ChunkDecision(500, Action.GROW, "memory 29.0% < 30.0%, chunk 10 ms < 1000 ms: grow ×2"));
    }

    @Test
    void growBelowMustBeLessThanShrinkAbove() {
        assertThatThrownBy(() -> GuidePolicy.create(Map.of("grow_below", "0.8"), 1000))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).contains("grow_below"))
                .hasMessageContaining("grow_below").hasMessageContaining("shrink_above");
        assertThatThrownBy(() -> GuidePolicy.create(Map.of("shrink_above", "0.4"), 1000))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).contains("shrink_above"));
        assertThatThrownBy(() -> GuidePolicy.create(Map.of("shrink_above", "0.6", "grow_below", "0.7"), 1000))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).contains("grow_below"));
    }

    @Test
    void minMustNotExceedMax() {
        assertThatThrownBy(() -> GuidePolicy.create(Map.of("max_chunk_rows", "50"), 1000))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).contains("max_chunk_rows"))
                .hasMessageContaining("min_chunk_rows (100) must be at most max_chunk_rows (50)");
        GuidePolicy equal = GuidePolicy.create(Map.of("min_chunk_rows", "500", "max_chunk_rows", "500"), 1);
        assertThat(equal.initialChunkRows()).isEqualTo(500);
        assertThat(equal.onSample(sample(0.1, 500, FAST_MS)).chunkRows()).isEqualTo(500);
        assertThat(equal.onSample(sample(0.9, 500, FAST_MS)).chunkRows()).isEqualTo(500);
    }

    @Test
    void badValuesNameTheKey() {
        for (Map.Entry<String, String> bad : List.of(Map.entry("shrink_factor", "1.5"),
                Map.entry("shrink_factor", "0"), Map.entry("grow_factor", "1"), Map.entry("shrink_above", "0"),
                Map.entry("shrink_above", "2"), Map.entry("min_chunk_rows", "0"), Map.entry("max_chunk_rows", "x"),
                Map.entry("max_chunk_fraction", "0"), Map.entry("grow_if_chunk_ms_below", "-1"),
                Map.entry("grow_below", "NaN"))) {
            assertThatThrownBy(() -> GuidePolicy.create(Map.of(bad.getKey(), bad.getValue()), 1000))
                    .as(bad.toString())
                    .isInstanceOfSatisfying(ConfigException.class,
                            e -> assertThat(e.key()).contains(bad.getKey()))
                    .hasMessageContaining(bad.getKey());
        }
    }
}
