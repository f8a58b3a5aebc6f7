package io.polarway.source.objectstore;

import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How an object is read: chosen by the {@code format} option or, with {@code auto}, by the key's extension
 * ({@code .parquet}/{@code .pq}; {@code .arrow}/{@code .arrows}/{@code .ipc}/{@code .feather}; anything a
 * {@link TextFormat} on the classpath claims, before a {@code .gz}/{@code .zst} suffix).
 */
record ObjectFormat(Kind kind, TextFormat text) {
    enum Kind { PARQUET, IPC, TEXT }

    static final ObjectFormat PARQUET = new ObjectFormat(Kind.PARQUET, null);
    static final ObjectFormat IPC = new ObjectFormat(Kind.IPC, null);

    String name() {
        return switch (kind) {
            case PARQUET -> "parquet";
            case IPC -> "arrow";
            case TEXT -> text.name();
        };
    }

    /**
     * @throws ConfigException when the format cannot be told from the key (naming it and the known extensions)
     */
    static ObjectFormat of(String key, String option, TextFormats texts) {
        switch (option) {
            case "parquet":
                return PARQUET;
            case "arrow", "ipc", "feather", "arrow_stream":
                return IPC;
            case "auto":
                break;
            default:
                return new ObjectFormat(Kind.TEXT, texts.require(option, "format"));
        }
        int slash = key.lastIndexOf('/');
        String name = key.substring(slash + 1).toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet") || name.endsWith(".pq")) return PARQUET;
        if (name.endsWith(".arrow") || name.endsWith(".arrows") || name.endsWith(".ipc") || name.endsWith(".feather")) {
            return IPC;
        }
        Optional<TextFormat> text = texts.forFileName(name);
        if (text.isPresent()) return new ObjectFormat(Kind.TEXT, text.get());
        List<String> known = new ArrayList<>(List.of(".parquet", ".pq", ".arrow", ".arrows", ".ipc", ".feather"));
        for (TextFormat f : texts.list()) for (String e : f.extensions()) known.add("." + e);
        throw new ConfigException("format", "cannot tell the format of '" + key + "' from its name: set the 'format' "
                + "option, or use one of the extensions (text ones may end in .gz or .zst)", known, null);
    }
}
