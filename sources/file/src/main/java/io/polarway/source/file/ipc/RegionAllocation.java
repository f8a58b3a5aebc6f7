package io.polarway.source.file.ipc;

import org.apache.arrow.memory.ForeignAllocation;

/**
 * Part of a {@link MappedRegion} handed to Arrow as a buffer's memory ({@code BufferAllocator.wrapForeignAllocation}):
 * no copy, and the region stays mapped until Arrow releases the buffer. The allocator counts {@link #getSize()} bytes,
 * so a mapped batch weighs in the memory accounting what a copied one would.
 */
final class RegionAllocation extends ForeignAllocation {
    private final MappedRegion region;

    /** Takes over one reference of {@code region}, released with the buffer. */
    RegionAllocation(MappedRegion region, long address, long size) {
        super(size, address);
        this.region = region;
    }

    @Override
    protected void release0() {
        region.release();
    }
}
