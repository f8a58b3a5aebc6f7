package io.polarway.bench.micro;

import io.polarway.policy.ChunkDecision;
import io.polarway.policy.ChunkSizePolicy;
import io.polarway.policy.HysteresisGate;
import io.polarway.policy.PolicyRegistry;
import io.polarway.policy.PolicySample;
import io.polarway.policy.PolicySettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one policy step costs: a chunk-size decision plus a backpressure-gate decision, as the stream makes after every
 * chunk. The samples cycle through memory fractions that cross every band (grow, hold, shrink, pause, resume), so all
 * branches are taken. A step must be negligible next to reading a chunk (microseconds to seconds). The rivals
 * ({@code aimd}, {@code drain}, {@code gradient}) intern their decisions and use fixed reason texts, so once the cycle
 * repeats a step allocates nothing ({@code -prof gc}: {@code gc.alloc.rate.norm} ≈ 0 B/op); the guide's policy
 * builds its reason text with the measured values on every step.
 *
 * <pre>java -jar bench/target/benchmarks.jar PolicyStepBenchmark -f 1 -wi 3 -i 5 -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyStepBenchmark {
    private static final long BUDGET = 1L << 30;

    @Param({"guide", "fixed", "aimd", "drain", "gradient"})
    public String policy;

    private ChunkSizePolicy chunkPolicy;
    private HysteresisGate gate;
    private PolicySample[] samples;
    private int next;
    private Inject inject;

    @Setup
    public void setUp() {
        PolicySettings settings = PolicySettings.from(PolicyRegistry.withDefaults(), policy, Map.of(), 10_000);
        inject = Inject.forBenchmark(PolicyStepBenchmark.class);
        chunkPolicy = settings.policy();
        gate = (HysteresisGate) settings.gate();
        double[] fractions = {0.30, 0.45, 0.60, 0.75, 0.85, 0.92, 0.95, 0.80, 0.65, 0.40};
        samples = new PolicySample[fractions.length];
        for (int i = 0; i < fractions.length; i++) {
            samples[i] = new PolicySample(i * 1_000_000L, (long) (fractions[i] * BUDGET), BUDGET, 10_000, 10_000,
                    10_000 * 64L, 2_000_000L);
        }
    }

    @Benchmark
    public int step() {
        int r = oneStep();
        if (inject.repeat()) r += oneStep();
        return r;
    }

    private int oneStep() {
        PolicySample s = samples[next];
        next = next + 1 == samples.length ? 0 : next + 1;
        ChunkDecision d = chunkPolicy.onSample(s);
        return gate.onSample(s.memoryFraction()) ? -d.chunkRows() : d.chunkRows();
    }
}
