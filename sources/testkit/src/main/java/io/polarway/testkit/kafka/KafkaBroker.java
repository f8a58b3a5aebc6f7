package io.polarway.testkit.kafka;

import io.polarway.testkit.BackendStartException;
import io.polarway.testkit.ExternalProcess;
import io.polarway.testkit.Ports;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker (KRaft, broker and controller in one process) run as its own JVM on 127.0.0.1, for tests
 * and benchmarks. The broker's classpath comes from the {@code polarway-kafka-broker} module (a resource listing the
 * jars the build resolved), so none of the broker's jars is on the caller's classpath.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.builder().start()) {
 *     String bootstrap = broker.bootstrapServers();
 *     ...
 *     broker.kill();      // SIGKILL, for fault tests
 *     broker.restart();   // same ports, same log directory: committed data and offsets survive
 * }
 * }</pre>
 *
 * <p>The configuration is the one that works on a single node: every internal topic with replication factor 1
 * (without it a consumer group never finds its coordinator) and no initial rebalance delay. Start takes ~3 s plus
 * ~3–7 s for the storage format. Callers decide what an unavailable broker means through
 * {@link io.polarway.testkit.Backends} (fail under CI, skip elsewhere). Thread-safe; {@link #close()} stops the
 * process and deletes its directory.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The resource written by the {@code polarway-kafka-broker} module's build. */
    public static final String CLASSPATH_RESOURCE = "/io/polarway/testkit/kafka/kafka-broker.classpath";

    private final Builder settings;
    private final Path directory;
    private final int port;
    private final int controllerPort;
    private final int saslPort;
    private final String classpath;
    private volatile ExternalProcess process;
    private int starts;

    private KafkaBroker(Builder b, Path directory, String classpath) {
        this.settings = b;
        this.directory = directory;
        this.classpath = classpath;
        this.port = Ports.free();
        this.controllerPort = Ports.free();
        this.saslPort = b.saslUsers.isEmpty() ? -1 : Ports.free();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A broker with the defaults, started. */
    public static KafkaBroker start() {
        return builder().start();
    }

    /** The broker's jars, from the resource the build wrote. */
    public static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new BackendStartException("resource " + CLASSPATH_RESOURCE + " is missing: the polarway-kafka-broker"
                        + " module must be built first (it is a dependency of polarway-testkit)", null);
            }
            String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String jar : cp.split(java.io.File.pathSeparator)) {
                if (!Files.isRegularFile(Path.of(jar))) {
                    throw new BackendStartException("broker jar " + jar + " is missing: rebuild polarway-kafka-broker"
                            + " on this machine (the classpath resource holds the building machine's paths)", null);
                }
            }
            return cp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:port} of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:port} of the SASL_PLAINTEXT (PLAIN) listener; only with {@link Builder#saslUser}. */
    public String saslBootstrapServers() {
        if (saslPort < 0) throw new IllegalStateException("broker started without SASL users");
        return "127.0.0.1:" + saslPort;
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return directory;
    }

    /** The broker's log (stdout and stderr). */
    public Path log() {
        return directory.resolve("broker.log");
    }

    public boolean isAlive() {
        ExternalProcess p = process;
        return p != null && p.isAlive();
    }

    /** The broker process's id, while it runs. */
    public long pid() {
        ExternalProcess p = process;
        if (p == null) throw new IllegalStateException("broker is not running");
        return p.pid();
    }

    /** SIGKILL: no controlled shutdown, no flush beyond what the OS holds. Data written so far stays on disk. */
    public synchronized void kill() {
        ExternalProcess p = process;
        if (p != null) p.kill();
        process = null;
    }

    /** SIGTERM with a grace period (a controlled shutdown), then SIGKILL. */
    public synchronized void stop() {
        ExternalProcess p = process;
        if (p != null) p.stop(Duration.ofSeconds(20));
        process = null;
    }

    /** Starts the broker again on the same ports and log directory, after {@link #kill()} or {@link #stop()}. */
    public synchronized void restart() {
        if (isAlive()) throw new IllegalStateException("broker is running");
        launch();
    }

    private synchronized KafkaBroker startFirst() {
        try {
            Files.writeString(directory.resolve("server.properties"), serverProperties());
            format();
            launch();
            return this;
        } catch (IOException e) {
            throw new BackendStartException("cannot prepare the Kafka broker in " + directory + ": " + e, e);
        } catch (RuntimeException e) {
            deleteDirectory();
            throw e;
        }
    }

    private String serverProperties() {
        StringBuilder p = new StringBuilder();
        String listeners = "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
        String advertised = "PLAINTEXT://127.0.0.1:" + port;
        if (saslPort > 0) {
            listeners += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
            advertised += ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        }
        line(p, "process.roles", "broker,controller");
        line(p, "node.id", "1");
        line(p, "controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        line(p, "listeners", listeners);
        line(p, "advertised.listeners", advertised);
        line(p, "controller.listener.names", "CONTROLLER");
        line(p, "inter.broker.listener.name", "PLAINTEXT");
        line(p, "listener.security.protocol.map",
                "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT" + (saslPort > 0 ? ",SASL_PLAINTEXT:SASL_PLAINTEXT" : ""));
        line(p, "log.dirs", directory.resolve("data").toString());
        // One node: every internal topic must have replication factor 1, or the group coordinator never comes up.
        line(p, "offsets.topic.replication.factor", "1");
        line(p, "offsets.topic.num.partitions", "1");
        line(p, "transaction.state.log.replication.factor", "1");
        line(p, "transaction.state.log.min.isr", "1");
        line(p, "share.coordinator.state.topic.replication.factor", "1");
        line(p, "group.initial.rebalance.delay.ms", "0");
        line(p, "num.partitions", "1");
        line(p, "auto.create.topics.enable", "false");
        // Fault tests shorten consumers' session and poll intervals below the broker's defaults.
        line(p, "group.min.session.timeout.ms", "1000");
        if (saslPort > 0) {
            line(p, "sasl.enabled.mechanisms", "PLAIN");
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            settings.saslUsers.forEach(u -> jaas.append(" user_").append(u[0]).append("=\"").append(u[1]).append('"'));
            jaas.append(';');
            line(p, "listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.toString());
        }
        for (String[] kv : settings.extra) line(p, kv[0], kv[1]);
        return p.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        // properties escaping: backslashes would be eaten (Windows paths, regexes)
        sb.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n');
    }

    private List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-Xmx" + settings.heapMb + "m");
        args.add("-Xms" + Math.min(256, settings.heapMb) + "m");
        args.add("-Djava.awt.headless=true");
        args.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        args.add("-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info");
        args.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        return args;
    }

    private void format() throws IOException {
        Path log = directory.resolve("format.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(ExternalProcess.javaBinary());
        cmd.addAll(jvmArgs());
        cmd.addAll(List.of("-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c",
                directory.resolve("server.properties").toString(), "--standalone"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(settings.startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new BackendStartException("kafka storage format took longer than " + settings.startTimeout
                        + "; log " + log + ":\n" + tail(log), null);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackendStartException("interrupted while formatting Kafka storage", e);
        }
        if (p.exitValue() != 0) {
            throw new BackendStartException("kafka storage format failed (exit " + p.exitValue() + "):\n" + tail(log),
                    null);
        }
    }

    private void launch() {
        starts++;
        process = ExternalProcess.builder("kafka-broker")
                .java(jvmArgs(), classpath, "kafka.Kafka", List.of(directory.resolve("server.properties").toString()))
                .log(log())
                .startTimeout(settings.startTimeout)
                .readyWhenPortOpen(port)
                // the n-th start must find its own "started" line, not the previous run's
                .readyWhen("log shows start " + starts, () -> countStarted() >= starts)
                .start();
    }

    private int countStarted() {
        try {
            if (!Files.exists(log())) return 0;
            String text = new String(Files.readAllBytes(log()), StandardCharsets.UTF_8);
            int n = 0;
            for (int i = text.indexOf("Kafka Server started"); i >= 0; i = text.indexOf("Kafka Server started", i + 1)) {
                n++;
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
                b[8 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
            }
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (!id.startsWith("-")) return id; // Kafka's own rule: an id must not look like a flag
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void deleteDirectory() {
        if (!settings.deleteOnClose) return;
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort: a temp directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Stops the broker (controlled shutdown, then SIGKILL) and deletes its directory. */
    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            deleteDirectory();
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + ", " + (isAlive() ? "running" : "stopped") + ", dir " + directory
                + "]";
    }

    /** Configures a {@link KafkaBroker}. */
    public static final class Builder {
        private Path directory;
        private int heapMb = 512;
        private Duration startTimeout = Duration.ofSeconds(90);
        private boolean deleteOnClose = true;
        private final List<String[]> saslUsers = new ArrayList<>();
        private final List<String[]> extra = new ArrayList<>();

        private Builder() {
        }

        /** Where the broker keeps its configuration, data and log (default: a new temp directory). */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        public Builder heapMb(int mb) {
            this.heapMb = mb;
            return this;
        }

        public Builder startTimeout(Duration d) {
            this.startTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Keep the directory after {@link KafkaBroker#close()} (to read the log). */
        public Builder keepDirectory() {
            this.deleteOnClose = false;
            return this;
        }

        /** Adds a SASL_PLAINTEXT listener (mechanism PLAIN) that accepts this user. */
        public Builder saslUser(String user, String password) {
            saslUsers.add(new String[]{user, password});
            return this;
        }

        /** Any other {@code server.properties} entry. */
        public Builder property(String key, String value) {
            extra.add(new String[]{key, value});
            return this;
        }

        /**
         * Formats the storage and starts the broker; returns once it accepts connections and has logged its start.
         *
         * @throws BackendStartException with the log's tail when it does not come up
         */
        public KafkaBroker start() {
            String cp = brokerClasspath();
            Path dir;
            try {
                dir = directory != null ? Files.createDirectories(directory)
                        : Files.createTempDirectory("polarway-kafka-");
            } catch (IOException e) {
                throw new BackendStartException("cannot create a directory for the Kafka broker: " + e, e);
            }
            return new KafkaBroker(this, dir, cp).startFirst();
        }
    }
}
