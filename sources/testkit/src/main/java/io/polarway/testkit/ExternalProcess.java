package io.polarway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * A server run as its own OS process (an emulator, a broker, a child JVM under test), with its output in a log file.
 * {@link Builder#start()} returns only once the process is ready (its port accepts connections, or its log shows a
 * line), or throws {@link BackendStartException} with the log's tail. {@link #close()} stops it — SIGTERM, then
 * SIGKILL after a grace period, descendants included — and a JVM shutdown hook does the same for anything a test
 * forgot. {@link #kill()} is SIGKILL at once, for fault tests.
 *
 * <p>The handle is the server's own process (not a shell wrapper): start programs directly, not through {@code sh -c}.
 * Thread-safe.
 */
public final class ExternalProcess implements AutoCloseable {
    private static final Set<ExternalProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(p -> p.stop(Duration.ofSeconds(2))),
                "external-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    /** The log is a temporary file this class created (not one the caller named): {@link #close} deletes it. */
    private final boolean temporaryLog;

    private ExternalProcess(String name, Process process, Path log, boolean temporaryLog) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.temporaryLog = temporaryLog;
        LIVE.add(this);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The path of {@code java} of the running JVM, to start child JVMs with the same runtime. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public long pid() {
        return process.pid();
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The underlying process, e.g. to wait for its exit code. */
    public Process process() {
        return process;
    }

    /** The last {@code lines} lines of the log (for failure messages). */
    public String logTail(int lines) {
        return tail(log, lines);
    }

    /** SIGKILL now, descendants first; returns once the process is gone. */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
        LIVE.remove(this);
    }

    /**
     * SIGTERM, then SIGKILL if still alive after {@code grace}; descendants too; then deletes the log if it was a
     * temporary file this class created (a log the caller named is the caller's). Idempotent.
     */
    public void stop(Duration grace) {
        terminate(grace);
        if (temporaryLog) {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // a log left in the temp directory is harmless
            }
        }
    }

    /** {@link #stop} keeping the log (a process that failed to start: the error names its log). */
    private void terminate(Duration grace) {
        if (process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            if (!waitFor(grace)) {
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(30));
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        LIVE.remove(this);
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + (process.isAlive() ? "" : ", exited") + ", log " + log + "]";
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) return "(no log)";
            List<String> all = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Configures and starts an {@link ExternalProcess}. */
    public static final class Builder {
        private final String name;
        private final List<String> command = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Path directory;
        private Path log;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final List<BooleanSupplier> readiness = new ArrayList<>();
        private final List<String> readinessNames = new ArrayList<>();
        private Pattern logPattern;


        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder command(List<String> cmd) {
            command.clear();
            command.addAll(cmd);
            return this;
        }

        public Builder command(String... cmd) {
            return command(List.of(cmd));
        }

        /** A child JVM of the running Java, with {@code jvmArgs}, {@code -cp classpath}, {@code mainClass} and args. */
        public Builder java(List<String> jvmArgs, String classpath, String mainClass, List<String> args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(javaBinary());
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(mainClass);
            cmd.addAll(args);
            return command(cmd);
        }

        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Where stdout and stderr go (appended); defaults to a temp file named after the process. */
        public Builder log(Path file) {
            this.log = file;
            return this;
        }

        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        /** Ready once 127.0.0.1:{@code port} accepts connections. */
        public Builder readyWhenPortOpen(int port) {
            readiness.add(() -> Ports.isOpen(port, Duration.ofMillis(200)));
            readinessNames.add("port " + port + " open");
            return this;
        }

        /** Ready once a log line matches {@code regex}. */
        public Builder readyWhenLogMatches(String regex) {
            this.logPattern = Pattern.compile(regex, Pattern.MULTILINE);
            readinessNames.add("log matches /" + regex + "/");
            return this;
        }

        /** Ready once {@code check} holds (e.g. an HTTP health call answers). */
        public Builder readyWhen(String what, BooleanSupplier check) {
            readiness.add(check);
            readinessNames.add(what);
            return this;
        }

        /**
         * Starts the process and waits until every readiness condition holds.
         *
         * @throws BackendStartException if it exits or is not ready within the start timeout (the process is killed)
         */
        public ExternalProcess start() {
            if (command.isEmpty()) throw new IllegalStateException("no command for " + name);
            Path logFile = log;
            try {
                if (logFile == null) logFile = Files.createTempFile("polarway-" + name + "-", ".log");
                Files.createDirectories(logFile.toAbsolutePath().getParent());
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
                if (directory != null) pb.directory(directory.toFile());
                pb.environment().putAll(env);
                ExternalProcess p = new ExternalProcess(name, pb.start(), logFile, log == null);
                long deadline = System.nanoTime() + startTimeout.toNanos();
                while (!ready(logFile)) {
                    if (!p.process.isAlive()) {
                        p.terminate(Duration.ZERO);
                        throw new BackendStartException(name + " exited with code " + p.process.exitValue()
                                + " before it was ready (" + String.join(", ", readinessNames) + "); log "
                                + logFile + ":\n" + tail(logFile, 40), null);
                    }
                    if (System.nanoTime() > deadline) {
                        p.terminate(Duration.ofSeconds(2));
                        throw new BackendStartException(name + " not ready within " + startTimeout + " ("
                                + String.join(", ", readinessNames) + "); log " + logFile + ":\n" + tail(logFile, 40),
                                null);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                return p;
            } catch (IOException e) {
                throw new BackendStartException("cannot start " + name + " (" + command.get(0) + "): " + e, e);
            }
        }

        private boolean ready(Path logFile) {
            for (BooleanSupplier r : readiness) {
                if (!r.getAsBoolean()) return false;
            }
            if (logPattern != null) {
                try {
                    if (!Files.exists(logFile)) return false;
                    // bytes, not readAllLines: a log with invalid UTF-8 must not hide the ready line
                    String text = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8);
                    return logPattern.matcher(text).find();
                } catch (IOException | UncheckedIOException e) {
                    return false;
                }
            }
            return true;
        }
    }
}
