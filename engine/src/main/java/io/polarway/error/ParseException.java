package io.polarway.error;

/**
 * Input that does not parse: a malformed row, a value that does not parse as its column's type, malformed JSON.
 * {@link #where()} is always present and names the file/object/URL and the line, column or byte offset.
 */
public final class ParseException extends PolarwayException {
    private static final long serialVersionUID = 1L;

    public ParseException(String message, Where where, Throwable cause) {
        super(message, java.util.Objects.requireNonNull(where, "where"), cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.PARSE;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
