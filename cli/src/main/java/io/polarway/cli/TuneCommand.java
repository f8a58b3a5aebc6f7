package io.polarway.cli;

import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.sim.ParamGrid;
import io.polarway.bench.sim.PolicySpec;
import io.polarway.bench.sim.Tune;
import io.polarway.error.ConfigException;
import io.polarway.policy.PolicyRegistry;
import io.polarway.profile.VmProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code polarway tune}: simulates chunk-size policies on a bench scenario under a VM profile — each policy's
 * defaults, a grid or random search over its thresholds and factors, and the oracle (the best fixed chunk size in
 * hindsight) — and prints the comparison; with {@code --out}, also the CSV of every configuration, the Pareto chart
 * (SVG) and the table (Markdown). The simulator runs the engine's own policy classes (see
 * {@code io.polarway.bench.sim.Simulator}); {@code --trace} calibrates its workload from a recorded bench run.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Simulate chunk-size policies on a bench scenario under a VM profile: defaults, a grid or "
                + "random search, and the best fixed size in hindsight (the oracle).")
final class TuneCommand implements Callable<Integer> {
    @ParentCommand
    private Polarway root;

    @Option(names = "--profile", required = true, paramLabel = "VM",
            description = "VM profile (B1s, B2s, B4ms, t3.micro, t3.medium, t3.xlarge).")
    String profile;

    @Option(names = "--scenario", required = true, paramLabel = "NAME",
            description = "Bench scenario (scenarios/NAME.yaml), e.g. steady-generate.")
    String scenario;

    @Option(names = "--policies", split = ",", paramLabel = "NAME",
            description = "Policies to compare (default: guide,aimd,drain,gradient); 'profile' is the profile's "
                    + "recommended configuration.")
    List<String> policies = new ArrayList<>(List.of("guide", "aimd", "drain", "gradient"));

    @Option(names = "--grid", paramLabel = "[POLICY:]KEY=V1,V2|LO..HI",
            description = "A parameter to sweep; repeatable. Unscoped keys apply to every policy that has them "
                    + "(pause_above, resume_below to all). LO..HI ranges need --random. Replaces the built-in grid.")
    List<String> grid = new ArrayList<>();

    @Option(names = "--defaults-only", description = "No sweep: each policy's defaults and the oracle only.")
    boolean noDefaultGrid;

    @Option(names = "--random", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Random search: N points per policy drawn from the grid's values and ranges.")
    Integer random;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of --random (default 1).")
    long seed = 1;

    @Option(names = "--size", paramLabel = "SUITE", description = "The scenario's data size: smoke, default (the "
            + "default) or full.")
    String size = "default";

    @Option(names = "--trace", paramLabel = "PATH",
            description = "A recorded run (timeline.jsonl or its folder, from the bench suite) to calibrate the "
                    + "workload from.")
    Path trace;

    @Option(names = "--traced-policy", paramLabel = "NAME[:K=V,...]",
            description = "The policy the --trace run used (default: the scenario's).")
    String tracedPolicy;

    @Option(names = "--cpus", paramLabel = "CORES", description = "CPU for the workload (default: the profile's "
            + "vCPUs).")
    double cpus;

    @Option(names = "--synthetic", description = "Also sweep the synthetic variants (rows widening mid-stream, a "
            + "consumer ten times slower).")
    boolean synthetic;

    @Option(names = "--out", paramLabel = "DIR", description = "Write sweep.csv, table.md and pareto-*.svg here.")
    Path out;

    @Option(names = "--threads", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Simulations in parallel (default: the available processors).")
    Integer threads;

    @Option(names = "--margin", paramLabel = "FRACTION",
            description = "Share of the budget the best configuration must leave free for the simulator's error "
                    + "(default 0.10).")
    double margin = io.polarway.bench.sim.Sweep.DEFAULT_MARGIN;

    @Option(names = {"--verbose", "-v"}, description = "Print stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        Tune tune;
        try {
            VmProfile p = VmProfile.load(profile);
            Scenario sc = Scenario.load(scenario);
            if (!List.of("smoke", "default", "full").contains(size)) {
                throw new ConfigException("size", "unknown size '" + size + "'", List.of("smoke", "default", "full"),
                        null);
            }
            List<String> names = new ArrayList<>();
            PolicyRegistry registry = PolicyRegistry.withDefaults();
            for (String n : policies) {
                String name = n.trim();
                if (!name.equals(PolicySpec.PROFILE)) name = registry.get(name).name();
                names.add(name);
            }
            // explicit --grid entries replace the built-in grid
            ParamGrid g = !grid.isEmpty() ? ParamGrid.parse(grid)
                    : noDefaultGrid ? ParamGrid.empty() : ParamGrid.defaults(p);
            PolicySpec traced = null;
            if (tracedPolicy != null) {
                int colon = tracedPolicy.indexOf(':');
                traced = colon < 0 ? PolicySpec.of(tracedPolicy)
                        : new PolicySpec(tracedPolicy.substring(0, colon),
                        PolicySpec.parseParams(tracedPolicy.substring(colon + 1)));
            }
            tune = new Tune(p, sc, size, names, g, random == null ? 0 : random, seed, trace, traced, cpus, synthetic,
                    out, threads == null ? Runtime.getRuntime().availableProcessors() : threads, margin);
        } catch (IllegalArgumentException e) {
            // unknown scenario, malformed grid entries: configuration errors
            throw new ConfigException(null, e.getMessage() == null ? e.toString() : e.getMessage(), List.of(), e);
        }
        root.out().println("polarway tune: " + scenario + " on " + profile + " (simulated; the engine's policy "
                + "classes against a model of the stream and the consumer)");
        tune.run(root.out());
        root.out().flush();
        return Polarway.OK;
    }
}
