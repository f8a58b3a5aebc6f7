package io.polarway.source.objectstore;

import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.format.IpcStreamEnd;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.ValueVectorUtility;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An Arrow IPC object, read front to back from its ranged parts. The stream format is read as it is; the file format
 * is the stream format between an 8-byte {@code ARROW1} header and a footer, so it is read the same way after the
 * header, stopping at the end-of-stream marker before the footer (no seeking, no footer fetch needed). Each record
 * batch is loaded by Arrow's reader and its buffers moved, not copied, into the caller's allocator.
 */
final class IpcObjectCursor implements ObjectCursor {
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private final String uri;
    private final BufferAllocator readerAllocator;
    private final ArrowStreamReader reader;
    private final Schema schema;
    /** A stream cut right after a batch must not pass for a whole one (the reader stops at any end of input). */
    private final IpcStreamEnd end;
    private long batches;

    IpcObjectCursor(ReadContext rc, ObjectInfo object) {
        this.uri = rc.uri(object);
        PartStream parts = rc.stream(object, 0, object.sizeBytes());
        BufferAllocator alloc = null;
        ArrowStreamReader r = null;
        try {
            InputStream in = new BufferedInputStream(parts, 64 * 1024);
            in.mark(8);
            byte[] head = in.readNBytes(8);
            boolean file = head.length >= 6 && java.util.Arrays.equals(java.util.Arrays.copyOf(head, 6), FILE_MAGIC);
            if (!file) in.reset();
            alloc = rc.readAllocator().newChildAllocator("ipc:" + object.key(), 0, Long.MAX_VALUE);
            r = new ArrowStreamReader(in, alloc);
            Schema s = r.getVectorSchemaRoot().getSchema();
            for (Field f : s.getFields()) {
                if (f.getDictionary() != null) {
                    throw new SchemaException("column '" + f.getName() + "' of " + uri + " is dictionary-encoded, "
                            + "which this reader does not support", Where.resource(uri), null);
                }
            }
            this.schema = s;
            this.reader = r;
            this.end = new IpcStreamEnd(r);
            end.messageRead();
            this.readerAllocator = alloc;
        } catch (PolarwayException e) {
            closeQuietly(r, alloc, parts);
            throw e;
        } catch (IOException | RuntimeException e) {
            closeQuietly(r, alloc, parts);
            throw new ParseException("not a readable Arrow IPC object: " + e.getMessage(), Where.resource(uri), e);
        }
    }

    private static void closeQuietly(ArrowStreamReader r, BufferAllocator alloc, PartStream parts) {
        try {
            if (r != null) r.close();
        } catch (IOException | RuntimeException ignored) {
            // failing already
        }
        parts.close();
        if (alloc != null) alloc.close();
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        boolean more;
        try {
            more = reader.loadNextBatch();
        } catch (PolarwayException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ParseException("corrupt or truncated Arrow IPC object after " + batches + " record batches: "
                    + e.getMessage(), Where.resource(uri), e);
        }
        if (!more) {
            end.checkEnd(uri, batches);
            return null;
        }
        end.messageRead();
        VectorSchemaRoot loaded;
        try {
            loaded = reader.getVectorSchemaRoot();
            ValueVectorUtility.validate(loaded);
        } catch (IOException | RuntimeException e) {
            throw new ParseException("corrupt Arrow IPC record batch " + batches + ": " + e.getMessage(),
                    Where.resource(uri), e);
        }
        batches++;
        List<FieldVector> moved = new ArrayList<>(loaded.getFieldVectors().size());
        for (FieldVector v : loaded.getFieldVectors()) {
            TransferPair tp = v.getTransferPair(allocator);
            tp.transfer();
            moved.add((FieldVector) tp.getTo());
        }
        int rows = loaded.getRowCount();
        loaded.setRowCount(0);
        return new VectorSchemaRoot(schema.getFields(), moved, rows);
    }

    @Override
    public void close() {
        try {
            reader.close(); // closes the stream and so the parts
        } catch (IOException | RuntimeException ignored) {
            // nothing more to release
        }
        readerAllocator.close();
    }
}
