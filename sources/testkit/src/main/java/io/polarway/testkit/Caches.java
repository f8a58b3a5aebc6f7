package io.polarway.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where tools the build installs for itself (npm emulators, generated datasets) are cached, keyed by version, so a
 * machine downloads each once. The root is {@code $POLARWAY_CACHE}, else {@code ~/.cache/polarway}.
 */
public final class Caches {
    private Caches() {
    }

    public static Path root() {
        String env = System.getenv("POLARWAY_CACHE");
        Path p = env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "polarway");
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cache directory " + p, e);
        }
    }

    /**
     * Installs {@code npmPackage@version} once into {@code <root>/npm/<package>-<version>} (under a file lock, so
     * parallel test JVMs do not race) and returns that folder; its {@code node_modules} holds the package.
     *
     * @throws BackendStartException when npm is missing or the install fails
     */
    public static Path npmPackage(String npmPackage, String version, Duration timeout) {
        Path dir = root().resolve("npm").resolve(npmPackage.replace('/', '_').replace("@", "") + "-" + version);
        Path done = dir.resolve(".installed");
        if (Files.exists(done)) return dir;
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (Files.exists(done)) return dir;
                Path log = dir.resolve("npm-install.log");
                Process p = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                        "--prefix", dir.toString(), npmPackage + "@" + version))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new BackendStartException("npm install " + npmPackage + "@" + version + " took longer than "
                            + timeout + "; log " + log, null);
                }
                if (p.exitValue() != 0) {
                    throw new BackendStartException("npm install " + npmPackage + "@" + version + " failed (exit "
                            + p.exitValue() + "):\n" + ExternalProcess.tail(log, 30), null);
                }
                Files.writeString(done, version);
                return dir;
            }
        } catch (IOException e) {
            throw new BackendStartException("cannot install " + npmPackage + "@" + version + " with npm: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendStartException("interrupted installing " + npmPackage, e);
        }
    }

    /**
     * A jar from the local Maven repository ({@code -Dmaven.repo.local} if set, else {@code ~/.m2/repository}).
     * The module that needs it makes Maven download it, e.g. with {@code maven-dependency-plugin:copy} or a
     * dependency of a launcher module; this only finds it.
     *
     * @throws BackendStartException naming the expected path when the jar is missing
     */
    public static Path mavenJar(String groupId, String artifactId, String version, String classifier) {
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank() ? Path.of(repo)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        String file = artifactId + "-" + version + (classifier == null || classifier.isEmpty() ? "" : "-" + classifier)
                + ".jar";
        Path jar = root.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version).resolve(file);
        if (!Files.isRegularFile(jar)) {
            throw new BackendStartException(jar + " is not in the local Maven repository: declare "
                    + groupId + ":" + artifactId + ":" + version + (classifier != null ? ":" + classifier : "")
                    + " in the module's pom so the build downloads it", null);
        }
        return jar;
    }
}
