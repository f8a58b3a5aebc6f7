package io.polarway.bench.runner;

import io.polarway.memory.CgroupSandbox;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Puts a benchmark JVM inside a VM profile's limits. In order of preference: a child cgroup (v1 or v2) with the
 * profile's RAM as the memory limit and its vCPUs as the CPU quota ({@link CgroupSandbox}); a transient systemd scope
 * ({@code systemd-run --user --scope -p MemoryMax=...}) where cgroups cannot be written but systemd delegates; and,
 * failing both, no confinement at all — the JVM's own limits only, and every result marked unconfined.
 *
 * <p>The JVM is started through a wrapper script (JMH's {@code -jvm}) that joins the group and {@code exec}s
 * {@code java}, so only the fork is limited, not the runner.
 */
public abstract class Confinement implements AutoCloseable {
    final VmProfile profile;
    final double cpuQuotaCores;
    final String note;

    Confinement(VmProfile profile, double cpuQuotaCores, String note) {
        this.profile = profile;
        this.cpuQuotaCores = cpuQuotaCores;
        this.note = note;
    }

    /** How the run is confined: {@code cgroup-v1}, {@code cgroup-v2}, {@code systemd-run} or {@code unconfined}. */
    public abstract String kind();

    /** Whether the memory limit is the kernel's (true) or only the JVM's own settings (false). */
    public abstract boolean confined();

    /** The memory limit in force, bytes (-1 when unconfined). */
    public abstract long limitBytes();

    /** The cgroup's OOM-kill counter (-1 when unknown: only a cgroup we created can be read). */
    public long oomKills() {
        return -1;
    }

    /** The cgroup's raw peak usage, page cache included (-1 when unknown). */
    public long peakRawBytes() {
        return -1;
    }

    /** Whether {@code command} exits 0 within 10 s (probing for systemd-run or a Docker daemon). */
    static boolean succeeds(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean done = p.waitFor(10, TimeUnit.SECONDS);
            if (!done) p.destroyForcibly();
            return done && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The sandbox, when this is a cgroup (for the CPU-credit controller). */
    public CgroupSandbox sandbox() {
        return null;
    }

    /** The CPU quota in cores (0 when none). */
    public double cpuQuotaCores() {
        return cpuQuotaCores;
    }

    /** What the report should say about the confinement (vCPUs capped to the machine, fallbacks). */
    public String note() {
        return note;
    }

    /** Writes the {@code -jvm} wrapper into {@code dir} and returns its path. */
    public abstract Path writeJvmWrapper(Path dir) throws IOException;

    @Override
    public void close() {
    }

    /**
     * Writes an executable {@code jvm.sh} in {@code dir}: the profile's environment (e.g. the glibc malloc settings
     * that let freed native memory go back to the kernel), then {@code body}.
     */
    Path script(Path dir, String body) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("jvm.sh");
        StringBuilder env = new StringBuilder();
        profile.jvm().env().forEach((k, v) -> env.append("export ").append(k).append("='").append(v).append("'\n"));
        Files.writeString(f, "#!/bin/sh\n" + env + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The best confinement available here for {@code profile}.
     *
     * @param groupName a unique name for the cgroup
     */
    public static Confinement create(VmProfile profile, String groupName) {
        int machineCores = Runtime.getRuntime().availableProcessors();
        double cores = Math.min(profile.vcpus(), machineCores);
        String cpuNote = profile.vcpus() > machineCores
                ? "profile has " + profile.vcpus() + " vCPUs, this machine " + machineCores + ": runs on all "
                + machineCores : "";
        CgroupSandbox.Availability a = CgroupSandbox.probe();
        if (a.available()) {
            try {
                CgroupSandbox box = CgroupSandbox.create(groupName, profile.ramBytes(), OptionalDouble.of(cores));
                String note = cpuNote + (box.cpuLimited() ? "" : (cpuNote.isEmpty() ? "" : "; ")
                        + "no writable cpu controller: CPU not limited");
                return new Cgroup(profile, box, box.cpuLimited() ? cores : 0, note);
            } catch (IOException e) {
                a = new CgroupSandbox.Availability(false, "cgroup creation failed: " + e.getMessage(), a.version(),
                        a.parentGroup());
            }
        }
        if (SystemdRun.works()) {
            return new SystemdRun(profile, cores, "no writable cgroup (" + a.reason() + "): using systemd-run --user"
                    + (cpuNote.isEmpty() ? "" : "; " + cpuNote));
        }
        if (Docker.works()) {
            return new Docker(profile, cores, groupName, "no writable cgroup (" + a.reason() + ") and no systemd-run: "
                    + "using docker run --memory (image " + Docker.image() + ")" + (cpuNote.isEmpty() ? "" : "; " + cpuNote));
        }
        return new Unconfined(profile, "UNCONFINED: " + a.reason() + "; neither systemd-run --user nor a Docker "
                + "daemon is available. Memory is limited only by the JVM's settings: an OOM kill cannot happen, so "
                + "the results prove nothing about the kernel limit");
    }

    /** A child cgroup with the profile's RAM as its limit. */
    static final class Cgroup extends Confinement {
        private final CgroupSandbox box;

        Cgroup(VmProfile profile, CgroupSandbox box, double cores, String note) {
            super(profile, cores, note);
            this.box = box;
        }

        @Override
        public String kind() {
            return "cgroup-" + box.version();
        }

        @Override
        public boolean confined() {
            return true;
        }

        @Override
        public long limitBytes() {
            return box.limitBytes();
        }

        @Override
        public long oomKills() {
            return box.oomKills();
        }

        @Override
        public long peakRawBytes() {
            return box.peakBytes();
        }

        @Override
        public CgroupSandbox sandbox() {
            return box;
        }

        @Override
        public Path writeJvmWrapper(Path dir) throws IOException {
            // the same join-then-exec as CgroupSandbox.wrapCommand, as a file because JMH's -jvm takes one path
            return script(dir, box.joinShell() + "exec '" + java() + "' \"$@\"\n");
        }

        @Override
        public void close() {
            box.close();
        }
    }

    /** A transient systemd scope (cgroup v2 delegation without root). */
    static final class SystemdRun extends Confinement {
        SystemdRun(VmProfile profile, double cores, String note) {
            super(profile, cores, note);
        }

        static boolean works() {
            return succeeds("systemd-run", "--user", "--scope", "-q", "true");
        }

        @Override
        public String kind() {
            return "systemd-run";
        }

        @Override
        public boolean confined() {
            return true;
        }

        @Override
        public long limitBytes() {
            return profile.ramBytes();
        }

        @Override
        public Path writeJvmWrapper(Path dir) throws IOException {
            return script(dir, String.format(Locale.ROOT, "exec systemd-run --user --scope -q -p MemoryMax=%d "
                            + "-p MemorySwapMax=0 -p CPUQuota=%d%% '%s' \"$@\"\n", profile.ramBytes(),
                    Math.round(cpuQuotaCores * 100), java()));
        }
    }

    /**
     * A Docker container with {@code --memory} (where a daemon runs but cgroups cannot be written directly). The
     * host's JDK, the benchmark classpath and the run folder are mounted at the same paths, and the container shares
     * the host network so the JMH fork reaches its host on 127.0.0.1. The image ({@code -Dbench.docker.image},
     * default {@code debian:bookworm-slim}) only needs the C library the host JDK links against. Not exercised on
     * the development machines (no Docker daemon there); a kill shows as the fork's exit code 137.
     */
    static final class Docker extends Confinement {
        private final String name;

        Docker(VmProfile profile, double cores, String name, String note) {
            super(profile, cores, note);
            this.name = name;
        }

        static String image() {
            return System.getProperty("bench.docker.image", "debian:bookworm-slim");
        }

        static boolean works() {
            return succeeds("docker", "info", "--format", "{{.ServerVersion}}");
        }

        @Override
        public String kind() {
            return "docker";
        }

        @Override
        public boolean confined() {
            return true;
        }

        @Override
        public long limitBytes() {
            return profile.ramBytes();
        }

        @Override
        public Path writeJvmWrapper(Path dir) throws IOException {
            StringBuilder mounts = new StringBuilder();
            String javaHome = System.getProperty("java.home");
            mounts.append(" -v '").append(javaHome).append("':'").append(javaHome).append("':ro");
            for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (entry.isBlank()) continue;
                String abs = Path.of(entry).toAbsolutePath().toString();
                mounts.append(" -v '").append(abs).append("':'").append(abs).append("':ro");
            }
            String run = dir.toAbsolutePath().toString();
            mounts.append(" -v '").append(run).append("':'").append(run).append("'");
            String tmp = System.getProperty("java.io.tmpdir");
            mounts.append(" -v '").append(tmp).append("':'").append(tmp).append("'");
            // a container does not inherit the wrapper's environment: pass the profile's explicitly
            profile.jvm().env().forEach((k, v) -> mounts.append(" -e '").append(k).append('=').append(v).append("'"));
            return script(dir, String.format(Locale.ROOT, "exec docker run --rm -i --network host --name '%s' "
                            + "--memory=%d --memory-swap=%d --cpus=%.2f%s '%s' '%s' \"$@\"\n", name,
                    profile.ramBytes(), profile.ramBytes(), cpuQuotaCores, mounts, image(), java()));
        }
    }

    /** No kernel limit: the JVM's settings only. */
    static final class Unconfined extends Confinement {
        Unconfined(VmProfile profile, String note) {
            super(profile, 0, note);
        }

        @Override
        public String kind() {
            return "unconfined";
        }

        @Override
        public boolean confined() {
            return false;
        }

        @Override
        public long limitBytes() {
            return -1;
        }

        @Override
        public Path writeJvmWrapper(Path dir) throws IOException {
            return script(dir, "exec '" + java() + "' \"$@\"\n");
        }
    }
}
