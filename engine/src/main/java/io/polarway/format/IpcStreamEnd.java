package io.polarway.format;

import io.polarway.error.ParseException;
import io.polarway.error.Where;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * Tells a complete Arrow IPC stream from one cut right after a record batch. Arrow's stream reader takes the end of
 * its input for the end of the stream, so a stream whose writer died between batches (before {@code end()}) reads as a
 * shorter, apparently whole stream. A complete stream ends with an end-of-stream marker: 8 bytes (continuation and a
 * zero length), or 4 in the format before Arrow 1.0; the file format carries the same marker before its footer.
 *
 * <p>Call {@link #messageRead} after the schema and after each batch the reader loads, and {@link #checkEnd} when the
 * reader reports the end. Not thread-safe: one per reader.
 */
public final class IpcStreamEnd {
    private final ArrowReader reader;
    private long endOfMessages = -1;

    /** @param reader the stream reader, positioned anywhere before its first batch */
    public IpcStreamEnd(ArrowReader reader) {
        this.reader = reader;
    }

    /** Records where the message the reader just read (the schema or a batch) ends. */
    public void messageRead() {
        endOfMessages = bytesRead();
    }

    /**
     * At the end the reader reported: passes when an end-of-stream marker followed the last message.
     *
     * @param resource what is read, for the error
     * @param batches  record batches read, for the error
     * @throws ParseException when the input ended right after a message, naming the resource and the byte offset
     */
    public void checkEnd(String resource, long batches) {
        long consumed = bytesRead();
        if (endOfMessages < 0 || consumed < 0) return; // a reader that cannot tell: nothing to check against
        long marker = consumed - endOfMessages;
        if (marker == 8 || marker == 4) return;
        throw new ParseException("truncated Arrow IPC stream: it ends after " + batches + " record batches without "
                + "its end-of-stream marker", Where.resource(resource).withByteOffset(consumed), null);
    }

    private long bytesRead() {
        try {
            return reader.bytesRead();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
