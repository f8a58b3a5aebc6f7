package io.polarway.bench.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polarway.bench.sim.PolicySpec;
import io.polarway.profile.VmProfile;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One whole scenario under one VM profile, as a single-shot JMH benchmark: the score is the time to stream the
 * dataset; {@link ScenarioProfiler} adds rows, throughput, peak working set, GC time and pauses as secondary results.
 * The bench runner ({@code io.polarway.bench.runner.BenchSuite}) runs each fork inside the profile's cgroup through
 * JMH's {@code -jvm} wrapper; run by hand (unconfined) it still works:
 *
 * <pre>java -jar bench/target/benchmarks.jar ScenarioBenchmark -p scenario=steady-generate -p profile=B1s
 *     -p suite=smoke -prof io.polarway.bench.scenario.ScenarioProfiler</pre>
 *
 * <p>System property {@code bench.run.dir} names a folder for the timeline ({@code timeline.jsonl}) and the summary
 * ({@code summary.json}); default: a temp folder. {@code bench.policy} (a policy name, or {@code profile} for the VM
 * profile's recommended one) and {@code bench.policy.params} ({@code k=v,k=v}) run the scenario with another policy.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(1)
public class ScenarioBenchmark {
    @Param({"steady-generate"})
    public String scenario;

    @Param({"B1s"})
    public String profile;

    @Param({"smoke"})
    public String suite;

    private Scenario sc;
    private VmProfile vm;
    private Path runDir;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        sc = Scenario.load(scenario);
        // -Dbench.policy / -Dbench.policy.params (passed to the fork by the runner): the same scenario, another policy
        String policy = System.getProperty("bench.policy", "");
        if (!policy.isBlank()) {
            sc = sc.withPolicy(policy.trim(),
                    PolicySpec.parseParams(System.getProperty("bench.policy.params", "")));
        }
        vm = VmProfile.load(profile);
        String dir = System.getProperty("bench.run.dir");
        runDir = dir != null ? Path.of(dir) : Files.createTempDirectory("polarway-scenario-");
        Files.createDirectories(runDir);
    }

    @Benchmark
    public long run() throws Exception {
        ScenarioRun.Result r = new ScenarioRun(sc, vm, suite, runDir.resolve("timeline.jsonl")).execute();
        ScenarioProfiler.record(r);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(runDir.resolve("summary.json").toFile(), r.toMap());
        return r.rows();
    }
}
