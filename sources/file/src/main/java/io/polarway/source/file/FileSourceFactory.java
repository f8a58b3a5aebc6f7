package io.polarway.source.file;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.ByteSize;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.source.file.ipc.MappedIpcFile;
import io.polarway.source.file.parquet.ParquetFilter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code file} source (alias {@code filesystem}): the guide's "Filesystem (Memory-Mapped)" source. Reads a file,
 * a directory or a glob of Parquet (JNI scanner, row group after row group), Arrow IPC (memory-mapped, no copy; the
 * stream format too) and text files (any {@link TextFormat} on the classpath: CSV, JSON lines; gzip/zstd detected).
 *
 * <pre>{@code
 * SourceConfig config = SourceConfig.of("/data/files/*.parquet")
 *         .withParallel(true)
 *         .withOption("use_mmap", "true")
 *         .withOption("columns", "id,amount")
 *         .withOption("filter", "amount > 100 AND country = 'FR'");
 * }</pre>
 *
 * Options of the installed text formats (e.g. CSV's {@code delimiter}) are accepted too and passed to them.
 */
public final class FileSourceFactory implements SourceFactory {
    static final OptionSpec<String> FORMAT = OptionSpec.string("format", "auto",
            "file format: auto (from the extension), parquet, arrow (IPC file or stream), arrow_stream, or a text "
                    + "format name (csv, jsonl, ...)");
    static final OptionSpec<Boolean> RECURSIVE = OptionSpec.bool("recursive", false,
            "read the files of subdirectories too when the location is a directory");
    static final OptionSpec<Boolean> USE_MMAP = OptionSpec.bool("use_mmap", true,
            "read Arrow IPC files by memory-mapping them (zero-copy); false reads through a file channel");
    static final OptionSpec<List<String>> COLUMNS = OptionSpec.list("columns", null,
                    "comma-separated columns to read, in that order (pushed into the Parquet scan)")
            .validate(l -> !l.isEmpty() && l.stream().noneMatch(String::isEmpty), "a non-empty list of names");
    static final OptionSpec<String> FILTER = OptionSpec.string("filter", null,
            "Parquet row filter pushed into the scan, e.g. \"id >= 10 AND city = 'Paris'\" "
                    + "(comparisons, IS [NOT] NULL, [NOT] IN, AND, OR, NOT)");
    static final OptionSpec<Integer> MAX_CONCURRENCY = OptionSpec.intValue("max_concurrency", 0,
                    "most files read at once when parallel; 0 = number of processors")
            .validate(v -> v >= 0 && v <= 1024, "between 0 and 1024");
    static final OptionSpec<Boolean> ORDERED = OptionSpec.bool("ordered", true,
            "when parallel, deliver chunks in file order (false: as soon as any file has one)");
    static final OptionSpec<Boolean> UNIFY_SCHEMAS = OptionSpec.bool("unify_schemas", false,
            "accept files whose columns differ: read the union, with nulls where a file lacks a column");
    static final OptionSpec<Integer> SCAN_BATCH_ROWS = OptionSpec.intValue("scan_batch_rows", 32_768,
                    "rows per batch asked of the Parquet scanner (it caps them at 32768)")
            .validate(v -> v >= 1 && v <= 1 << 20, "between 1 and 1048576");
    static final OptionSpec<Long> NATIVE_MEMORY_LIMIT = OptionSpec.bytes("native_memory_limit", null,
                    "most native memory the Parquet scanner may hold: decoded batches read ahead and the read cache "
                            + "(default: a quarter of the memory budget, at least 64MiB)")
            .validate(v -> v >= (1L << 20), "at least 1MiB");
    static final OptionSpec<String> NATIVE_POOL = OptionSpec.choice("native_pool", "listenable",
            "native memory pool of the Parquet scanner: 'listenable' counts every native allocation and refuses one "
                    + "past native_memory_limit (a hard bound; arrow-dataset takes a lock per allocation for it, "
                    + "about 30% of scan speed), 'default' is Arrow's default pool, sampled after each batch (faster; "
                    + "the bound then rests on the window plan alone)", "listenable", "default");
    static final OptionSpec<Long> MMAP_WINDOW = OptionSpec.bytes("mmap_window_bytes", 1L << 30,
                    "largest single memory mapping of an Arrow IPC file (at most 2GiB on Java 17)")
            .validate(v -> v >= 4096 && v <= MappedIpcFile.MAX_WINDOW_BYTES, "between 4KiB and 2GiB");

    static final OptionSpec<Long> PARQUET_WINDOW_BYTES = OptionSpec.bytes("parquet_window_bytes", null,
                    "a Parquet file whose needed column chunks are larger than this is scanned a few row groups at a "
                            + "time, through a temporary window file (default: a quarter of native_memory_limit, less "
                            + "while other scans hold native memory)")
            .validate(v -> v >= (1L << 20), "at least 1MiB");
    static final OptionSpec<String> TEMP_DIR = OptionSpec.string("temp_dir", null,
            "directory for the temporary window files of large Parquet files (default: java.io.tmpdir); use a disk, "
                    + "not a tmpfs, whose files would count as memory");

    private static final OptionSet OWN = OptionSet.of("source 'file'", FORMAT, RECURSIVE, USE_MMAP, COLUMNS, FILTER,
            MAX_CONCURRENCY, ORDERED, UNIFY_SCHEMAS, SCAN_BATCH_ROWS, NATIVE_MEMORY_LIMIT, NATIVE_POOL, MMAP_WINDOW,
            PARQUET_WINDOW_BYTES, TEMP_DIR);

    private final TextFormats textFormats;
    private final OptionSet options;

    public FileSourceFactory() {
        this(TextFormats.installed());
    }

    /** A factory that knows exactly {@code textFormats} (tests). */
    public FileSourceFactory(TextFormats textFormats) {
        this.textFormats = textFormats;
        this.options = merged(textFormats);
    }

    /** The file source's own keys plus every installed text format's (the first declaration of a shared key wins). */
    private static OptionSet merged(TextFormats formats) {
        OptionSet set = OWN;
        for (TextFormat f : formats.list()) {
            List<OptionSpec<?>> extra = new ArrayList<>();
            for (OptionSpec<?> s : f.options().specs()) if (!set.contains(s.key())) extra.add(s);
            set = set.with(extra.toArray(OptionSpec<?>[]::new));
        }
        return set;
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("filesystem");
    }

    @Override
    public String description() {
        return "local files, directories and globs: Parquet (JNI scan), Arrow IPC (memory-mapped), "
                + (textFormats.list().isEmpty() ? "no text formats installed"
                : String.join(", ", textFormats.list().stream().map(TextFormat::name).toList()));
    }

    @Override
    public OptionSet options() {
        return options;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options opts, SourceContext context) {
        FileSettings settings = settings(config, opts, context);
        List<Path> paths = FileLocator.resolve(config.location(), settings.recursive());
        boolean single = paths.size() == 1 && !Files.isDirectory(Path.of(config.location().trim()))
                && !config.location().contains("*");
        List<FileEntry> files = new ArrayList<>(paths.size());
        for (Path p : paths) {
            FileFormatKind kind;
            try {
                kind = FileFormatKind.of(p, settings.format(), textFormats);
            } catch (ConfigException e) {
                if (single) throw e;
                continue; // directories and globs skip files of unknown formats (README, checksums)
            }
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                throw new io.polarway.error.IoException("cannot read " + p + ": " + e,
                        io.polarway.error.Where.resource(p.toString()), e);
            }
            files.add(new FileEntry(p, size, kind));
        }
        if (files.isEmpty()) {
            throw new ConfigException("format", "none of the " + paths.size() + " files at " + config.location()
                    + " has a known format (set the 'format' option)", List.of(), null);
        }
        for (FileEntry f : files) {
            TextFormat text = f.format().textFormat();
            if (text != null && !settings.formatOptions().containsKey(text.name())) {
                formatOptions(config, text); // throws the ConfigException the settings swallowed
            }
        }
        if (settings.filter() != null) {
            for (FileEntry f : files) {
                if (f.format().kind() != FileFormatKind.Kind.PARQUET) {
                    throw new ConfigException("filter", "the 'filter' option applies to Parquet files only; " + f
                            + " is " + f.format().name(), List.of(), null);
                }
            }
        }
        long budget = context.memory().budgetBytes();
        long nativeLimit = settings.nativeMemoryLimitBytes() != null ? settings.nativeMemoryLimitBytes()
                : budget > 0 ? Math.max(64L << 20, budget / 4) : 4L << 30;
        NativeParquet nativeParquet = new NativeParquet(nativeLimit, context.memory(),
                settings.nativePool().equals("listenable"));
        try {
            return FileSource.open(config, context, settings, files, nativeParquet);
        } catch (RuntimeException | Error e) {
            nativeParquet.close();
            throw e;
        }
    }

    private FileSettings settings(SourceConfig config, Options opts, SourceContext context) {
        String format = opts.get(FORMAT).trim().toLowerCase(java.util.Locale.ROOT);
        if (!FileFormatKind.BINARY_NAMES.contains(format) && textFormats.byName(format).isEmpty()) {
            List<String> valid = new ArrayList<>(FileFormatKind.BINARY_NAMES);
            textFormats.list().forEach(f -> valid.add(f.name()));
            throw new ConfigException(FORMAT.key(), "unknown format '" + format + "' (is its module on the "
                    + "classpath?)", valid, null);
        }
        ParquetFilter filter = opts.find(FILTER).filter(s -> !s.isBlank()).map(ParquetFilter::parse).orElse(null);
        Map<String, Options> formatOptions = new HashMap<>();
        for (TextFormat f : textFormats.list()) {
            try {
                formatOptions.put(f.name(), formatOptions(config, f));
            } catch (ConfigException e) {
                // Formats share some keys with different rules (CSV takes infer_schema_length=0, JSON lines does
                // not): a value only matters to a format some file is read with, checked in create().
            }
        }
        return new FileSettings(format, opts.get(RECURSIVE), opts.get(USE_MMAP), opts.find(COLUMNS).orElse(null),
                filter, opts.get(MAX_CONCURRENCY), opts.get(ORDERED), opts.get(UNIFY_SCHEMAS),
                opts.get(SCAN_BATCH_ROWS), opts.find(NATIVE_MEMORY_LIMIT).orElse(null), opts.get(NATIVE_POOL),
                opts.get(MMAP_WINDOW),
                opts.find(PARQUET_WINDOW_BYTES).orElse(null), tempDir(opts), textFormats, Map.copyOf(formatOptions));
    }

    /** {@code format}'s own options, parsed from the keys of {@code config} it declares. */
    private static Options formatOptions(SourceConfig config, TextFormat format) {
        Map<String, String> mine = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : config.options().entrySet()) {
            if (format.options().contains(e.getKey())) mine.put(e.getKey(), e.getValue());
        }
        return format.options().parse(mine);
    }

    private static Path tempDir(Options opts) {
        String dir = opts.find(TEMP_DIR).filter(s -> !s.isBlank()).orElse(System.getProperty("java.io.tmpdir"));
        Path p = Path.of(dir);
        if (!Files.isDirectory(p) || !Files.isWritable(p)) {
            throw new ConfigException(TEMP_DIR.key(), "temp_dir " + p + " is not a writable directory", List.of(), null);
        }
        return p;
    }

    @Override
    public String toString() {
        return "FileSourceFactory{formats=" + textFormats.list().stream().map(TextFormat::name).toList()
                + ", native default=" + ByteSize.format(4L << 30) + '}';
    }
}
