package io.polarway.format;

import io.polarway.api.StatsRecorder;
import io.polarway.config.OptionSet;
import io.polarway.config.Options;

import java.io.InputStream;
import java.util.Set;

/**
 * A format that parses a sequential byte stream — a local file, an object fetched in parts, an HTTP body — into Arrow
 * chunks: CSV, JSON lines. The file and object-store sources find formats by name or extension through
 * {@link TextFormats} (a {@link java.util.ServiceLoader} of this interface), so a format module on the classpath is
 * enough. Implementations are stateless and thread-safe; each {@link #open} returns an independent reader.
 */
public interface TextFormat {

    /** The format's name, as the {@code format} option spells it: {@code csv}, {@code jsonl}. */
    String name();

    /** File extensions (lower case, without the dot, before any compression suffix), e.g. {@code csv}, {@code tsv}. */
    Set<String> extensions();

    /** The format's option keys (e.g. {@code delimiter}, {@code has_header}), declared once. */
    OptionSet options();

    /**
     * Opens a reader over {@code in}, already decompressed (see {@link Compression#decompress}). The reader owns the
     * stream and closes it. Reading starts lazily or here (a header may be read now); failures are
     * {@link io.polarway.error.PolarwayException}s naming {@code resource}.
     *
     * @param in       the bytes, read front to back exactly once
     * @param resource what to name in errors and stats: a path or an object URI (never with credentials)
     * @param options  parsed from {@link #options()} (callers may parse a larger set that includes these keys)
     * @param stats    where the reader records bytes read and its own counters (e.g. {@code bad_rows_skipped})
     */
    FormatReader open(InputStream in, String resource, Options options, StatsRecorder stats);
}
