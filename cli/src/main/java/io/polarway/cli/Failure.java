package io.polarway.cli;

import io.polarway.error.ErrorKind;
import io.polarway.error.PolarwayException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What went wrong, as the CLI reports it: the one stderr line, the exit code and the {@code error} object of the stats
 * file. Exit codes: {@value Polarway#USAGE} for configuration and usage errors (including unknown source types),
 * {@value Polarway#MEMORY_LIMIT} for memory-limit errors, {@value Polarway#FAILED} for everything else.
 *
 * @param kind      an {@link ErrorKind} name, or {@code USAGE} for command-line errors, {@code INTERNAL} for bugs
 * @param message   one line, never a secret (engine messages never hold one)
 * @param retryable whether the same command may succeed if run again (e.g. with a smaller chunk size)
 * @param exitCode  the process exit code
 * @param cause     the exception, for {@code --verbose}
 */
record Failure(String kind, String message, boolean retryable, int exitCode, Throwable cause) {
    static final String USAGE = "USAGE";
    static final String INTERNAL = "INTERNAL";

    static Failure usage(String message, Throwable cause) {
        return new Failure(USAGE, message, false, Polarway.USAGE, cause);
    }

    /** Classifies any throwable; engine errors wrapped by executors are unwrapped first. */
    static Failure of(Throwable thrown) {
        Throwable t = unwrap(thrown);
        PolarwayException p = find(t, PolarwayException.class);
        if (p != null) return new Failure(p.kind().name(), p.getMessage(), p.isRetryable(), exitCode(p.kind()), thrown);
        org.apache.arrow.memory.OutOfMemoryException arrowOom =
                find(t, org.apache.arrow.memory.OutOfMemoryException.class);
        if (arrowOom != null) {
            return new Failure(ErrorKind.MEMORY_LIMIT.name(), "Arrow allocation failed: " + arrowOom.getMessage(), true,
                    Polarway.MEMORY_LIMIT, thrown);
        }
        if (t instanceof OutOfMemoryError) {
            return new Failure(ErrorKind.MEMORY_LIMIT.name(), "the JVM ran out of memory: " + t.getMessage(), true,
                    Polarway.MEMORY_LIMIT, thrown);
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            Throwable io = t instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : t;
            return new Failure(ErrorKind.IO.name(), describe(io), false, Polarway.FAILED, thrown);
        }
        return new Failure(INTERNAL, describe(t), false, Polarway.FAILED, thrown);
    }

    static int exitCode(ErrorKind kind) {
        return switch (kind) {
            case CONFIG, UNSUPPORTED_SOURCE -> Polarway.USAGE;
            case MEMORY_LIMIT -> Polarway.MEMORY_LIMIT;
            default -> Polarway.FAILED;
        };
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (type.isInstance(t)) return type.cast(t);
        }
        return null;
    }

    /** JDK exceptions often carry only a path as message: name the exception too. */
    private static String describe(Throwable t) {
        String m = t.getMessage();
        String name = t.getClass().getSimpleName();
        return m == null || m.isBlank() ? name : name + ": " + m;
    }

    /** The stderr line: {@code polarway: error: <kind>: <message>}, on one line. */
    String line() {
        return "polarway: error: " + kind.toLowerCase(Locale.ROOT) + ": " + oneLine(message);
    }

    /** The stats file's {@code error} object. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("message", message);
        m.put("retryable", retryable);
        return m;
    }

    static String oneLine(String s) {
        if (s == null) return "";
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
