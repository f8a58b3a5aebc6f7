package io.polarway.testkit;

import org.junit.jupiter.api.Assumptions;

/**
 * The project's rule for tests whose backend (an emulator, a broker, a cgroup) cannot be brought up: with
 * {@code CI=true} the test <b>fails</b> — CI must never pass by skipping; elsewhere it is skipped with the reason
 * printed, so a developer without, say, node or root still gets a useful run.
 */
public final class Backends {
    private Backends() {
    }

    /** Whether the environment variable {@code CI} is {@code true} (any case). */
    public static boolean isCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Reports that {@code backend} is unavailable. Under CI this throws an {@link AssertionError} (the test fails);
     * otherwise it prints the reason to stderr and aborts the test (JUnit reports it skipped). Never returns normally;
     * declared to return an exception so callers can write {@code throw Backends.unavailable(...)}.
     */
    public static RuntimeException unavailable(String backend, String reason, Throwable cause) {
        String message = backend + " is unavailable: " + reason;
        if (isCi()) {
            AssertionError e = new AssertionError("CI=true and " + message, cause);
            throw e;
        }
        System.err.println("skipping: " + message + (cause != null ? " (" + cause + ")" : ""));
        Assumptions.abort(message);
        throw new IllegalStateException("unreachable");
    }

    /** Starts a backend, turning a start failure into {@link #unavailable}. */
    public static <T> T start(String backend, StartAction<T> action) {
        try {
            return action.start();
        } catch (Exception e) {
            throw unavailable(backend, String.valueOf(e.getMessage()), e);
        }
    }

    /** Something that starts a backend and may fail. */
    @FunctionalInterface
    public interface StartAction<T> {
        T start() throws Exception;
    }
}
