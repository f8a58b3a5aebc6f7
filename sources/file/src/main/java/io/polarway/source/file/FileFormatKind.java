package io.polarway.source.file;

import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.Where;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a file is read. Chosen by the {@code format} option or, with {@code format=auto}, by the file's extension
 * ({@code .parquet}/{@code .pq}; {@code .arrow}/{@code .ipc}/{@code .feather} — the file or stream variant told apart
 * by the magic bytes; {@code .arrows} for the stream format; anything a {@link TextFormat} on the classpath claims,
 * before a {@code .gz}/{@code .zst} suffix).
 *
 * @param kind       the reader family
 * @param textFormat the text format, for {@link Kind#TEXT}
 */
record FileFormatKind(Kind kind, TextFormat textFormat) {
    enum Kind { PARQUET, ARROW_FILE, ARROW_STREAM, TEXT }

    static final FileFormatKind PARQUET = new FileFormatKind(Kind.PARQUET, null);
    static final FileFormatKind ARROW_FILE = new FileFormatKind(Kind.ARROW_FILE, null);
    static final FileFormatKind ARROW_STREAM = new FileFormatKind(Kind.ARROW_STREAM, null);

    /** Values of the {@code format} option besides the text formats' names. */
    static final List<String> BINARY_NAMES = List.of("auto", "parquet", "arrow", "ipc", "feather", "arrow_stream");

    String name() {
        return switch (kind) {
            case PARQUET -> "parquet";
            case ARROW_FILE -> "arrow";
            case ARROW_STREAM -> "arrow_stream";
            case TEXT -> textFormat.name();
        };
    }

    /**
     * The format of {@code file}.
     *
     * @param option the {@code format} option ({@code auto} to detect)
     * @throws ConfigException when the format cannot be told (naming the file and the known extensions)
     */
    static FileFormatKind of(Path file, String option, TextFormats texts) {
        String opt = option.trim().toLowerCase(Locale.ROOT);
        switch (opt) {
            case "parquet":
                return PARQUET;
            case "arrow", "ipc", "feather":
                return sniffArrow(file);
            case "arrow_stream":
                return ARROW_STREAM;
            case "auto":
                break;
            default:
                return new FileFormatKind(Kind.TEXT, texts.require(opt, "format"));
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet") || name.endsWith(".pq")) return PARQUET;
        if (name.endsWith(".arrows")) return ARROW_STREAM;
        if (name.endsWith(".arrow") || name.endsWith(".ipc") || name.endsWith(".feather")) return sniffArrow(file);
        Optional<TextFormat> text = texts.forFileName(name);
        if (text.isPresent()) return new FileFormatKind(Kind.TEXT, text.get());
        List<String> known = new ArrayList<>(Arrays.asList(".parquet", ".pq", ".arrow", ".ipc", ".feather",
                ".arrows"));
        for (TextFormat f : texts.list()) for (String e : f.extensions()) known.add("." + e);
        throw new ConfigException("format", "cannot tell the format of " + file + " from its name: set the 'format' "
                + "option, or use one of the extensions (text ones may end in .gz or .zst)", known, null);
    }

    /** The file format starts with ARROW1; anything else named .arrow is read as the stream format. */
    private static FileFormatKind sniffArrow(Path file) {
        byte[] head = new byte[6];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new IoException("cannot read " + file + ": " + e, Where.resource(file.toString()), e);
        }
        return n == 6 && new String(head, StandardCharsets.US_ASCII).equals("ARROW1") ? ARROW_FILE : ARROW_STREAM;
    }
}
