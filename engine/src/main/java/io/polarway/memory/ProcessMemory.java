package io.polarway.memory;

import java.nio.file.Path;

/**
 * The process's resident memory from {@code /proc/self/status}: VmRSS, RssAnon and RssShmem (kB in the file, bytes
 * here). Every value is -1 when unknown (non-Linux, or a kernel without the field). One small file read per
 * {@link #read()}; thread-safe.
 */
public final class ProcessMemory {

    /**
     * @param rssBytes   VmRSS: counts file mappings too, so not a pressure signal
     * @param anonBytes  RssAnon
     * @param shmemBytes RssShmem
     */
    public record Reading(long rssBytes, long anonBytes, long shmemBytes) {
        /** RssAnon + RssShmem, the process's own working set; -1 when RssAnon is unknown. */
        public long anonPlusShmemBytes() {
            if (anonBytes < 0) return -1;
            return anonBytes + Math.max(0, shmemBytes);
        }
    }

    private final Path statusFile;

    public ProcessMemory() {
        this(Path.of("/proc/self/status"));
    }

    /** @param statusFile a file in the format of {@code /proc/self/status} */
    public ProcessMemory(Path statusFile) {
        this.statusFile = statusFile;
    }

    public Reading read() {
        long rss = -1;
        long anon = -1;
        long shmem = -1;
        for (String line : CgroupLayout.readLines(statusFile)) {
            if (line.startsWith("VmRSS:")) rss = parseKb(line.substring(6));
            else if (line.startsWith("RssAnon:")) anon = parseKb(line.substring(8));
            else if (line.startsWith("RssShmem:")) shmem = parseKb(line.substring(9));
        }
        return new Reading(rss, anon, shmem);
    }

    /** "   1234 kB" → 1234 × 1024; -1 when not a number. */
    static long parseKb(String value) {
        String s = value.trim();
        long factor = 1;
        if (s.endsWith("kB")) {
            s = s.substring(0, s.length() - 2).trim();
            factor = 1024;
        }
        try {
            return Long.parseLong(s) * factor;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
