package io.polarway.source.objectstore;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.SourceStats;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryProbe;
import io.polarway.testing.RowChecker;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.Optional;
import java.util.function.Consumer;

/** Reads a source to its end in a fresh root allocator (closed after: a leak fails the test). */
final class Reading {
    /**
     * @param checker   the id check (every row once)
     * @param stats     the source's counters at the end
     * @param peakBytes the most the allocator held at once (chunks and parts)
     * @param chunks    chunks read
     */
    record Result(RowChecker checker, SourceStats stats, long peakBytes, long chunks, String schema) {
        long counter(String name) {
            return stats.counters().getOrDefault(name, 0L);
        }
    }

    private Reading() {
    }

    static Result read(SourceFactory factory, SourceConfig config, int chunkRows) {
        return read(factory, config, chunkRows, Long.MAX_VALUE, new ScriptedMemoryProbe(1L << 30, 0.1), c -> {
        });
    }

    static Result read(SourceFactory factory, SourceConfig config, int chunkRows, long allocatorLimit, MemoryProbe probe,
                       Consumer<Chunk> each) {
        RowChecker checker = new RowChecker();
        long chunks = 0;
        String schema = null;
        try (BufferAllocator root = new RootAllocator(allocatorLimit)) {
            SourceStats stats;
            try (StreamingSource source = factory.create(config, factory.options().parse(config.options()),
                    new SourceContext(root, probe))) {
                while (true) {
                    Optional<Chunk> c = source.readChunk(chunkRows);
                    if (c.isEmpty()) break;
                    try (Chunk chunk = c.get()) {
                        if (schema == null) schema = chunk.root().getSchema().toString();
                        if (chunk.root().getSchema().findField("id") != null) checker.accept(chunk);
                        each.accept(chunk);
                        chunks++;
                    }
                }
                source.close();
                stats = source.stats();
            }
            return new Result(checker, stats, root.getPeakMemoryAllocation(), chunks, schema);
        }
    }
}
