package io.polarway.error;

import java.util.List;
import java.util.Optional;

/**
 * A configuration error found when a source or stream is created: an unknown option key, a value that does not
 * parse or validate, a malformed location. Names the offending key and, where it helps, the valid keys or values.
 */
public final class ConfigException extends PolarwayException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final List<String> validChoices;

    public ConfigException(String message) {
        this(null, message, List.of(), null);
    }

    /**
     * @param key          the option key at fault, or null when the error is not about one key
     * @param message      what is wrong; the valid choices are appended
     * @param validChoices valid keys (for an unknown key) or values (for a bad enumerated value); may be empty
     */
    public ConfigException(String key, String message, List<String> validChoices, Throwable cause) {
        this(key, message, validChoices, null, cause);
    }

    /**
     * A configuration error found while reading, where the place matters: a table or index that a server says does
     * not exist, an expression it rejects. Same as {@link #ConfigException(String, String, List, Throwable)} plus
     * {@code where} (table, segment, page ...), or null.
     */
    public ConfigException(String key, String message, List<String> validChoices, Where where, Throwable cause) {
        super(message + (validChoices.isEmpty() ? "" : "; valid: " + String.join(", ", validChoices)), where, cause);
        this.key = key;
        this.validChoices = List.copyOf(validChoices);
    }

    /** The option key at fault, when the error is about one key. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** The valid keys or values the message lists. */
    public List<String> validChoices() {
        return validChoices;
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.CONFIG;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
