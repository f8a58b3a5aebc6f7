package io.polarway.records;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * Reusable buffers for writing JSON values into text columns without garbage per value: UTF-8 encoding of a parser's
 * characters into {@link #bytes}, and nested values copied as JSON text by one long-lived generator. The text is the
 * same as {@link JsonValues#toJson} of the value read into the value model, except that an object with a repeated
 * field name keeps every occurrence (the value model keeps the last). One per builder; not thread-safe.
 */
final class JsonScratch {
    /** Buffers larger than this are dropped after use rather than kept for the builder's life. */
    private static final int RETAINED_BYTES = 1 << 20;

    /** The last encoded text, in {@code [0, n)} where n is what the encoding call returned. */
    byte[] bytes = new byte[256];
    private final Chars chars = new Chars();
    private JsonGenerator generator;

    /**
     * Encodes {@code len} chars as UTF-8 into {@link #bytes}, as {@code String.getBytes(UTF_8)} does (an unpaired
     * surrogate becomes {@code '?'}).
     *
     * @return the number of bytes
     */
    int utf8(char[] c, int off, int len) {
        if (bytes.length > RETAINED_BYTES && len < RETAINED_BYTES / 4) bytes = new byte[256];
        byte[] b = ensure(len);
        int i = 0;
        for (; i < len; i++) {
            char ch = c[off + i];
            if (ch >= 0x80) break;
            b[i] = (byte) ch;
        }
        if (i == len) return len;
        // not ASCII: at most three bytes per remaining char (a surrogate pair takes four bytes for two chars)
        b = ensureKeeping(i + 3L * (len - i), i);
        int n = i;
        for (; i < len; i++) {
            char ch = c[off + i];
            if (ch < 0x80) {
                b[n++] = (byte) ch;
            } else if (ch < 0x800) {
                b[n++] = (byte) (0xC0 | ch >> 6);
                b[n++] = (byte) (0x80 | ch & 0x3F);
            } else if (Character.isSurrogate(ch)) {
                char next = i + 1 < len ? c[off + i + 1] : 0;
                if (Character.isHighSurrogate(ch) && Character.isLowSurrogate(next)) {
                    int cp = Character.toCodePoint(ch, next);
                    b[n++] = (byte) (0xF0 | cp >> 18);
                    b[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                    b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                    b[n++] = (byte) (0x80 | cp & 0x3F);
                    i++;
                } else {
                    b[n++] = '?';
                }
            } else {
                b[n++] = (byte) (0xE0 | ch >> 12);
                b[n++] = (byte) (0x80 | ch >> 6 & 0x3F);
                b[n++] = (byte) (0x80 | ch & 0x3F);
            }
        }
        return n;
    }

    /** {@link #utf8(char[], int, int)} of a string. */
    int utf8(String s) {
        int len = s.length();
        byte[] b = ensure(len);
        for (int i = 0; i < len; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x80) {
                char[] c = s.toCharArray();
                return utf8(c, 0, c.length);
            }
            b[i] = (byte) ch;
        }
        return len;
    }

    /**
     * Copies the value at the parser's current token as JSON text into {@link #bytes} (UTF-8) and leaves the parser on
     * the value's last token.
     *
     * @return the number of bytes
     */
    int jsonText(JsonParser p) throws IOException {
        chars.count = 0;
        JsonGenerator g = generator;
        if (g == null) {
            g = JsonValues.FACTORY.createGenerator(chars);
            g.setRootValueSeparator(null); // values are taken one at a time, never separated
            generator = g;
        }
        boolean done = false;
        try {
            copy(p, g);
            g.flush();
            done = true;
        } finally {
            if (!done) generator = null; // half an object written: start a fresh generator next time
        }
        int n = utf8(chars.buf, 0, chars.count);
        if (chars.buf.length > RETAINED_BYTES) chars.buf = new char[256];
        return n;
    }

    /** Token by token what {@code JsonValues.write(g, JsonValues.read(p))} writes. */
    private static void copy(JsonParser p, JsonGenerator g) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                g.writeStartObject();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    if (k != JsonToken.FIELD_NAME) throw RecordWriter.notAField(p, k);
                    g.writeFieldName(p.currentName());
                    p.nextToken();
                    copy(p, g);
                }
                g.writeEndObject();
            }
            case START_ARRAY -> {
                g.writeStartArray();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_ARRAY; k = p.nextToken()) copy(p, g);
                g.writeEndArray();
            }
            case VALUE_STRING -> g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            case VALUE_NUMBER_INT -> {
                JsonParser.NumberType nt = p.getNumberType();
                if (nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG) {
                    g.writeNumber(p.getLongValue());
                } else {
                    g.writeNumber(new BigDecimal(p.getBigIntegerValue()));
                }
            }
            case VALUE_NUMBER_FLOAT -> g.writeNumber(p.getDoubleValue());
            case VALUE_TRUE -> g.writeBoolean(true);
            case VALUE_FALSE -> g.writeBoolean(false);
            case VALUE_NULL -> g.writeNull();
            default -> JsonValues.write(g, JsonValues.read(p, false));
        }
    }

    private byte[] ensure(long size) {
        return ensureKeeping(size, 0);
    }

    private byte[] ensureKeeping(long size, int keep) {
        if (size > bytes.length) {
            if (size > Integer.MAX_VALUE - 16) {
                throw new org.apache.arrow.vector.util.OversizedAllocationException(
                        "a text value of " + size + " bytes is larger than a column value can be");
            }
            int n = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(size, 2L * bytes.length));
            bytes = keep == 0 ? new byte[n] : Arrays.copyOf(bytes, n);
        }
        return bytes;
    }

    /** A writer into a growing char array whose contents are read in place (no copy, no locking). */
    private static final class Chars extends Writer {
        char[] buf = new char[256];
        int count;

        @Override
        public void write(char[] c, int off, int len) {
            ensure(len);
            System.arraycopy(c, off, buf, count, len);
            count += len;
        }

        @Override
        public void write(String s, int off, int len) {
            ensure(len);
            s.getChars(off, off + len, buf, count);
            count += len;
        }

        @Override
        public void write(int c) {
            ensure(1);
            buf[count++] = (char) c;
        }

        private void ensure(int more) {
            if (count + more > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16,
                        Math.max((long) count + more, 2L * buf.length)));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
