package io.polarway.source.file;

import io.polarway.api.StatsRecorder;
import io.polarway.source.file.ipc.MappedIpcFile;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow IPC file, one batch per record batch: memory-mapped (buffers point into the mapping), or with
 * {@code use_mmap=false} read through the file channel into allocated memory.
 */
final class IpcMmapCursor implements BatchCursor {
    private final MappedIpcFile file;
    private final StatsRecorder stats;
    private final boolean mmap;
    private int next;

    IpcMmapCursor(FileEntry entry, long windowBytes, boolean mmap, StatsRecorder stats) {
        this.file = MappedIpcFile.open(entry.path(), windowBytes, mmap);
        this.mmap = mmap;
        this.stats = stats;
        stats.count("ipc_blocks", file.batchCount());
    }

    @Override
    public Schema schema() {
        return file.schema();
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        if (next >= file.batchCount()) return null;
        VectorSchemaRoot root = file.read(next, allocator);
        stats.addBytesRead(file.batchBytes(next));
        if (mmap) stats.count("mapped_bytes", file.batchBytes(next));
        next++;
        return root;
    }

    @Override
    public void close() {
        file.close();
    }
}
