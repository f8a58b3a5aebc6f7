package io.polarway.source.file;

import io.polarway.config.Options;
import io.polarway.format.TextFormats;
import io.polarway.source.file.parquet.ParquetFilter;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The file source's parsed options (see {@link FileSourceFactory} for their meaning). Immutable.
 *
 * @param columns       the projection, or null for every column
 * @param filter        the Parquet filter, or null
 * @param formatOptions each text format's own options, parsed from the user's keys by that format's option set
 *                      (a format whose options do not parse is missing: no file may be read with it)
 * @param parquetWindowBytes the {@code parquet_window_bytes} option, or null for the default
 * @param nativePool    the {@code native_pool} option: {@code listenable} or {@code default}
 * @param tempDir       where Parquet window files go
 */
record FileSettings(String format, boolean recursive, boolean useMmap, List<String> columns, ParquetFilter filter,
                    int maxConcurrency, boolean ordered, boolean unifySchemas, int scanBatchRows,
                    Long nativeMemoryLimitBytes, String nativePool, long mmapWindowBytes, Long parquetWindowBytes,
                    Path tempDir,
                    TextFormats textFormats,
                    Map<String, Options> formatOptions) {
}
