package io.polarway.format.jsonl;

import io.polarway.api.StatsRecorder;
import io.polarway.config.OptionSet;
import io.polarway.config.Options;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import io.polarway.records.RecordOptions;

import java.io.InputStream;
import java.util.Set;

/**
 * JSON lines (also called NDJSON): one JSON value per line, streamed with Jackson into Arrow batches through the shared
 * {@link io.polarway.records.RecordBatchBuilder}. Registered in the engine, so every source that reads byte streams
 * through {@link io.polarway.format.TextFormats} — local files, object stores, HTTP bodies, Kafka payloads — has it.
 *
 * <p>Name {@code jsonl}; extensions {@code jsonl} and {@code ndjson} (with {@code .gz}/{@code .zst} after them,
 * detected from the bytes by {@link io.polarway.format.Compression}). Options: the record options
 * ({@link RecordOptions}: {@code infer_schema_length}, default 1000 records; {@code schema}; {@code nested_mode};
 * {@code unknown_fields}).
 *
 * <p>Rules: blank lines are skipped; the last line may lack its newline; each record is one line (two values on a
 * line, or a value spread over several lines, is a parse error — that is a JSON document, not JSON lines); a value
 * that is not an object is read as a record with one field, {@code value} (as the HTTP source does). Errors name the
 * resource, the line, the column and the byte offset in the (decompressed) text. Stateless and thread-safe.
 */
public final class JsonLinesFormat implements TextFormat {
    /** The format's options: the record options, owned by this format for its messages. */
    static final OptionSet OPTIONS = OptionSet.of("format 'jsonl'").with(RecordOptions.OPTIONS);

    @Override
    public String name() {
        return "jsonl";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("jsonl", "ndjson");
    }

    @Override
    public OptionSet options() {
        return OPTIONS;
    }

    /**
     * Opens a reader; nothing is read until {@link FormatReader#schema()} or {@link FormatReader#read} (the first of
     * them reads the inference sample, unless a schema is given).
     *
     * @throws io.polarway.error.ConfigException when the {@code schema} option does not parse
     */
    @Override
    public FormatReader open(InputStream in, String resource, Options options, StatsRecorder stats) {
        return new JsonLinesReader(in, resource, RecordOptions.builder(resource, options, stats).build(), stats);
    }

    @Override
    public String toString() {
        return "JsonLinesFormat";
    }
}
