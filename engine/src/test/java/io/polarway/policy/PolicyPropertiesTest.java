package io.polarway.policy;

import io.polarway.policy.ChunkDecision.Action;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyPropertiesTest {

    /**
     * One step of a stream as the engine would report it.
     *
     * @param fraction    working set / budget
     * @param nanos       time to read the chunk
     * @param fullness    share of the asked rows the chunk had (1 = full; less at the end of a split)
     * @param bytesPerRow row width, 0 = unknown
     */
    record Step(double fraction, long nanos, double fullness, int bytesPerRow) {
    }

    record Config(double shrinkAbove, double growBelow, int minRows, int maxRows, double maxChunkFraction) {
        GuidePolicy policy(int initialChunkRows) {
            return GuidePolicy.create(Map.of("shrink_above", Double.toString(shrinkAbove),
                    "grow_below", Double.toString(growBelow), "min_chunk_rows", Integer.toString(minRows),
                    "max_chunk_rows", Integer.toString(maxRows),
                    "max_chunk_fraction", Double.toString(maxChunkFraction)), initialChunkRows);
        }
    }

    static final long BUDGET = 1_000_000_000L;

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Double> fraction = Arbitraries.oneOf(
                Arbitraries.doubles().between(0.0, 1.5),
                Arbitraries.of(0.0, 0.4999, 0.5, 0.5001, 0.7999, 0.8, 0.8001, 1.0));
        Arbitrary<Long> nanos = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3_000_000_000L),
                Arbitraries.of(0L, 999_999_999L, 1_000_000_000L));
        Arbitrary<Double> fullness = Arbitraries.oneOf(Arbitraries.just(1.0), Arbitraries.doubles().between(0, 1));
        Arbitrary<Integer> width = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 2_000_000));
        return Combinators.combine(fraction, nanos, fullness, width).as(Step::new).list().ofMinSize(1).ofMaxSize(80);
    }

    @Provide
    Arbitrary<Config> configs() {
        Arbitrary<Double> shrink = Arbitraries.doubles().between(0.05, 1.5).ofScale(3);
        Arbitrary<Double> growShare = Arbitraries.doubles().between(0.0, 0.99).ofScale(3);
        Arbitrary<Integer> min = Arbitraries.integers().between(1, 5_000);
        Arbitrary<Integer> span = Arbitraries.integers().between(0, 500_000);
        Arbitrary<Double> fraction = Arbitraries.doubles().between(0.001, 1.0).ofScale(3);
        return Combinators.combine(shrink, growShare, min, span, fraction).as((s, g, lo, d, mf) -> {
            double grow = Math.floor(s * g * 1000) / 1000;
            if (grow >= s) grow = 0;
            return new Config(s, grow, lo, (int) Math.min(Integer.MAX_VALUE, (long) lo + d), mf);
        });
    }

    private static PolicySample toSample(Step s, int chunkRows) {
        long rows = (long) Math.floor(chunkRows * s.fullness());
        return new PolicySample(0, Math.round(s.fraction() * BUDGET), BUDGET, chunkRows, rows,
                rows * s.bytesPerRow(), s.nanos());
    }

    /** Closed loop: each sample asks for the previous decision, as the engine does. */
    private static void closedLoop(GuidePolicy p, double shrinkAbove, double growBelow, List<Step> steps) {
        int rows = p.initialChunkRows();
        assertThat(rows).isBetween(p.minChunkRows(), p.maxChunkRows());
        for (Step step : steps) {
            PolicySample sample = toSample(step, rows);
            ChunkDecision d = p.onSample(sample);
            double f = sample.memoryFraction();
            assertThat(d.chunkRows()).as("within [min, max]").isBetween(p.minChunkRows(), p.maxChunkRows());
            assertThat(d.reason()).isNotBlank();
            if (f >= growBelow) {
                assertThat(d.action()).as("no GROW at %s >= grow_below", f).isNotEqualTo(Action.GROW);
            }
            if (f > shrinkAbove) {
                assertThat(d.action()).as("no GROW above shrink mark").isNotEqualTo(Action.GROW);
                assertThat(d.chunkRows()).as("never grows above shrink mark").isLessThanOrEqualTo(rows);
            }
            if (sample.lastChunkRows() < rows) {
                assertThat(d.chunkRows()).as("short chunk never grows").isLessThanOrEqualTo(rows);
            }
            if (d.action() == Action.GROW) {
                assertThat(d.chunkRows()).isGreaterThan(rows);
                assertThat(f).isLessThan(growBelow);
                assertThat(sample.lastChunkNanos()).isLessThan(1_000_000_000L);
            }
            if (d.action() == Action.SHRINK) assertThat(d.chunkRows()).isLessThan(rows);
            if (d.action() == Action.HOLD) assertThat(d.chunkRows()).isEqualTo(rows);
            rows = d.chunkRows();
        }
    }

    @Property(tries = 300)
    void defaultPolicyStaysWithinBoundsAndFollowsTheRule(@ForAll("steps") List<Step> steps,
                                                         @ForAll @IntRange(min = -10, max = 1_000_000) int initial) {
        closedLoop(new GuidePolicy(initial), GuidePolicy.DEFAULT_SHRINK_ABOVE, GuidePolicy.DEFAULT_GROW_BELOW, steps);
    }

    @Property(tries = 300)
    void configuredPolicyStaysWithinBoundsAndFollowsTheRule(@ForAll("configs") Config config,
                                                            @ForAll("steps") List<Step> steps,
                                                            @ForAll @IntRange(min = 1, max = 1_000_000) int initial) {
        closedLoop(config.policy(initial), config.shrinkAbove(), config.growBelow(), steps);
    }

    @Property(tries = 300)
    void openLoopChunkRowsStayWithinBounds(@ForAll("steps") List<Step> steps,
                                           @ForAll @Size(min = 80, max = 80) List<@IntRange(min = 1, max = 10_000_000) Integer> asked) {
        GuidePolicy p = new GuidePolicy(1000);
        for (int i = 0; i < steps.size(); i++) {
            PolicySample sample = toSample(steps.get(i), asked.get(i));
            ChunkDecision d = p.onSample(sample);
            int base = Math.max(100, Math.min(100_000, asked.get(i)));
            assertThat(d.chunkRows()).isBetween(100, 100_000);
            if (sample.memoryFraction() >= GuidePolicy.DEFAULT_GROW_BELOW) {
                assertThat(d.action()).isNotEqualTo(Action.GROW);
                assertThat(d.chunkRows()).isLessThanOrEqualTo(base);
            }
            if (sample.memoryFraction() > GuidePolicy.DEFAULT_SHRINK_ABOVE) {
                assertThat(d.action()).isNotEqualTo(Action.GROW);
            }
        }
    }

    @Property(tries = 200)
    void sameSequenceSameDecisions(@ForAll("steps") List<Step> steps) {
        assertThat(run(new GuidePolicy(1000), steps)).isEqualTo(run(new GuidePolicy(1000), steps));
    }

    private static List<ChunkDecision> run(GuidePolicy p, List<Step> steps) {
        List<ChunkDecision> out = new ArrayList<>();
        int rows = p.initialChunkRows();
        for (Step s : steps) {
            ChunkDecision d = p.onSample(toSample(s, rows));
            out.add(d);
            rows = d.chunkRows();
        }
        return out;
    }

    @Property(tries = 300)
    void gateNeverPausesAtOrBelowPauseMarkFromUnpaused(
            @ForAll @DoubleRange(min = 0.1, max = 1.5) double pauseAbove,
            @ForAll @DoubleRange(min = 0.01, max = 0.99) double resumeShare,
            @ForAll @Size(max = 100) List<@DoubleRange(min = 0.0, max = 1.0) Double> shares) {
        HysteresisGate gate = new HysteresisGate(pauseAbove, pauseAbove * resumeShare);
        for (double share : shares) {
            assertThat(gate.onSample(pauseAbove * share)).isFalse();
            assertThat(gate.isPaused()).isFalse();
        }
        assertThat(gate.onSample(pauseAbove)).isFalse();
    }

    @Property(tries = 300)
    void gateStateFollowsHysteresis(@ForAll @Size(max = 100) List<@DoubleRange(min = 0.0, max = 1.5) Double> fractions) {
        HysteresisGate gate = new HysteresisGate();
        boolean paused = false;
        for (double f : fractions) {
            boolean now = gate.onSample(f);
            if (f > 0.90) assertThat(now).isTrue();
            else if (f < 0.70) assertThat(now).isFalse();
            else assertThat(now).as("keeps state between the marks").isEqualTo(paused);
            paused = now;
        }
    }

    // ---- Every registered policy (guide, fixed and the rivals) against the interface's promises ----

    /** A policy and the configuration it was built from, for the report of a failing case. */
    record Built(String name, Map<String, String> params, ChunkSizePolicy policy) {
        @Override
        public String toString() {
            return name + params;
        }
    }

    @Provide
    Arbitrary<String> registeredNames() {
        return Arbitraries.of(PolicyRegistry.withDefaults().names());
    }

    /** Random valid parameters per built-in policy (the shared clamps for all, each rival's own keys). */
    @Provide
    Arbitrary<Map<String, String>> clampParams() {
        Arbitrary<Integer> min = Arbitraries.integers().between(1, 5_000);
        Arbitrary<Integer> span = Arbitraries.integers().between(0, 500_000);
        Arbitrary<Double> fraction = Arbitraries.doubles().between(0.001, 1.0).ofScale(3);
        return Combinators.combine(min, span, fraction).as((lo, d, mf) -> Map.of(
                "min_chunk_rows", Integer.toString(lo),
                "max_chunk_rows", Long.toString(Math.min(Integer.MAX_VALUE, (long) lo + d)),
                "max_chunk_fraction", Double.toString(mf)));
    }

    @Provide
    Arbitrary<Built> configuredRivals() {
        Arbitrary<Double> mark = Arbitraries.doubles().between(0.05, 1.5).ofScale(3);
        Arbitrary<Double> share = Arbitraries.doubles().between(0.0, 1.0).ofScale(3);
        Arbitrary<Double> ratio = Arbitraries.doubles().between(0.01, 0.99).ofScale(3);
        Arbitrary<Integer> rows = Arbitraries.integers().between(1, 50_000);
        Arbitrary<Map<String, String>> aimd = Combinators.combine(mark, share, ratio, rows, clampParams())
                .as((dec, sh, back, inc, clamps) -> with(clamps, "decrease_above", dec,
                        "increase_below", Math.floor(dec * sh * 1000) / 1000, "backoff_ratio", back,
                        "increase_rows", inc));
        Arbitrary<Map<String, String>> drain = Combinators.combine(mark, ratio, ratio, ratio,
                        Arbitraries.longs().between(1, 5_000), Arbitraries.doubles().between(1.01, 10).ofScale(2),
                        clampParams())
                .as((high, headroom, back, smooth, target, growth, clamps) -> with(clamps, "high_mark", high,
                        "headroom_share", headroom, "backoff_ratio", back, "rate_smoothing", smooth,
                        "target_chunk_ms", target, "max_growth", growth));
        Arbitrary<Map<String, String>> gradient = Combinators.combine(mark, ratio, ratio,
                        Arbitraries.doubles().between(1.01, 10).ofScale(2),
                        Arbitraries.oneOf(Arbitraries.just(0.0), Arbitraries.doubles().between(1, 5).ofScale(2)),
                        Arbitraries.integers().between(1, 200), clampParams())
                .as((target, minG, smooth, growth, tol, window, clamps) -> with(clamps, "target_fraction", target,
                        "min_gradient", minG, "smoothing", smooth, "max_growth", growth, "latency_tolerance", tol,
                        "latency_window", window));
        Arbitrary<Integer> initial = Arbitraries.integers().between(1, 1_000_000);
        return Arbitraries.oneOf(
                Combinators.combine(aimd, initial).as((p, i) -> build("aimd", p, i)),
                Combinators.combine(drain, initial).as((p, i) -> build("drain", p, i)),
                Combinators.combine(gradient, initial).as((p, i) -> build("gradient", p, i)),
                Combinators.combine(clampParams(), initial).as((p, i) -> build("guide", p, i)),
                Combinators.combine(rows, initial).as((r, i) -> build("fixed", Map.of("chunk_rows",
                        Integer.toString(r)), i)));
    }

    private static Map<String, String> with(Map<String, String> base, Object... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], String.valueOf(kv[i + 1]));
        return m;
    }

    private static Built build(String name, Map<String, String> params, int initial) {
        return new Built(name, params, PolicyRegistry.withDefaults().create(name, params, initial));
    }

    /**
     * Closed loop as the engine runs it (each sample asks for the previous decision, the clock advances by the chunk's
     * read time plus a gap): every decision within [min, max], never more rows than asked at or above the policy's
     * growth ceiling (so never above its high mark), a short chunk never grows, the action matches the sizes.
     */
    private static void closedLoopContract(ChunkSizePolicy p, List<Step> steps, List<Long> gaps) {
        int rows = p.initialChunkRows();
        assertThat(rows).isBetween(p.minChunkRows(), p.maxChunkRows());
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            now += step.nanos() + gaps.get(i % gaps.size());
            PolicySample s = toSample(step, rows);
            PolicySample sample = new PolicySample(now, s.memoryUsedBytes(), s.memoryBudgetBytes(), s.chunkRows(),
                    s.lastChunkRows(), s.lastChunkBytes(), s.lastChunkNanos());
            ChunkDecision d = p.onSample(sample);
            assertThat(d.chunkRows()).as("within [min, max] at step %d", i)
                    .isBetween(p.minChunkRows(), p.maxChunkRows());
            assertThat(d.reason()).isNotBlank();
            if (sample.memoryFraction() >= p.growthCeiling()) {
                assertThat(d.chunkRows()).as("no growth at %s >= ceiling %s", sample.memoryFraction(),
                        p.growthCeiling()).isLessThanOrEqualTo(rows);
                assertThat(d.action()).isNotEqualTo(Action.GROW);
            }
            if (sample.lastChunkRows() < rows) {
                assertThat(d.chunkRows()).as("short chunk never grows").isLessThanOrEqualTo(rows);
            }
            if (d.action() == Action.GROW) assertThat(d.chunkRows()).isGreaterThan(rows);
            if (d.action() == Action.SHRINK) assertThat(d.chunkRows()).isLessThan(rows);
            if (d.action() == Action.HOLD) assertThat(d.chunkRows()).isEqualTo(rows);
            rows = d.chunkRows();
        }
    }

    @Provide
    Arbitrary<List<Long>> gaps() {
        return Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, 2_000_000_000L))
                .list().ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 300)
    void everyRegisteredPolicyWithDefaultsKeepsItsBounds(@ForAll("registeredNames") String name,
                                                         @ForAll("steps") List<Step> steps,
                                                         @ForAll("gaps") List<Long> gaps,
                                                         @ForAll @IntRange(min = -10, max = 1_000_000) int initial) {
        ChunkSizePolicy p = PolicyRegistry.withDefaults().create(name, Map.of(), Math.max(1, initial));
        closedLoopContract(p, steps, gaps);
    }

    @Property(tries = 500)
    void everyConfiguredPolicyKeepsItsBounds(@ForAll("configuredRivals") Built built,
                                             @ForAll("steps") List<Step> steps, @ForAll("gaps") List<Long> gaps) {
        closedLoopContract(built.policy(), steps, gaps);
    }

    @Property(tries = 300)
    void everyRegisteredPolicyOpenLoopNeverGrowsPastTheAskedSizeAboveItsCeiling(
            @ForAll("registeredNames") String name, @ForAll("steps") List<Step> steps,
            @ForAll @Size(min = 80, max = 80) List<@IntRange(min = 1, max = 10_000_000) Integer> asked) {
        ChunkSizePolicy p = PolicyRegistry.withDefaults().create(name, Map.of(), 1000);
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            now += steps.get(i).nanos() + 1;
            PolicySample s = toSample(steps.get(i), asked.get(i));
            PolicySample sample = new PolicySample(now, s.memoryUsedBytes(), s.memoryBudgetBytes(), s.chunkRows(),
                    s.lastChunkRows(), s.lastChunkBytes(), s.lastChunkNanos());
            ChunkDecision d = p.onSample(sample);
            int base = Math.max(p.minChunkRows(), Math.min(p.maxChunkRows(), asked.get(i)));
            assertThat(d.chunkRows()).isBetween(p.minChunkRows(), p.maxChunkRows());
            if (sample.memoryFraction() >= p.growthCeiling()) assertThat(d.chunkRows()).isLessThanOrEqualTo(base);
        }
    }

    @Property(tries = 200)
    void everyRegisteredPolicyIsDeterministic(@ForAll("registeredNames") String name,
                                              @ForAll("steps") List<Step> steps, @ForAll("gaps") List<Long> gaps) {
        assertThat(runTimed(name, steps, gaps)).isEqualTo(runTimed(name, steps, gaps));
    }

    private static List<ChunkDecision> runTimed(String name, List<Step> steps, List<Long> gaps) {
        ChunkSizePolicy p = PolicyRegistry.withDefaults().create(name, Map.of(), 1000);
        List<ChunkDecision> out = new ArrayList<>();
        int rows = p.initialChunkRows();
        long now = 0;
        for (int i = 0; i < steps.size(); i++) {
            now += steps.get(i).nanos() + gaps.get(i % gaps.size());
            PolicySample s = toSample(steps.get(i), rows);
            ChunkDecision d = p.onSample(new PolicySample(now, s.memoryUsedBytes(), s.memoryBudgetBytes(),
                    s.chunkRows(), s.lastChunkRows(), s.lastChunkBytes(), s.lastChunkNanos()));
            out.add(d);
            rows = d.chunkRows();
        }
        return out;
    }

    @Property(tries = 50)
    void everyBuiltInPolicyPromisesAGrowthCeiling(@ForAll("registeredNames") String name) {
        ChunkSizePolicy p = PolicyRegistry.withDefaults().create(name, Map.of(), 1000);
        assertThat(p.growthCeiling()).as(name).isLessThanOrEqualTo(1.5);
        assertThat(p.minChunkRows()).isLessThanOrEqualTo(p.maxChunkRows());
    }
}
