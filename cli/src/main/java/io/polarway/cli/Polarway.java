package io.polarway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The {@code polarway} command. {@link #run} runs it in-process (tests), {@link #main} as a program.
 *
 * <p>Errors print one line on stderr, {@code polarway: error: <kind>: <message>}, and exit non-zero:
 * {@value #USAGE} for usage and configuration errors, {@value #MEMORY_LIMIT} for memory-limit errors,
 * {@value #FAILED} for any other error. Stack traces only with {@code --verbose}.
 */
@Command(name = "polarway", mixinStandardHelpOptions = true, versionProvider = Polarway.Version.class,
        description = "Adaptive, memory-bounded streaming of large data into Apache Arrow.",
        subcommands = {StreamCommand.class, SourcesCommand.class, PoliciesCommand.class, TuneCommand.class,
                CommandLine.HelpCommand.class})
public final class Polarway implements Callable<Integer> {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int MEMORY_LIMIT = 3;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    @Spec
    private CommandSpec spec;

    private Polarway(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        configureLogging(args);
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Runs the command line and returns the exit code; never calls {@link System#exit}. The live progress line is
     * shown only when this JVM has a terminal ({@link System#console()}).
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(out, err, System.console() != null, args);
    }

    static int run(PrintStream out, PrintStream err, boolean terminal, String... args) {
        Polarway root = new Polarway(out, err, terminal);
        CommandLine cl = new CommandLine(root);
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        cl.setParameterExceptionHandler((ex, a) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            root.report(Failure.usage(ex.getMessage() + " (see '" + command + " --help')", ex), false);
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.subcommand() != null
                    && parseResult.subcommand().hasMatchedOption("--verbose");
            Failure f = Failure.of(ex);
            root.report(f, verbose);
            return f.exitCode();
        });
        try {
            return cl.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
            out.flush();
            err.flush();
        }
    }

    /** {@code polarway} with no subcommand: the usage on stderr, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return USAGE;
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    boolean terminal() {
        return terminal;
    }

    /** Prints the one error line (and, when verbose, the stack trace). */
    synchronized void report(Failure failure, boolean verbose) {
        err.println(failure.line());
        if (verbose && failure.cause() != null) failure.cause().printStackTrace(err);
        err.flush();
    }

    /**
     * Keeps slf4j-simple quiet so that an error is one line: errors only, or info with {@code --verbose}, unless
     * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel} says otherwise.
     */
    private static void configureLogging(String[] args) {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) != null) return;
        boolean verbose = false;
        for (String a : args) verbose |= a.equals("--verbose") || a.equals("-v");
        System.setProperty(key, verbose ? "info" : "error");
    }

    /** {@code polarway --version}: versions from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (InputStream in = Polarway.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[]{
                    "polarway " + p.getProperty("version", "unknown"),
                    "Apache Arrow " + p.getProperty("arrow", "unknown") + ", Java " + System.getProperty("java.version")
                            + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
