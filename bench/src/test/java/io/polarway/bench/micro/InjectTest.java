package io.polarway.bench.micro;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InjectTest {
    @AfterEach
    void clear() {
        System.clearProperty("bench.inject");
    }

    @Test
    void repeatsTheOperationOnTheInjectedShareOfCalls() {
        System.setProperty("bench.inject", "PolicyStepBenchmark:1.25");
        Inject hit = Inject.forBenchmark("PolicyStepBenchmark");
        Inject other = Inject.forBenchmark("ArrowBuildBenchmark");
        int repeats = 0;
        int others = 0;
        for (int i = 0; i < 1000; i++) {
            if (hit.repeat()) repeats++;
            if (other.repeat()) others++;
        }
        assertThat(repeats).isEqualTo(250);
        assertThat(others).isZero();
    }

    @Test
    void nothingWithoutThePropertyAndBadSpecsFail() {
        Inject none = Inject.forBenchmark("PolicyStepBenchmark");
        for (int i = 0; i < 100; i++) assertThat(none.repeat()).isFalse();
        System.setProperty("bench.inject", "PolicyStepBenchmark");
        assertThatThrownBy(() -> Inject.forBenchmark("x")).isInstanceOf(IllegalArgumentException.class);
        System.setProperty("bench.inject", "PolicyStepBenchmark:3");
        assertThatThrownBy(() -> Inject.forBenchmark("x")).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * JMH runs a generated subclass of the benchmark's state ({@code ArrowBuildBenchmark_jmhType}...), whose simple
     * name never matched when the benchmarks passed {@code getClass()}: the gate experiment's injected slowdown then
     * did nothing. The benchmarks now pass their class literal.
     */
    @Test
    void theClassLiteralNamesTheBenchmark() {
        System.setProperty("bench.inject", "ArrowBuildBenchmark:1.20");
        Inject hit = Inject.forBenchmark(ArrowBuildBenchmark.class);
        int repeats = 0;
        for (int i = 0; i < 1000; i++) if (hit.repeat()) repeats++;
        assertThat(repeats).isEqualTo(200);
    }
}
