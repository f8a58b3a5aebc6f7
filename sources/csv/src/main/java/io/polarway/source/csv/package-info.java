/**
 * The CSV source ({@code csv}) and the CSV {@link io.polarway.format.TextFormat} ({@code csv}; extensions csv, tsv,
 * tab): CSV read once, front to back, straight into typed Arrow vectors.
 *
 * <pre>{@code
 * try (AdaptiveStream stream = AdaptiveStream.builder("csv", SourceConfig.of("big.csv")
 *         .withOption("delimiter", ";").withOption("null_values", "NA,NULL")).memoryLimit("600MB").build()) {
 *     for (Chunk chunk : stream) {
 *         try (chunk) { process(chunk.root()); }
 *     }
 * }
 * }</pre>
 *
 * <h2>What is read</h2>
 * <ul>
 *   <li>RFC 4180 fields: a quoted field may hold the delimiter, line breaks and doubled quotes; a quote inside an
 *       unquoted field is data; a character after a closing quote other than a delimiter or line end is an error.</li>
 *   <li>LF and CRLF line ends (a CR not before LF is data); a last line without a line break; a UTF-8 byte-order mark
 *       (skipped); blank lines are skipped anywhere (so a one-column file cannot hold a null as an empty line); lines
 *       starting with {@code comment_char} are skipped anywhere; {@code skip_rows} raw lines are skipped before the
 *       header.</li>
 *   <li>Nulls: an unquoted empty field, an unquoted {@code null_values} entry, and in non-string columns a quoted empty
 *       field. A quoted {@code "NA"} is the string NA.</li>
 *   <li>Types inferred from the first {@code infer_schema_length} data rows: int64, float64, boolean
 *       ({@code true}/{@code false}, any case), date ({@code yyyy-MM-dd}), timestamp (ISO 8601; unit us, or ns when a
 *       sampled value has more than six fraction digits; zone UTC when one has an offset, and values with an offset
 *       are converted to UTC), else utf8. The {@code schema} option wins. A later value that does not parse as its
 *       column's type is a bad value.</li>
 *   <li>Header names: an empty one becomes {@code column_N}, a repeated one gets {@code _1}, {@code _2}...; without a
 *       header columns are {@code column_1}, {@code column_2}... (or the {@code schema}'s names).</li>
 *   <li>Encodings: UTF-8 (validated: invalid bytes in a string are a bad value) and Latin-1 (transcoded).</li>
 *   <li>Compression: gzip and Zstandard, detected from the bytes ({@link io.polarway.format.Compression}).</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * {@link io.polarway.error.ParseException} with file, line, column (1-based field number) and byte offset (in the
 * decompressed stream). The rows before a bad row are delivered first. {@code on_bad_row}: {@code error} (default),
 * {@code skip} (the row is dropped; stats counter {@code bad_rows_skipped}) or {@code null} (missing fields and bad
 * values become null, extra fields are dropped; {@code bad_rows_nulled}, {@code bad_values_nulled}). Structural errors
 * (an unterminated quote, a stray character after a closing quote, a record longer than 64 MiB) are always errors.
 *
 * <h2>Memory</h2>
 * A 1 MiB read buffer (it grows only for a longer record, or to keep a large inference sample, up to 64 MiB), a
 * batch index of about 32 Ki fields (64 records for wider files), and the chunk being built, whose vectors come from the allocator the chunk is
 * read with: flat whatever the file size. An allocation failure before a chunk has rows leaves the position unchanged.
 *
 * <h2>Parallel reading</h2>
 * A local uncompressed file without {@code comment_char} is a {@link io.polarway.api.SplittableSource}: splits of
 * 32 MiB start at record boundaries found by a quote-parity pre-scan and validated while reading
 * ({@link io.polarway.source.csv.CsvSplitPlanner}). A file with a quote inside an unquoted field can mislead the
 * pre-scan: the read then fails with a ParseException saying to read without parallel, before any row of the wrongly
 * started split is delivered in the stream's default ordered mode (with {@code ordered(false)} some could be). The
 * header and inference sample (about the first MiB) are read by the source and again by the first split.
 */
package io.polarway.source.csv;
