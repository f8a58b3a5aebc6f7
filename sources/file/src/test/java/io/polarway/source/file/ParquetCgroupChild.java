package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.memory.MemoryMonitor;
import io.polarway.memory.MemorySnapshot;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.vector.BigIntVector;

/**
 * The child JVM of {@link ParquetCgroupTest}: streams a Parquet file through the file source with the adaptive stream,
 * samples the memory monitor after every chunk, and prints one JSON line: rows, the sum of ids, chunks, the highest
 * working set it saw and the signal it came from.
 */
public final class ParquetCgroupChild {
    private ParquetCgroupChild() {
    }

    public static void main(String[] args) {
        String file = args[0];
        long rows = 0;
        long idSum = 0;
        long chunks = 0;
        long peakWorkingSet = 0;
        String signal = "?";
        try (AdaptiveStream stream = AdaptiveStream.builder("file", SourceConfig.of(file).withChunkSize(20_000))
                .build()) {
            MemoryMonitor monitor = (MemoryMonitor) stream.memory();
            for (Chunk chunk : stream) {
                try (chunk) {
                    BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                    for (int i = 0; i < chunk.rowCount(); i++) idSum += id.get(i);
                    rows += chunk.rowCount();
                    chunks++;
                }
                MemorySnapshot s = monitor.sample();
                peakWorkingSet = Math.max(peakWorkingSet, s.workingSetBytes());
                signal = s.signal();
            }
        }
        System.out.println("{\"rows\":" + rows + ",\"id_sum\":" + idSum + ",\"chunks\":" + chunks
                + ",\"peak_working_set\":" + peakWorkingSet + ",\"signal\":\"" + signal + "\"}");
        System.out.flush();
    }
}
