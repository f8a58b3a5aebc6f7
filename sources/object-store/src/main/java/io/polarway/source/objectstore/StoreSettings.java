package io.polarway.source.objectstore;

import io.polarway.api.SourceConfig;
import io.polarway.config.ByteSize;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.retry.RetrySettings;
import io.polarway.source.file.parquet.ParquetFilter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The object-store sources' options, declared once (the three stores share them; {@code region} and
 * {@code path_style} only mean something to S3, {@code account_name} to Azure, {@code project_id} to GCS), and their
 * parsed values. Immutable.
 */
record StoreSettings(String format, String endpoint, String region, boolean pathStyle, boolean anonymous,
                     String accountName, String projectId, long multipartThresholdBytes, long partSizeBytes,
                     int maxConcurrency, Long partMemoryLimitBytes, int listPageSize, List<String> columns,
                     ParquetFilter filter, int scanBatchRows, Long nativeMemoryLimitBytes, String spillDir,
                     RetrySettings retry, TextFormats textFormats, Map<String, Options> formatOptions) {

    static final OptionSpec<String> FORMAT = OptionSpec.string("format", "auto",
            "object format: auto (from the key's extension), parquet, arrow (IPC file or stream), arrow_stream, or a "
                    + "text format name (csv, jsonl, ...)");
    static final OptionSpec<String> ENDPOINT = OptionSpec.string("endpoint", null,
            "service endpoint URL for S3-compatible stores, Azurite or a GCS emulator, e.g. http://127.0.0.1:9000");
    static final OptionSpec<String> REGION = OptionSpec.string("region", null,
            "S3 region (default: the credentials', then the AWS region chain, then us-east-1)");
    static final OptionSpec<Boolean> PATH_STYLE = OptionSpec.bool("path_style", null,
            "S3 path-style addressing (endpoint/bucket/key); default: on when an endpoint is set");
    static final OptionSpec<Boolean> ANONYMOUS = OptionSpec.bool("anonymous", false,
            "send unsigned requests (public buckets and containers)");
    static final OptionSpec<String> ACCOUNT_NAME = OptionSpec.string("account_name", null,
            "Azure storage account (default: from the credentials or an https://ACCOUNT.blob.core.windows.net location)");
    static final OptionSpec<String> PROJECT_ID = OptionSpec.string("project_id", null,
            "GCS project (default: from the credentials)");
    static final OptionSpec<Long> MULTIPART_THRESHOLD = OptionSpec.bytes("multipart_threshold", 8L << 20,
                    "objects (and Parquet column ranges) larger than this are fetched as ranged parts")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Long> PART_SIZE = OptionSpec.bytes("part_size", 8L << 20,
                    "bytes per ranged part (GET with a Range header)")
            .validate(v -> v >= (64 << 10) && v <= (1L << 30), "between 64KiB and 1GiB");
    static final OptionSpec<Integer> MAX_CONCURRENCY = OptionSpec.intValue("max_concurrency", 4,
                    "most ranged parts of one object in flight at once when parallel (and fetch threads per source)")
            .validate(v -> v >= 1 && v <= 256, "between 1 and 256");
    static final OptionSpec<Long> PART_MEMORY_LIMIT = OptionSpec.bytes("part_memory_limit", null,
                    "most bytes of parts in flight, reserved before each request (default: a quarter of the memory "
                            + "budget; each object being read may always hold one part)")
            .validate(v -> v >= (64 << 10), "at least 64KiB");
    static final OptionSpec<Integer> LIST_PAGE_SIZE = OptionSpec.intValue("list_page_size", 1000,
                    "keys asked per listing request of a glob")
            .validate(v -> v >= 1 && v <= 5000, "between 1 and 5000");
    static final OptionSpec<List<String>> COLUMNS = OptionSpec.list("columns", null,
                    "comma-separated columns to read, in that order (Parquet fetches only their column chunks)")
            .validate(l -> !l.isEmpty() && l.stream().noneMatch(String::isEmpty), "a non-empty list of names");
    static final OptionSpec<String> FILTER = OptionSpec.string("filter", null,
            "Parquet row filter pushed into the scan, e.g. \"id >= 10 AND city = 'Paris'\"");
    static final OptionSpec<Integer> SCAN_BATCH_ROWS = OptionSpec.intValue("scan_batch_rows", 32_768,
                    "rows per batch asked of the Parquet scanner (it caps them at 32768)")
            .validate(v -> v >= 1 && v <= 1 << 20, "between 1 and 1048576");
    static final OptionSpec<Long> NATIVE_MEMORY_LIMIT = OptionSpec.bytes("native_memory_limit", null,
                    "most native memory the Parquet scanner may hold (default: a quarter of the memory budget)")
            .validate(v -> v >= (1L << 20), "at least 1MiB");
    static final OptionSpec<String> SPILL_DIR = OptionSpec.string("spill_dir", null,
            "directory for the sparse local file a Parquet row group is staged in (default: java.io.tmpdir; use a "
                    + "disk, not tmpfs, so the staged bytes are reclaimable page cache)");

    static final OptionSet OWN = OptionSet.of("object store", FORMAT, ENDPOINT, REGION, PATH_STYLE, ANONYMOUS,
            ACCOUNT_NAME, PROJECT_ID, MULTIPART_THRESHOLD, PART_SIZE, MAX_CONCURRENCY, PART_MEMORY_LIMIT,
            LIST_PAGE_SIZE, COLUMNS, FILTER, SCAN_BATCH_ROWS, NATIVE_MEMORY_LIMIT, SPILL_DIR).with(RetrySettings.OPTIONS);

    /** Format names besides the text formats'. */
    static final List<String> BINARY_FORMATS = List.of("auto", "parquet", "arrow", "ipc", "feather", "arrow_stream");

    /** The shared keys plus every installed text format's (the first declaration of a key wins). */
    static OptionSet options(String owner, TextFormats formats) {
        OptionSet set = OptionSet.of(owner).with(OWN);
        for (TextFormat f : formats.list()) {
            List<OptionSpec<?>> extra = new ArrayList<>();
            for (OptionSpec<?> s : f.options().specs()) if (!set.contains(s.key())) extra.add(s);
            set = set.with(extra.toArray(OptionSpec<?>[]::new));
        }
        return set;
    }

    static StoreSettings from(SourceConfig config, Options o, TextFormats formats) {
        String format = o.get(FORMAT).trim().toLowerCase(Locale.ROOT);
        if (!BINARY_FORMATS.contains(format) && formats.byName(format).isEmpty()) {
            List<String> valid = new ArrayList<>(BINARY_FORMATS);
            formats.list().forEach(f -> valid.add(f.name()));
            throw new ConfigException(FORMAT.key(), "unknown format '" + format + "' (is its module on the classpath?)",
                    valid, null);
        }
        String endpoint = o.find(ENDPOINT).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (endpoint != null && !endpoint.matches("(?i)https?://[^/?#@]+(/[^?#@]*)?")) {
            throw new ConfigException(ENDPOINT.key(), "endpoint must be an http(s) URL without credentials or query, "
                    + "got '" + endpoint.replaceAll("[?#].*", "") + "'", List.of(), null);
        }
        long part = o.get(PART_SIZE);
        ParquetFilter filter = o.find(FILTER).filter(s -> !s.isBlank()).map(ParquetFilter::parse).orElse(null);
        Map<String, Options> formatOptions = new HashMap<>();
        for (TextFormat f : formats.list()) {
            Map<String, String> mine = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : config.options().entrySet()) {
                if (f.options().contains(e.getKey())) mine.put(e.getKey(), e.getValue());
            }
            formatOptions.put(f.name(), f.options().parse(mine));
        }
        return new StoreSettings(format, endpoint, o.find(REGION).orElse(null),
                o.find(PATH_STYLE).orElse(endpoint != null), o.get(ANONYMOUS), o.find(ACCOUNT_NAME).orElse(null),
                o.find(PROJECT_ID).orElse(null), o.get(MULTIPART_THRESHOLD), part, o.get(MAX_CONCURRENCY),
                o.find(PART_MEMORY_LIMIT).orElse(null), o.get(LIST_PAGE_SIZE), o.find(COLUMNS).orElse(null), filter,
                o.get(SCAN_BATCH_ROWS), o.find(NATIVE_MEMORY_LIMIT).orElse(null), o.find(SPILL_DIR).orElse(null),
                RetrySettings.from(o), formats, Map.copyOf(formatOptions));
    }

    /** The part budget's capacity: the option, else a quarter of the memory budget, never below one part. */
    long partMemoryBytes(long budgetBytes) {
        long cap = partMemoryLimitBytes != null ? partMemoryLimitBytes
                : budgetBytes > 0 ? budgetBytes / 4 : 256L << 20;
        return Math.max(cap, Math.min(partSizeBytes, 64L << 20));
    }

    @Override
    public String toString() {
        return "StoreSettings{format=" + format + ", endpoint=" + endpoint + ", part=" + ByteSize.format(partSizeBytes)
                + ", threshold=" + ByteSize.format(multipartThresholdBytes) + ", maxConcurrency=" + maxConcurrency + '}';
    }
}
