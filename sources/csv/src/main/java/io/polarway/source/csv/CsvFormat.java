package io.polarway.source.csv;

import io.polarway.api.StatsRecorder;
import io.polarway.config.OptionSet;
import io.polarway.config.Options;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;

import java.io.InputStream;
import java.util.Set;

/**
 * CSV as a {@link TextFormat}, for sources that hand over a sequential byte stream (files found by a glob, objects
 * fetched in parts, HTTP bodies): the same parser as the {@code csv} source, with the same options
 * ({@link CsvOptions}). Extensions: {@code csv}, {@code tsv} and {@code tab} (the last two default the delimiter to
 * tab). Stateless and thread-safe.
 */
public final class CsvFormat implements TextFormat {

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("csv", "tsv", "tab");
    }

    @Override
    public OptionSet options() {
        return CsvOptions.SET;
    }

    /**
     * Opens a reader; the header and the inference sample are read on the first {@link FormatReader#schema()} or
     * {@link FormatReader#read} call. {@code options} may come from a larger set as long as it declares the
     * {@link CsvOptions} specs themselves.
     */
    @Override
    public FormatReader open(InputStream in, String resource, Options options, StatsRecorder stats) {
        return new CsvParser(ByteInput.of(in), CsvSettings.from(options, resource), resource, stats, -1);
    }
}
