package io.polarway.source.generate;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;

import java.util.List;

/**
 * The {@code generate} source: deterministic synthetic rows, so the CLI, tests and benchmarks have data without
 * files or servers. The location is ignored (use any label, e.g. {@code synthetic}).
 */
public final class GenerateSourceFactory implements SourceFactory {
    static final List<String> TYPES = List.of("int64", "int32", "float64", "utf8", "bool", "date", "timestamp");

    static final OptionSpec<Long> SEED = OptionSpec.longValue("seed", 42L, "seed of the value generator");
    static final OptionSpec<Long> ROWS = OptionSpec.longValue("rows", 1_000_000L, "number of rows")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Integer> COLUMNS = OptionSpec.intValue("columns", 4,
                    "number of value columns after the 'id' column (row index, int64)")
            .validate(v -> v >= 0 && v <= 10_000, "between 0 and 10000");
    static final OptionSpec<List<String>> COLUMN_TYPES = OptionSpec.list("types",
                    List.of("int64", "float64", "utf8", "bool"), "types of the value columns, cycled: " + TYPES)
            .validate(l -> !l.isEmpty() && TYPES.containsAll(l), "a comma list of " + TYPES);
    static final OptionSpec<Integer> STRING_LENGTH = OptionSpec.intValue("string_length", 16,
                    "length in bytes of each utf8 value")
            .validate(v -> v >= 0 && v <= 1 << 20, "between 0 and 1048576");
    static final OptionSpec<Long> ROW_WIDTH = OptionSpec.bytes("row_width_bytes", null,
                    "approximate bytes per row; sizes the utf8 values to reach it (needs a utf8 column)")
            .validate(v -> v > 0, "positive");
    static final OptionSpec<Double> NULL_FRACTION = OptionSpec.doubleValue("null_fraction", 0.0,
                    "fraction of null values in value columns")
            .validate(v -> v >= 0 && v <= 1, "between 0 and 1");
    static final OptionSpec<Long> LATENCY_MS = OptionSpec.longValue("latency_ms", 0L,
                    "simulated I/O latency per chunk, milliseconds (to model a slow source)")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Integer> SPLITS = OptionSpec.intValue("splits", 0,
                    "splits for parallel reading; 0 = as many as the reader asks")
            .validate(v -> v >= 0, "at least 0");

    static final OptionSet OPTIONS = OptionSet.of("source 'generate'", SEED, ROWS, COLUMNS, COLUMN_TYPES,
            STRING_LENGTH, ROW_WIDTH, NULL_FRACTION, LATENCY_MS, SPLITS);

    @Override
    public String type() {
        return "generate";
    }

    @Override
    public String description() {
        return "deterministic synthetic rows (seeded); column 'id' is the row index";
    }

    @Override
    public OptionSet options() {
        return OPTIONS;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options options, SourceContext context) {
        GeneratorSpec spec = GeneratorSpec.from(options);
        if (options.isSet(ROW_WIDTH) && spec.utf8Columns() == 0) {
            throw new ConfigException(ROW_WIDTH.key(), "row_width_bytes needs at least one utf8 column in 'types'",
                    List.of(), null);
        }
        return new GenerateSource(config, context, spec, 0, spec.rows(), null);
    }
}
