package io.polarway.cli;

import io.polarway.api.SourceFactory;
import io.polarway.api.SourceRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "sources", mixinStandardHelpOptions = true,
        description = "List the source types on the classpath with their options.")
final class SourcesCommand implements Callable<Integer> {
    @ParentCommand
    private Polarway root;

    @Override
    public Integer call() {
        List<SourceFactory> factories = SourceRegistry.withDefaults().list();
        if (factories.isEmpty()) {
            root.out().println("no source types registered");
            return Polarway.OK;
        }
        boolean first = true;
        for (SourceFactory f : factories) {
            if (!first) root.out().println();
            first = false;
            OptionListing.printComponent(root.out(), f.type(), f.aliases(), f.description(), f.options());
        }
        root.out().flush();
        return Polarway.OK;
    }
}
