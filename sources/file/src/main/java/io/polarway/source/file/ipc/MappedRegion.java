package io.polarway.source.file.ipc;

import org.apache.arrow.memory.util.MemoryUtil;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One memory mapping of a file range, shared by reference count: the reader holds one reference while it reads from
 * the range, and every Arrow buffer wrapped around part of it ({@link RegionAllocation}) holds one until Arrow frees
 * it. The last release unmaps, deterministically (JDK 17 has no public unmap; {@code Unsafe.invokeCleaner} is the
 * supported way to release a mapped buffer now rather than at some garbage collection).
 *
 * <p>So a chunk whose buffers point into a mapping keeps that mapping alive even after the source is closed, and the
 * mapping goes away as soon as the last such chunk is closed. Thread-safe.
 */
public final class MappedRegion {
    private static final Set<MappedRegion> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object UNSAFE = unsafe();

    private final Path file;
    private final long fileOffset;
    private final long length;
    private final MappedByteBuffer buffer;
    private final long address;
    private final AtomicInteger refs = new AtomicInteger(1);

    MappedRegion(Path file, long fileOffset, MappedByteBuffer buffer) {
        this.file = file;
        this.fileOffset = fileOffset;
        this.length = buffer.capacity();
        this.buffer = buffer;
        this.address = MemoryUtil.getByteBufferAddress(buffer);
        LIVE.add(this);
    }

    /** The mappings not yet released, for diagnostics and tests. */
    public static Set<MappedRegion> live() {
        return Set.copyOf(LIVE);
    }

    public Path file() {
        return file;
    }

    /** First file byte the mapping covers. */
    public long fileOffset() {
        return fileOffset;
    }

    public long length() {
        return length;
    }

    /** Virtual address of {@link #fileOffset()}. */
    public long address() {
        return address;
    }

    /** Whether {@code [addr, addr + len)} lies inside this mapping. */
    public boolean containsAddress(long addr, long len) {
        return addr >= address && addr + len <= address + length;
    }

    boolean covers(long offset, long len) {
        return offset >= fileOffset && offset + len <= fileOffset + length;
    }

    /** A little-endian view of the mapping (its own position and limit). */
    ByteBuffer view() {
        return buffer.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    void retain() {
        int before = refs.getAndIncrement();
        if (before <= 0) {
            refs.decrementAndGet();
            throw new IllegalStateException("mapping of " + file + " already released");
        }
    }

    void release() {
        int now = refs.decrementAndGet();
        if (now == 0) unmap();
        else if (now < 0) throw new IllegalStateException("mapping of " + file + " released too often");
    }

    private void unmap() {
        LIVE.remove(this);
        if (UNSAFE == null) return; // left to the garbage collector
        try {
            UNSAFE.getClass().getMethod("invokeCleaner", ByteBuffer.class).invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // fall back to the garbage collector
        }
    }

    private static Object unsafe() {
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "MappedRegion[" + file + " bytes " + fileOffset + "-" + (fileOffset + length) + ", refs=" + refs.get()
                + "]";
    }
}
