package io.polarway.format;

import io.polarway.error.ConfigException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link TextFormat}s on the classpath, by name and by file extension. Immutable after loading; thread-safe. */
public final class TextFormats {
    private static volatile TextFormats defaults;
    private final Map<String, TextFormat> byName = new TreeMap<>();
    private final Map<String, TextFormat> byExtension = new TreeMap<>();

    private TextFormats(Iterable<TextFormat> formats) {
        for (TextFormat f : formats) {
            byName.put(f.name().toLowerCase(Locale.ROOT), f);
            for (String ext : f.extensions()) byExtension.put(ext.toLowerCase(Locale.ROOT), f);
        }
    }

    /** The formats found through {@link ServiceLoader} (loaded once). */
    public static TextFormats installed() {
        TextFormats d = defaults;
        if (d == null) {
            d = new TextFormats(ServiceLoader.load(TextFormat.class, TextFormats.class.getClassLoader()));
            defaults = d;
        }
        return d;
    }

    /** A fixed set, for tests. */
    public static TextFormats of(TextFormat... formats) {
        return new TextFormats(List.of(formats));
    }

    public List<TextFormat> list() {
        return List.copyOf(byName.values());
    }

    public Optional<TextFormat> byName(String name) {
        return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * The format for a file or object name, from its extension after stripping a compression suffix
     * ({@code data.csv.gz} → csv).
     */
    public Optional<TextFormat> forFileName(String fileName) {
        String base = Compression.stripSuffix(fileName).toLowerCase(Locale.ROOT);
        int dot = base.lastIndexOf('.');
        if (dot < 0 || dot == base.length() - 1) return Optional.empty();
        return Optional.ofNullable(byExtension.get(base.substring(dot + 1)));
    }

    /**
     * The format named {@code name}.
     *
     * @throws ConfigException naming {@code optionKey} and listing the installed formats
     */
    public TextFormat require(String name, String optionKey) {
        return byName(name).orElseThrow(() -> new ConfigException(optionKey, "unknown format '" + name
                + "' (is its module on the classpath?)", new ArrayList<>(byName.keySet()), null));
    }
}
