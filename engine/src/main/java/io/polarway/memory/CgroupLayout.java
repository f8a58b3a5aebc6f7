package io.polarway.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where this process's cgroups are: parsed once from {@code /proc/self/cgroup} and {@code /proc/self/mountinfo}, with
 * every path resolved under an injectable filesystem root (so tests run on fake trees). Never throws on bad input: an
 * unreadable or malformed file simply yields no location. Also holds the small, exception-free file readers shared by
 * {@link CgroupMemory} and {@link CgroupSandbox}.
 */
final class CgroupLayout {

    /** One cgroup mount from mountinfo. {@code root} is the mount's root inside the hierarchy (field 4). */
    record Mount(String root, String mountPoint, String fsType, Set<String> superOptions, Set<String> mountOptions) {
        boolean readOnly() {
            return mountOptions.contains("ro");
        }
    }

    /**
     * A resolved group.
     *
     * @param mount         the mount it lives in
     * @param mountDir      the mount point under the filesystem root
     * @param groupDir      the group's directory (the mount root itself when the path from /proc/self/cgroup does
     *                      not exist under the mount, as inside a container)
     * @param cgroupPath    the path as /proc/self/cgroup gives it
     * @param fellBackToRoot whether {@code groupDir} is the fallback
     */
    record Location(Mount mount, Path mountDir, Path groupDir, String cgroupPath, boolean fellBackToRoot) {
    }

    private final Path fsRoot;
    /** controller name (v1) → path; key "" holds the v2 path. */
    private final Map<String, String> paths;
    private final List<Mount> mounts;

    private CgroupLayout(Path fsRoot, Map<String, String> paths, List<Mount> mounts) {
        this.fsRoot = fsRoot;
        this.paths = paths;
        this.mounts = mounts;
    }

    static CgroupLayout read(Path procSelfCgroup, Path mountinfo, Path fsRoot) {
        return new CgroupLayout(fsRoot, parseProcCgroup(procSelfCgroup), parseMountinfo(mountinfo));
    }

    static CgroupLayout system() {
        return read(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"), Path.of("/"));
    }

    /** Whether /proc/self/cgroup names a v1 hierarchy with this controller. */
    boolean hasV1Controller(String controller) {
        return paths.containsKey(controller);
    }

    /** Whether a v1 hierarchy with this controller is mounted. */
    boolean v1Mounted(String controller) {
        return mounts.stream().anyMatch(m -> m.fsType().equals("cgroup") && m.superOptions().contains(controller));
    }

    /** Whether a cgroup2 hierarchy is mounted. */
    boolean v2Mounted() {
        return mounts.stream().anyMatch(m -> m.fsType().equals("cgroup2"));
    }

    /** The process's group in the v1 hierarchy that carries {@code controller} (e.g. "memory", "cpu"). */
    Optional<Location> v1(String controller) {
        String path = paths.get(controller);
        if (path == null) return Optional.empty();
        List<Mount> candidates = mounts.stream()
                .filter(m -> m.fsType().equals("cgroup") && m.superOptions().contains(controller))
                .toList();
        return locate(candidates, path);
    }

    /** The process's group in the cgroup2 unified hierarchy (whatever controllers it has). */
    Optional<Location> v2() {
        String path = paths.get("");
        if (path == null) return Optional.empty();
        List<Mount> candidates = mounts.stream().filter(m -> m.fsType().equals("cgroup2")).toList();
        return locate(candidates, path);
    }

    private Optional<Location> locate(List<Mount> candidates, String path) {
        Location fallback = null;
        for (Mount m : candidates) {
            Path mountDir = under(fsRoot, m.mountPoint());
            String relative = relativeTo(m.root(), path);
            if (relative != null) {
                Path dir = relative.isEmpty() ? mountDir : mountDir.resolve(relative);
                if (Files.isDirectory(dir)) return Optional.of(new Location(m, mountDir, dir, path, false));
            }
            // Also try the full path (mounts whose root field is "/" but whose process path has a prefix).
            String full = stripSlashes(path);
            Path dir = full.isEmpty() ? mountDir : mountDir.resolve(full);
            if (Files.isDirectory(dir)) return Optional.of(new Location(m, mountDir, dir, path, false));
            if (fallback == null && Files.isDirectory(mountDir)) {
                // Inside a container the host path is not visible under the namespaced mount: the mount root is
                // the container's own group.
                fallback = new Location(m, mountDir, mountDir, path, true);
            }
        }
        return Optional.ofNullable(fallback);
    }

    /** The path of {@code path} below {@code mountRoot}, without leading slash; null when not below it. */
    private static String relativeTo(String mountRoot, String path) {
        String root = stripSlashes(mountRoot);
        String p = stripSlashes(path);
        if (root.isEmpty()) return p;
        if (p.equals(root)) return "";
        if (p.startsWith(root + "/")) return p.substring(root.length() + 1);
        return null;
    }

    private static String stripSlashes(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '/') b++;
        while (e > b && s.charAt(e - 1) == '/') e--;
        return s.substring(b, e);
    }

    /** An absolute path of the real filesystem, re-rooted under {@code fsRoot}. */
    static Path under(Path fsRoot, String absolute) {
        String rel = stripSlashes(absolute);
        return rel.isEmpty() ? fsRoot : fsRoot.resolve(rel);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parsers

    static Map<String, String> parseProcCgroup(Path file) {
        Map<String, String> out = new HashMap<>();
        for (String line : readLines(file)) {
            // hierarchy-ID:controller-list:cgroup-path ; the path may itself contain ':'
            int a = line.indexOf(':');
            if (a < 0) continue;
            int b = line.indexOf(':', a + 1);
            if (b < 0) continue;
            String hierarchy = line.substring(0, a).trim();
            String controllers = line.substring(a + 1, b);
            String path = line.substring(b + 1).trim();
            if (hierarchy.equals("0") && controllers.isEmpty()) {
                out.put("", path);
            } else {
                for (String c : controllers.split(",")) {
                    if (!c.isEmpty()) out.putIfAbsent(c, path);
                }
            }
        }
        return out;
    }

    static List<Mount> parseMountinfo(Path file) {
        List<Mount> out = new ArrayList<>();
        for (String line : readLines(file)) {
            // id parent major:minor root mount-point mount-options [optional...] - fstype source super-options
            String[] f = line.trim().split(" +");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (dash < 0 || dash + 1 >= f.length || f.length < 6) continue;
            String fsType = f[dash + 1];
            if (!fsType.equals("cgroup") && !fsType.equals("cgroup2")) continue;
            Set<String> superOptions = dash + 3 < f.length
                    ? new HashSet<>(Arrays.asList(f[dash + 3].split(","))) : Set.of();
            Set<String> mountOptions = new HashSet<>(Arrays.asList(f[5].split(",")));
            out.add(new Mount(unescape(f[3]), unescape(f[4]), fsType, superOptions, mountOptions));
        }
        return out;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1) && isOctal(s, i + 2) && isOctal(s, i + 3)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Exception-free readers

    static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The first token of a one-value file as a long; "max" gives {@link Long#MAX_VALUE}; -1 when unreadable. */
    static long readLong(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            int sp = s.indexOf(' ');
            if (sp > 0) s = s.substring(0, sp);
            if (s.equals("max")) return Long.MAX_VALUE;
            return Long.parseLong(s);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** "key value" lines (memory.stat, memory.events, memory.oom_control); null when the file is unreadable. */
    static Map<String, Long> readKeyValues(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Map<String, Long> out = new HashMap<>();
        for (String line : lines) {
            int sp = line.indexOf(' ');
            if (sp <= 0) continue;
            try {
                out.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).trim()));
            } catch (NumberFormatException ignored) {
                // not a number: skip the line
            }
        }
        return out;
    }
}
