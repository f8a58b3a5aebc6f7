package io.polarway.source.file;

import io.polarway.api.StatsRecorder;
import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.format.IpcStreamEnd;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Arrow IPC read through a file channel with Arrow's own readers, which copy each batch into Java-allocated buffers:
 * the stream format always, the file format with {@code use_mmap=false}.
 *
 * <p>Arrow's readers load a batch into their own root; the batch is then moved (not copied again) into the caller's
 * allocator. An allocation failure while loading loses that batch from the channel, so the cursor then reopens the
 * file and skips the batches already delivered.
 *
 * <p>A stream that simply stops after a complete batch (a writer that died before {@code end()}) would read as a
 * shorter stream: Arrow's reader takes the end of the channel for the end of the stream. The cursor therefore checks
 * that the stream ended with its end-of-stream marker ({@link IpcStreamEnd}), and otherwise fails naming the file and
 * the byte where it stops.
 */
final class ArrowReaderCursor implements BatchCursor {
    private final FileEntry file;
    private final boolean streamFormat;
    private final BufferAllocator readerAllocator;
    private final StatsRecorder stats;
    private FileChannel channel;
    private ArrowReader reader;
    private Schema schema;
    private long delivered;
    private long skip;
    private long lastBytes;
    private IpcStreamEnd end;

    ArrowReaderCursor(FileEntry file, boolean streamFormat, BufferAllocator parent, StatsRecorder stats) {
        this.file = file;
        this.streamFormat = streamFormat;
        this.stats = stats;
        this.readerAllocator = parent.newChildAllocator("ipc-reader:" + file.path().getFileName(), 0, Long.MAX_VALUE);
        try {
            open();
        } catch (RuntimeException | Error e) {
            closeReader();
            readerAllocator.close();
            throw e;
        }
    }

    private void open() {
        try {
            channel = FileChannel.open(file.path(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IoException("cannot open " + file + ": " + e, where(), e);
        }
        try {
            reader = streamFormat ? new ArrowStreamReader(channel, readerAllocator)
                    : new ArrowFileReader(channel, readerAllocator);
            schema = reader.getVectorSchemaRoot().getSchema();
            for (Field f : schema.getFields()) {
                if (f.getDictionary() != null) {
                    throw new SchemaException("column '" + f.getName() + "' of " + file + " is dictionary-encoded, "
                            + "which this reader does not support", where(), null);
                }
            }
            lastBytes = 0;
            end = new IpcStreamEnd(reader);
            end.messageRead();
        } catch (PolarwayException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ParseException("not a readable Arrow IPC " + (streamFormat ? "stream" : "file") + ": " + e,
                    where(), e);
        }
    }

    private Where where() {
        return Where.resource(file.toString());
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        while (true) {
            if (reader == null) {
                open();
                skip = delivered;
            }
            boolean more;
            try {
                more = reader.loadNextBatch();
            } catch (OutOfMemoryException e) {
                closeReader(); // the batch is lost from the channel: reopen and skip next time
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new ParseException("corrupt or truncated Arrow IPC " + (streamFormat ? "stream" : "file")
                        + ": " + e.getMessage(), where(), e);
            }
            countBytes();
            if (!more) {
                if (streamFormat) end.checkEnd(file.toString(), delivered);
                return null;
            }
            end.messageRead();
            VectorSchemaRoot loaded;
            try {
                loaded = reader.getVectorSchemaRoot();
                ValueVectorUtility.validate(loaded);
            } catch (IOException | RuntimeException e) {
                throw new ParseException("corrupt Arrow IPC record batch: " + e.getMessage(), where(), e);
            }
            if (skip > 0) {
                skip--;
                continue;
            }
            VectorSchemaRoot out = Batches.transfer(loaded, allocator);
            delivered++;
            return out;
        }
    }

    private void countBytes() {
        try {
            long now = reader.bytesRead();
            if (now > lastBytes) {
                stats.addBytesRead(now - lastBytes);
                lastBytes = now;
            }
        } catch (RuntimeException ignored) {
            // bytesRead is informational
        }
    }

    private void closeReader() {
        try {
            if (reader != null) reader.close();
            else if (channel != null) channel.close();
        } catch (IOException | RuntimeException e) {
            // the channel is gone either way
        }
        reader = null;
        channel = null;
    }

    @Override
    public void close() {
        closeReader();
        try {
            readerAllocator.close();
        } catch (IllegalStateException e) {
            throw new IoException("Arrow reader of " + file + " leaked memory: " + e.getMessage(), where(), e);
        }
    }
}
