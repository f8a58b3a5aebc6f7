package io.polarway.bench.micro;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The machine's speed, for the regression gate: a fixed mix of integer work (sorting 64 Ki pseudo-random ints) and
 * memory traffic (summing 16 MiB) that no project change can affect. The gate divides every score by this one, run in
 * the same suite, so a baseline recorded on one machine can judge a run on a faster or slower one.
 *
 * <pre>java -jar bench/target/benchmarks.jar CalibrationBenchmark -f 1</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CalibrationBenchmark {
    private int[] source;
    private int[] work;
    private long[] memory;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(42);
        source = r.ints(1 << 16).toArray();
        work = new int[source.length];
        memory = r.longs(1 << 21).toArray();
    }

    @Benchmark
    public long work() {
        System.arraycopy(source, 0, work, 0, source.length);
        Arrays.sort(work);
        long sum = work[work.length / 2];
        for (long v : memory) sum += v;
        return sum;
    }
}
