package io.polarway.source.csv;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;

import java.util.List;
import java.util.Locale;

/**
 * The CSV option keys, declared once (the guide's keys: {@code delimiter}, {@code has_header}, {@code skip_rows},
 * {@code encoding}, {@code null_values}, {@code comment_char}, {@code quote_char}, {@code schema},
 * {@code infer_schema_length}, plus {@code columns} and {@code on_bad_row}). The {@code csv} source and the
 * {@code csv} {@link io.polarway.format.TextFormat} share these very instances, so a file or object-store source that
 * parses a larger set including {@link #SET} can hand its {@link io.polarway.config.Options} to the format.
 */
public final class CsvOptions {
    private CsvOptions() {
    }

    /** Encodings and their accepted spellings (matched case-insensitively). */
    static final List<String> UTF8_NAMES = List.of("utf-8", "utf8", "utf_8");
    static final List<String> LATIN1_NAMES = List.of("latin1", "latin-1", "latin_1", "iso-8859-1", "iso8859-1",
            "iso_8859_1", "iso-8859_1", "l1", "cp819");

    public static final OptionSpec<Character> DELIMITER = OptionSpec.character("delimiter", ',',
                    "field separator, one ASCII character (\\t or tab for tab); default ',' (tab for .tsv/.tab files)")
            .validate(CsvOptions::usableSeparator, "one ASCII character other than CR and LF");
    public static final OptionSpec<Boolean> HAS_HEADER = OptionSpec.bool("has_header", true,
            "whether the first record (after skip_rows and comment lines) names the columns; without a header "
                    + "columns are named column_1, column_2, ...");
    public static final OptionSpec<Integer> SKIP_ROWS = OptionSpec.intValue("skip_rows", 0,
                    "raw lines to skip at the start of the file, before the header (quotes are not interpreted)")
            .validate(v -> v >= 0, "at least 0");
    public static final OptionSpec<String> ENCODING = OptionSpec.string("encoding", "utf-8",
                    "text encoding: utf-8 (also utf8) or latin1 (also latin-1, iso-8859-1); a UTF-8 byte-order mark "
                            + "is skipped")
            .validate(v -> encodingOf(v) != null, "utf-8 or latin1 (aliases: " + String.join(", ", UTF8_NAMES) + ", "
                    + String.join(", ", LATIN1_NAMES) + ")");
    public static final OptionSpec<List<String>> NULL_VALUES = OptionSpec.list("null_values", List.of(),
            "comma-separated values read as null when unquoted, e.g. NA,NULL (an empty unquoted field is always "
                    + "null)");
    public static final OptionSpec<Character> COMMENT_CHAR = OptionSpec.character("comment_char", null,
                    "lines starting with this character are skipped (default: none); a file with comments is read "
                            + "on one thread")
            .validate(CsvOptions::usableSeparator, "one ASCII character other than CR and LF");
    public static final OptionSpec<Character> QUOTE_CHAR = OptionSpec.character("quote_char", '"',
                    "quote character; a quoted field may hold delimiters, line breaks and doubled quotes")
            .validate(CsvOptions::usableSeparator, "one ASCII character other than CR and LF");
    public static final OptionSpec<String> SCHEMA = OptionSpec.string("schema", null,
            "explicit column types as JSON, wins over inference: [{\"name\":\"a\",\"type\":\"int64\"}, ...] or "
                    + "{\"a\":\"int64\", ...}; types int64, float64, boolean, utf8, date, timestamp "
                    + "(timestamp[s|ms|us|ns] and timestamp[us, UTC] for a unit and zone). With a header columns are "
                    + "matched by name (others are inferred); without one, by position");
    public static final OptionSpec<Integer> INFER_SCHEMA_LENGTH = OptionSpec.intValue("infer_schema_length", 100,
                    "data rows sampled to infer column types (0: every column is utf8); the sample is kept in the "
                            + "read buffer, never read twice")
            .validate(v -> v >= 0, "at least 0");
    public static final OptionSpec<List<String>> COLUMNS = OptionSpec.list("columns", null,
                    "projection: comma-separated column names to read, in the order wanted (default: all)")
            .validate(l -> l.stream().noneMatch(String::isEmpty), "a list of non-empty column names");
    public static final OptionSpec<String> ON_BAD_ROW = OptionSpec.choice("on_bad_row", "error",
            "a row with the wrong number of fields or a value that does not parse as its column's type: error "
                    + "(ParseException with file, line, column), skip (counted in bad_rows_skipped), or null "
                    + "(missing fields and bad values become null, extra fields are dropped; counted in "
                    + "bad_rows_nulled and bad_values_nulled)", "error", "skip", "null");

    /** Every CSV option, in the order {@code polarway sources} lists them. */
    public static final OptionSpec<?>[] ALL = {DELIMITER, HAS_HEADER, SKIP_ROWS, ENCODING, NULL_VALUES, COMMENT_CHAR,
            QUOTE_CHAR, SCHEMA, INFER_SCHEMA_LENGTH, COLUMNS, ON_BAD_ROW};

    /** The CSV options as the {@code csv} format declares them. */
    public static final OptionSet SET = OptionSet.of("format 'csv'", ALL);

    private static boolean usableSeparator(Character c) {
        return c != null && c < 0x80 && c != '\n' && c != '\r';
    }

    /** The canonical encoding name ({@code utf-8} or {@code latin1}) for a spelling, or null. */
    static String encodingOf(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (UTF8_NAMES.contains(n)) return "utf-8";
        if (LATIN1_NAMES.contains(n)) return "latin1";
        return null;
    }
}
