package io.polarway.source.csv;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.Options;

/**
 * The {@code csv} source: a local CSV file (gzip or Zstandard compressed ones too, detected from the bytes) read
 * straight into typed Arrow chunks. Options: {@link CsvOptions}. A local uncompressed file can be read in parallel
 * ({@code parallel=true}): it is split at record boundaries outside quotes.
 */
public final class CsvSourceFactory implements SourceFactory {
    static final OptionSet OPTIONS = OptionSet.of("source 'csv'", CsvOptions.ALL);

    @Override
    public String type() {
        return "csv";
    }

    @Override
    public String description() {
        return "a local CSV/TSV file (also .gz, .zst) into typed Arrow columns; splits for parallel reading";
    }

    @Override
    public OptionSet options() {
        return OPTIONS;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options options, SourceContext context) {
        return new CsvSource(config, context, CsvSettings.from(options, config.location()));
    }
}
