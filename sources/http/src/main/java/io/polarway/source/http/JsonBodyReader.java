package io.polarway.source.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.polarway.error.Where;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Streams the records of one JSON page body without holding the body: a JSON array, an object with the records under a
 * JSON pointer (before or after other fields), or JSON lines. Values at other pointers (a next URL, a cursor,
 * {@code has_more}) are captured wherever they appear; every other subtree is skipped unparsed. Records are read into
 * maps ({@link #next}) or handed to a record builder as tokens ({@link #nextInto}); records that are not objects are
 * wrapped as {@code {"value": x}}. Memory: one record plus Jackson's buffers. Not thread-safe.
 *
 * <p>Jackson's own exceptions ({@link StreamReadException}) mean malformed JSON; any other {@link IOException} comes
 * from the connection.
 */
final class JsonBodyReader implements Closeable {
    /** A pointer that is not in the body: {@link #recordsFound()} tells a misconfigured records pointer. */
    private final List<String> recordsPath;
    private final Map<String, List<String>> wanted = new LinkedHashMap<>();
    private final Map<String, Object> captured = new HashMap<>();
    private final boolean jsonLines;
    private final JsonParser parser;
    private final List<Frame> frames = new ArrayList<>();
    private boolean inRecords;
    private boolean recordsFound;
    private boolean done;
    private boolean rootSeen;
    private long recordOffset = -1;
    private long recordBytes;
    /** The record being added: its page and where it starts; its Where is made only if the builder needs it. */
    private Where pageWhere;
    private long recordStart;
    private final Supplier<Where> recordWhere = () -> pageWhere.withByteOffset(recordStart);

    private static final class Frame {
        final boolean array;
        String field;
        int index = -1;

        Frame(boolean array) {
            this.array = array;
        }

        String segment() {
            return array ? Integer.toString(index) : field;
        }
    }

    /**
     * @param recordsPointer JSON pointer of the records array ({@code ""} = the body itself); ignored for JSON lines
     * @param pointers       pointers whose values to capture
     */
    JsonBodyReader(InputStream in, String recordsPointer, List<String> pointers, boolean jsonLines) throws IOException {
        this.jsonLines = jsonLines;
        this.recordsPath = segments(recordsPointer);
        for (String p : pointers) wanted.put(p, segments(p));
        this.parser = JsonValues.FACTORY.createParser(in);
    }

    /** The segments of a JSON pointer ({@code ~0}/{@code ~1} unescaped). @throws IllegalArgumentException if malformed */
    static List<String> segments(String pointer) {
        List<String> out = new ArrayList<>();
        for (JsonPointer p = JsonPointer.compile(pointer); p != null && !p.matches(); p = p.tail()) {
            out.add(p.getMatchingProperty());
        }
        return out;
    }

    /** The next record, or null when the body holds no more (its remainder has then been read to the end). */
    Map<String, Object> next() throws IOException {
        JsonToken t = advanceToRecord();
        if (t == null) return null;
        long start = parser.currentTokenLocation().getByteOffset();
        Object value = JsonValues.read(parser, false);
        recordOffset = start;
        recordBytes = Math.max(1, parser.currentLocation().getByteOffset() - start);
        if (value instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value;
            return m;
        }
        Map<String, Object> wrapped = new LinkedHashMap<>(2);
        wrapped.put("value", value);
        return wrapped;
    }

    /**
     * Adds the next record to {@code builder} — an object straight from the parser's tokens
     * ({@link RecordBatchBuilder#addJson}), any other value wrapped as {@code {"value": x}} — with {@code where} and
     * the record's byte offset as its place.
     *
     * @return false when the body holds no more records (its remainder has then been read to the end)
     * @throws IOException from the body or the parser; the record is then not added
     */
    boolean nextInto(RecordBatchBuilder builder, Where where) throws IOException {
        JsonToken t = advanceToRecord();
        if (t == null) return false;
        long start = parser.currentTokenLocation().getByteOffset();
        pageWhere = where;
        recordStart = start;
        if (t == JsonToken.START_OBJECT) {
            builder.addJson(parser, recordWhere, null, null);
        } else {
            Map<String, Object> wrapped = new LinkedHashMap<>(2);
            wrapped.put("value", JsonValues.read(parser, false));
            builder.add(wrapped, recordWhere.get());
        }
        recordOffset = start;
        recordBytes = Math.max(1, parser.currentLocation().getByteOffset() - start);
        return true;
    }

    /** Skips one record without building it (to resume a page after a failure). @return false at the end */
    boolean skip() throws IOException {
        JsonToken t = advanceToRecord();
        if (t == null) return false;
        parser.skipChildren();
        return true;
    }

    /** Byte offset in the body where the last record returned by {@link #next} starts. */
    long recordOffset() {
        return recordOffset;
    }

    /** Size in bytes of the last record's JSON text. */
    long recordBytes() {
        return recordBytes;
    }

    /** Bytes of the body parsed so far. */
    long byteOffset() {
        return parser.currentLocation().getByteOffset();
    }

    /** Values found at the captured pointers, by pointer (complete once {@link #next} returned null). */
    Map<String, Object> captured() {
        return captured;
    }

    /** Whether the records pointer was found (always true for JSON lines and for an empty body: no records). */
    boolean recordsFound() {
        return jsonLines || recordsFound || !rootSeen;
    }

    /** Moves to the first token of the next record, or returns null (having read the rest of the body). */
    private JsonToken advanceToRecord() throws IOException {
        if (done) return null;
        while (true) {
            JsonToken t = parser.nextToken();
            if (t == null) {
                done = true;
                return null;
            }
            if (jsonLines) return t;
            if (inRecords) {
                if (t == JsonToken.END_ARRAY) {
                    inRecords = false;
                    frames.remove(frames.size() - 1);
                    continue;
                }
                return t;
            }
            switch (t) {
                case FIELD_NAME -> frames.get(frames.size() - 1).field = parser.currentName();
                case END_OBJECT, END_ARRAY -> frames.remove(frames.size() - 1);
                default -> {
                    if (!frames.isEmpty()) {
                        Frame top = frames.get(frames.size() - 1);
                        if (top.array) top.index++;
                    } else if (rootSeen) {
                        throw new RecordsShapeException("more than one JSON value in the body (use format=jsonl for "
                                + "JSON lines)");
                    } else {
                        rootSeen = true;
                    }
                    if (at(recordsPath)) {
                        recordsFound = true;
                        if (t == JsonToken.START_ARRAY) {
                            inRecords = true;
                            frames.add(new Frame(true));
                            continue;
                        }
                        if (t == JsonToken.VALUE_NULL) continue; // explicitly no records
                        if (t == JsonToken.START_OBJECT && recordsPath.isEmpty()) return t; // the body is one record
                        throw new RecordsShapeException("records_pointer points to " + describe(t) + ", not an array");
                    }
                    String capture = capturedAt();
                    if (capture != null) {
                        captured.put(capture, JsonValues.read(parser, false));
                    } else if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        if (prefixOfTarget()) frames.add(new Frame(t == JsonToken.START_ARRAY));
                        else parser.skipChildren();
                    }
                }
            }
        }
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> t.toString();
        };
    }

    private boolean at(List<String> path) {
        if (path.size() != frames.size()) return false;
        for (int i = 0; i < path.size(); i++) {
            if (!path.get(i).equals(frames.get(i).segment())) return false;
        }
        return true;
    }

    private String capturedAt() {
        for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
            if (at(e.getValue())) return e.getKey();
        }
        return null;
    }

    /** Whether the value now starting lies on the way to the records or a captured pointer. */
    private boolean prefixOfTarget() {
        if (isPrefix(recordsPath)) return true;
        for (List<String> w : wanted.values()) {
            if (isPrefix(w)) return true;
        }
        return false;
    }

    private boolean isPrefix(List<String> path) {
        if (path.size() <= frames.size()) return false;
        for (int i = 0; i < frames.size(); i++) {
            if (!path.get(i).equals(frames.get(i).segment())) return false;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    /** The records pointer names a value that is not an array. */
    static final class RecordsShapeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RecordsShapeException(String message) {
            super(message);
        }
    }
}
