package io.polarway.source.csv;

import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.Compression;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/**
 * The CSV options resolved for one input: bytes for the special characters, the charset, the null values encoded in
 * it, the parsed schema and projection. Immutable.
 *
 * @param delimiter         field separator byte
 * @param quote             quote byte
 * @param comment           comment byte, or -1 for none
 * @param hasHeader         whether the first record names the columns
 * @param skipRows          raw lines skipped before the header
 * @param latin1            true for ISO-8859-1 (strings are transcoded to UTF-8), false for UTF-8 (validated)
 * @param nullValues        values read as null when unquoted, encoded in the input's charset
 * @param schema            explicit types, or null
 * @param inferRows         data rows sampled for inference
 * @param columns           projection (names in output order), or null for all
 * @param onBadRow          what to do with a bad row
 * @param readBufferBytes   size of the read buffer (it grows only for a record longer than it)
 * @param splitBytes        target size of a split for parallel reading of a local file
 */
record CsvSettings(byte delimiter, byte quote, int comment, boolean hasHeader, int skipRows, boolean latin1,
                   List<byte[]> nullValues, SchemaOption schema, int inferRows, List<String> columns,
                   BadRowMode onBadRow, int readBufferBytes, long splitBytes) {

    /** The default read buffer: small enough to stay in L2, big enough to amortise a read call. */
    static final int DEFAULT_READ_BUFFER_BYTES = 1 << 20;
    /**
     * The default split: small enough that an ordered stream's readers stay busy (a reader ahead of the consumer
     * holds at most about one split of chunks), big enough that planning and opening cost nothing.
     */
    static final long DEFAULT_SPLIT_BYTES = 32L << 20;

    enum BadRowMode { ERROR, SKIP, NULL }

    /**
     * Resolves parsed options for {@code resource}: a {@code .tsv} or {@code .tab} name (after any compression
     * suffix) defaults the delimiter to tab.
     *
     * @throws ConfigException for options that conflict (delimiter equal to the quote, an invalid schema)
     */
    static CsvSettings from(Options o, String resource) {
        char delimiter = o.get(CsvOptions.DELIMITER);
        if (!o.isSet(CsvOptions.DELIMITER) && resource != null) {
            String base = Compression.stripSuffix(resource).toLowerCase(Locale.ROOT);
            if (base.endsWith(".tsv") || base.endsWith(".tab")) delimiter = '\t';
        }
        char quote = o.get(CsvOptions.QUOTE_CHAR);
        Character comment = o.find(CsvOptions.COMMENT_CHAR).orElse(null);
        if (delimiter == quote) {
            throw new ConfigException(CsvOptions.QUOTE_CHAR.key(), "delimiter and quote_char are both '" + quote
                    + "'", List.of(), null);
        }
        if (comment != null && (comment == delimiter || comment == quote)) {
            throw new ConfigException(CsvOptions.COMMENT_CHAR.key(), "comment_char '" + comment
                    + "' is also the delimiter or the quote", List.of(), null);
        }
        boolean latin1 = "latin1".equals(CsvOptions.encodingOf(o.get(CsvOptions.ENCODING)));
        Charset cs = latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
        List<byte[]> nulls = new ArrayList<>();
        for (String v : o.get(CsvOptions.NULL_VALUES)) {
            if (!v.isEmpty()) nulls.add(v.getBytes(cs));
        }
        SchemaOption schema = o.find(CsvOptions.SCHEMA).map(SchemaOption::parse).orElse(null);
        List<String> columns = o.find(CsvOptions.COLUMNS).orElse(null);
        if (columns != null && new HashSet<>(columns).size() != columns.size()) {
            throw new ConfigException(CsvOptions.COLUMNS.key(), "option 'columns' names a column twice: " + columns,
                    List.of(), null);
        }
        BadRowMode mode = BadRowMode.valueOf(o.get(CsvOptions.ON_BAD_ROW).toUpperCase(Locale.ROOT));
        return new CsvSettings((byte) delimiter, (byte) quote, comment == null ? -1 : comment, o.get(CsvOptions.HAS_HEADER),
                o.get(CsvOptions.SKIP_ROWS), latin1, List.copyOf(nulls), schema, o.get(CsvOptions.INFER_SCHEMA_LENGTH),
                columns == null ? null : List.copyOf(columns), mode, DEFAULT_READ_BUFFER_BYTES, DEFAULT_SPLIT_BYTES);
    }

    Charset charset() {
        return latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
    }

    /** A copy with another read buffer size (tests use tiny buffers to put boundaries everywhere). */
    CsvSettings withReadBufferBytes(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("read buffer must be at least 1 byte");
        return new CsvSettings(delimiter, quote, comment, hasHeader, skipRows, latin1, nullValues, schema, inferRows,
                columns, onBadRow, bytes, splitBytes);
    }

    /** A copy with another split size (tests use small splits to put boundaries next to quoted line breaks). */
    CsvSettings withSplitBytes(long bytes) {
        if (bytes < 1) throw new IllegalArgumentException("split size must be at least 1 byte");
        return new CsvSettings(delimiter, quote, comment, hasHeader, skipRows, latin1, nullValues, schema, inferRows,
                columns, onBadRow, readBufferBytes, bytes);
    }
}
