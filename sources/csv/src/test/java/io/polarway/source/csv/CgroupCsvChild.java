package io.polarway.source.csv;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceStats;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The child JVM of {@link CsvCgroupTest}: streams {@code FILE} through the {@code csv} source with the adaptive
 * stream under {@code --memory-limit LIMIT} and prints one JSON line: rows, checksum (as {@link CgroupCsvData}
 * computes it), the peak working set the stream sampled, the budget, chunks and pauses.
 */
public final class CgroupCsvChild {
    private CgroupCsvChild() {
    }

    public static void main(String[] args) {
        String file = args[0];
        String limit = args[1];
        boolean parallel = args.length > 2 && Boolean.parseBoolean(args[2]);
        long rows = 0;
        long checksum = 0;
        SourceStats stats;
        long budget;
        try (AdaptiveStream stream = AdaptiveStream.builder("csv", SourceConfig.of(file).withMemoryLimit(limit)
                .withChunkSize(20_000).withParallel(parallel)).parallelism(2).build()) {
            for (Chunk chunk : stream) {
                try (chunk) {
                    BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                    Float8Vector x = (Float8Vector) chunk.root().getVector("x");
                    VarCharVector text = (VarCharVector) chunk.root().getVector("text");
                    DateDayVector day = (DateDayVector) chunk.root().getVector("day");
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        checksum += CgroupCsvData.rowHash(id.get(i), x.get(i), text.get(i), day.get(i));
                    }
                    rows += chunk.rowCount();
                }
            }
            stats = stream.stats();
            budget = stream.budgetBytes();
        }
        System.out.printf("{\"rows\":%d,\"checksum\":%d,\"peak_working_set_bytes\":%d,\"budget_bytes\":%d,"
                        + "\"chunks\":%d,\"pauses\":%d,\"bytes_read\":%d,\"max_chunk_rows\":%d}%n", rows, checksum,
                stats.peakMemoryBytes(), budget, stats.chunks(), stats.pauses(), stats.bytesRead(),
                stats.maxChunkSize());
        System.out.flush();
    }
}
