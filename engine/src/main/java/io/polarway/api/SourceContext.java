package io.polarway.api;

import io.polarway.memory.MemoryProbe;
import org.apache.arrow.memory.BufferAllocator;

import java.util.Objects;

/**
 * What the engine lends a source: the Arrow allocator to build chunks from (limited to the memory limit, so an
 * oversized chunk fails with a MemoryLimit error instead of an OOM kill) and the memory probe (so a source can bound
 * its own buffers, parts in flight or fetches). The context's owner closes the allocator, not the source.
 *
 * @param allocator   parent allocator for chunk allocators; sources create one child per chunk
 * @param memory      the memory probe of the stream, for sources that size internal buffers
 */
public record SourceContext(BufferAllocator allocator, MemoryProbe memory) {
    public SourceContext {
        Objects.requireNonNull(allocator, "allocator");
        Objects.requireNonNull(memory, "memory");
    }
}
