package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import org.apache.arrow.memory.RootAllocator;

import java.util.Optional;

/**
 * A root allocator and memory monitor for sources under test. Closing it closes the allocator, which fails the test
 * when any buffer leaked.
 */
final class SourceFixture implements AutoCloseable {
    final RootAllocator allocator = new RootAllocator();
    final MemoryMonitor monitor = MemoryMonitor.create(0, allocator);
    final SourceContext context = new SourceContext(allocator, monitor);
    final SourceRegistry registry = SourceRegistry.withDefaults();

    StreamingSource open(SourceConfig config) {
        return registry.create("file", config, context);
    }

    /** Reads everything at {@code maxRows} per chunk; checks no chunk is larger. */
    TestData.Checksum readAll(SourceConfig config, int maxRows) {
        TestData.Checksum sum = new TestData.Checksum();
        try (StreamingSource source = open(config)) {
            for (Optional<Chunk> c; (c = source.readChunk(maxRows)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    if (chunk.rowCount() > maxRows) throw new AssertionError("chunk of " + chunk.rowCount() + " rows");
                    sum.accept(chunk);
                }
            }
        }
        return sum;
    }

    @Override
    public void close() {
        allocator.close();
    }
}
