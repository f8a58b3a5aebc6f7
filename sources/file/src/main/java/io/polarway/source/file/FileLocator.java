package io.polarway.source.file;

import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.Where;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a location into the files to read, in a deterministic order (sorted by path):
 * <ul>
 *   <li>a file: itself;</li>
 *   <li>a directory: its files, and with {@code recursive} those of its subdirectories too;</li>
 *   <li>a glob ({@code *}, {@code ?}, {@code [..]}, {@code {a,b}} in the path): the files under the glob's fixed
 *       prefix whose path matches it; {@code *} stays within one directory, {@code **} crosses any number of them
 *       (including none: {@code /data/**}{@code /*.parquet} also matches {@code /data/x.parquet}).</li>
 * </ul>
 * Hidden files (names starting with {@code .} or {@code _}, like {@code _SUCCESS} or {@code .crc} files) are skipped
 * in directories and globs. A {@code file:} URI is accepted as a location. Stateless.
 */
final class FileLocator {
    private FileLocator() {
    }

    /**
     * @throws ConfigException when nothing matches
     * @throws IoException     when a directory cannot be listed
     */
    static List<Path> resolve(String location, boolean recursive) {
        String loc = location.trim();
        if (loc.isEmpty()) throw new ConfigException("location", "the file location is empty", List.of(), null);
        if (loc.startsWith("file:")) {
            try {
                loc = Path.of(URI.create(loc)).toString();
            } catch (IllegalArgumentException e) {
                throw new ConfigException("location", "bad file URI '" + location + "': " + e.getMessage(), List.of(),
                        e);
            }
        }
        int glob = firstGlobChar(loc);
        List<Path> out;
        if (glob >= 0) {
            out = matchGlob(loc, glob);
            if (out.isEmpty()) {
                throw new ConfigException("location", "no file matches '" + location + "'", List.of(), null);
            }
            return out;
        }
        Path p;
        try {
            p = Path.of(loc);
        } catch (InvalidPathException e) {
            throw new ConfigException("location", "bad path '" + location + "': " + e.getMessage(), List.of(), e);
        }
        if (Files.isDirectory(p)) {
            out = walk(p, recursive ? Integer.MAX_VALUE : 1, f -> true);
            if (out.isEmpty()) {
                throw new ConfigException("location", "directory " + p + " holds no files"
                        + (recursive ? "" : " (set recursive=true to read its subdirectories)"), List.of(), null);
            }
            return out;
        }
        if (Files.isRegularFile(p)) return List.of(p);
        if (Files.exists(p)) {
            throw new IoException("not a regular file or directory: " + p, Where.resource(p.toString()), null);
        }
        throw new IoException("no such file or directory: " + p, Where.resource(p.toString()), null);
    }

    private static int firstGlobChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') return i;
        }
        return -1;
    }

    private static List<Path> matchGlob(String loc, int firstGlob) {
        int slash = loc.lastIndexOf('/', firstGlob);
        Path base = slash < 0 ? Path.of("") : Path.of(slash == 0 ? "/" : loc.substring(0, slash));
        String pattern = loc.substring(slash + 1);
        if (!Files.isDirectory(base.toString().isEmpty() ? Path.of(".") : base)) {
            throw new IoException("no such directory: " + base + " (the fixed part of '" + loc + "')",
                    Where.resource(base.toString()), null);
        }
        PathMatcher exact;
        PathMatcher noDirs;
        try {
            exact = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            // '**/' must also match no directory at all, which Java's glob syntax does not do by itself
            noDirs = pattern.contains("**/")
                    ? FileSystems.getDefault().getPathMatcher("glob:" + pattern.replace("**/", "")) : exact;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("location", "bad glob '" + loc + "': " + e.getMessage(), List.of(), e);
        }
        int depth = pattern.contains("**") ? Integer.MAX_VALUE : (int) pattern.chars().filter(c -> c == '/').count()
                + 1;
        Path root = base.toString().isEmpty() ? Path.of(".") : base;
        List<Path> found = walk(root, depth, f -> {
            Path rel = root.relativize(f);
            return exact.matches(rel) || noDirs.matches(rel);
        });
        if (base.toString().isEmpty()) {
            List<Path> relative = new ArrayList<>(found.size());
            for (Path f : found) relative.add(root.relativize(f));
            return relative;
        }
        return found;
    }

    private static List<Path> walk(Path dir, int depth, java.util.function.Predicate<Path> keep) {
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(f -> !f.equals(dir))
                    .filter(f -> !isHidden(dir.relativize(f)))
                    .filter(Files::isRegularFile)
                    .filter(keep)
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            throw new IoException("cannot list " + dir + ": " + e.getMessage(), Where.resource(dir.toString()), e);
        }
    }

    /** Whether any part of a relative path starts with '.' or '_'. */
    private static boolean isHidden(Path rel) {
        for (Path part : rel) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) return true;
        }
        return false;
    }
}
