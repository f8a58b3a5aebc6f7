package io.polarway.records;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;

import java.io.IOException;

/**
 * Parses many small JSON documents — Kafka message values, JSON lines — one after another with one long-lived parser,
 * instead of a new Jackson parser per document (building one is most of what parsing a small record allocates). The
 * parser is Jackson's non-blocking one, fed each document's bytes in turn (not copied; UTF-8 only).
 *
 * <p>Use: {@link #open} a document, read its value from the returned parser, then check with {@link #reached} (or
 * hand this object to {@link RecordBatchBuilder#addJson(JsonParser, java.util.function.Supplier, Object[],
 * RecordBatchBuilder.InputEnd)}, which does) that nothing but whitespace follows the value. Whatever does not go that
 * way — {@link #open} returning null (an empty or unfinished first token), an exception from the parser (malformed
 * or truncated input, bytes that are not UTF-8), data after the value — leaves the document to the ordinary path: parse
 * it again with {@code JsonValues.FACTORY.createParser(bytes)}, whose results (values and errors, with the document's
 * own line and column) the reusable parser's match on everything it accepts. A document not finished that way drops
 * the parser; the next {@link #open} makes a new one. Not thread-safe.
 */
public final class JsonDocuments implements RecordBatchBuilder.InputEnd {
    private JsonParser parser;
    private ByteArrayFeeder feeder;
    /** Bytes fed to the parser before the open document: its offsets are counted from the first document. */
    private long fedBefore;
    private byte[] doc;
    private int docOffset;
    private int docLength;
    /** A document is open and its end not yet checked. */
    private boolean open;

    /**
     * Feeds one document and moves to its first token.
     *
     * @return the parser, on the document's first token; null when that token is not complete in the document (the
     *         document is empty, or malformed): parse it the ordinary way
     * @throws IOException when the first token is malformed (the parser is dropped)
     */
    public JsonParser open(byte[] bytes, int offset, int length) throws IOException {
        if (open) drop(); // the previous document was not finished: its rest must not run into this one
        if (parser == null) {
            parser = JsonValues.FACTORY.createNonBlockingByteArrayParser();
            feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
            fedBefore = 0;
        }
        boolean ok = false;
        try {
            feeder.feedInput(bytes, offset, offset + length);
            doc = bytes;
            docOffset = offset;
            docLength = length;
            open = true;
            JsonToken t = parser.nextToken();
            ok = t != JsonToken.NOT_AVAILABLE;
            return ok ? parser : null;
        } finally {
            if (!ok) drop();
        }
    }

    /**
     * Checks, once the open document's value has been read, that nothing but whitespace follows it, and readies the
     * parser for the next document. Otherwise the parser is dropped.
     *
     * @param p the parser {@link #open} returned
     * @return whether the value was all of the document
     */
    @Override
    public boolean reached(JsonParser p) throws IOException {
        if (!open || p != parser) throw new IllegalStateException("no document of this reader is open");
        boolean clean = false;
        try {
            long after = p.currentLocation().getByteOffset() - fedBefore; // just past the value's last token
            if (after < 0 || after > docLength) return false;
            int end = docOffset + docLength;
            clean = true;
            for (int i = docOffset + (int) after; i < end; i++) {
                byte b = doc[i];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    clean = false;
                    break;
                }
            }
            // consume the whitespace, so the input is used up when the next document is fed
            if (clean) clean = parser.nextToken() == JsonToken.NOT_AVAILABLE;
            return clean;
        } finally {
            if (clean) {
                open = false;
                fedBefore += docLength;
                doc = null;
            } else {
                drop();
            }
        }
    }

    /** Forgets the parser (after a failure while the document was read); the next {@link #open} makes a new one. */
    public void drop() {
        open = false;
        doc = null;
        JsonParser p = parser;
        parser = null;
        feeder = null;
        if (p != null) {
            try {
                p.close();
            } catch (IOException ignored) {
                // nothing to release for an in-memory parser
            }
        }
    }
}
