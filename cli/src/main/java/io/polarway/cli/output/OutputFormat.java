package io.polarway.cli.output;

import io.polarway.error.ConfigException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The output formats, chosen by the file name's extension (case-insensitive). */
public enum OutputFormat {
    /** RFC 4180 CSV with a header line and LF line ends. */
    CSV(".csv"),
    /** Arrow IPC file format (random-access, with footer). */
    ARROW(".arrow"),
    /** JSON lines: one object per row. */
    JSONL(".jsonl"),
    /** Parquet, written in row groups by arrow-dataset's native writer. */
    PARQUET(".parquet");

    private final String extension;

    OutputFormat(String extension) {
        this.extension = extension;
    }

    public String extension() {
        return extension;
    }

    /** The supported extensions, in declaration order. */
    public static List<String> extensions() {
        return Arrays.stream(values()).map(OutputFormat::extension).toList();
    }

    /**
     * The format for {@code path}'s extension.
     *
     * @throws ConfigException (key {@code output}) naming the supported extensions
     */
    public static OutputFormat forPath(Path path) {
        Path name = path.getFileName();
        String file = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        for (OutputFormat f : values()) {
            if (file.endsWith(f.extension) && file.length() > f.extension.length()) return f;
        }
        throw new ConfigException("output", "unsupported output file '" + path + "': the extension chooses the format",
                extensions(), null);
    }

    /** Creates (or truncates) {@code path} and returns a writer of this format for it. */
    public ChunkWriter open(Path path) throws IOException {
        return switch (this) {
            case CSV -> CsvChunkWriter.create(path);
            case ARROW -> ArrowChunkWriter.create(path);
            case JSONL -> JsonLinesChunkWriter.create(path);
            case PARQUET -> ParquetChunkWriter.create(path);
        };
    }
}
