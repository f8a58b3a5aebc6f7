package io.polarway.cli;

import io.polarway.policy.HysteresisGate;
import io.polarway.policy.PolicyFactory;
import io.polarway.policy.PolicyRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "policies", mixinStandardHelpOptions = true,
        description = "List the chunk-size policies with their parameters (set them with --policy-param KEY=VALUE).")
final class PoliciesCommand implements Callable<Integer> {
    @ParentCommand
    private Polarway root;

    @Override
    public Integer call() {
        boolean first = true;
        for (PolicyFactory f : PolicyRegistry.withDefaults().list()) {
            if (!first) root.out().println();
            first = false;
            OptionListing.printComponent(root.out(), f.name(), Set.of(), f.description(), f.options());
        }
        root.out().println();
        OptionListing.printComponent(root.out(), "backpressure gate", Set.of(),
                "pauses reading while memory is high; its parameters apply with every policy", HysteresisGate.OPTIONS);
        root.out().flush();
        return Polarway.OK;
    }
}
