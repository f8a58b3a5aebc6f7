package io.polarway.source.file.ipc;

import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * An Arrow IPC file read without copying: each record batch's body is memory-mapped and handed to Arrow as the
 * buffers' own memory, so a chunk's vectors point into the page cache.
 *
 * <p>The file is mapped in windows of at most {@code windowBytes} (a Java 17 mapping cannot exceed 2 GiB), each
 * covering whole record batches; a window is unmapped when the reader has moved past it and the last chunk pointing
 * into it is closed (see {@link MappedRegion}). Before any mapped byte is touched, the frame (magic numbers, footer
 * length), the footer and every block's bounds are checked against the file size, and each batch's buffers are
 * checked against their vectors' lengths, so a truncated or corrupt file is a {@link ParseException} naming the file,
 * never a fault in the JVM.
 *
 * <p>Not thread-safe.
 */
public final class MappedIpcFile implements AutoCloseable {
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** Largest window: what one {@link FileChannel#map} may cover on Java 17. */
    public static final long MAX_WINDOW_BYTES = Integer.MAX_VALUE;

    private final Path path;
    private final String resource;
    private final FileChannel channel;
    private final long size;
    private final long windowBytes;
    private final boolean mmap;
    private final Schema schema;
    private final List<ArrowBlock> batches;
    private MappedRegion current;
    private boolean closed;

    private MappedIpcFile(Path path, FileChannel channel, long size, long windowBytes, boolean mmap, Schema schema,
                          List<ArrowBlock> batches) {
        this.mmap = mmap;
        this.path = path;
        this.resource = path.toString();
        this.channel = channel;
        this.size = size;
        this.windowBytes = windowBytes;
        this.schema = schema;
        this.batches = batches;
    }

    /**
     * Opens and checks {@code path}.
     *
     * @param windowBytes the largest mapping, at most {@link #MAX_WINDOW_BYTES}
     * @throws ParseException  when the file is not a well-formed Arrow IPC file
     * @throws SchemaException when it uses dictionary encoding (not supported without copying)
     * @throws IoException     when it cannot be read
     */
    public static MappedIpcFile open(Path path, long windowBytes) {
        return open(path, windowBytes, true);
    }

    /**
     * Opens and checks {@code path}; with {@code mmap} false each batch is read through the file channel into memory
     * from the allocator instead of being mapped (same checks, one copy).
     */
    public static MappedIpcFile open(Path path, long windowBytes, boolean mmap) {
        String resource = path.toString();
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new IoException("cannot open " + resource + ": " + e, Where.resource(resource), e);
        }
        try {
            long size = ch.size();
            if (size < MAGIC.length * 2 + 2 + 4) {
                throw new ParseException("not an Arrow IPC file: " + size + " bytes is shorter than its frame "
                        + "(truncated?)", Where.resource(resource).withByteOffset(0), null);
            }
            ByteBuffer head = read(ch, 0, MAGIC.length);
            if (!head.equals(ByteBuffer.wrap(MAGIC))) {
                throw new ParseException("not an Arrow IPC file: no ARROW1 magic at the start",
                        Where.resource(resource).withByteOffset(0), null);
            }
            ByteBuffer tail = read(ch, size - 4 - MAGIC.length, 4 + MAGIC.length);
            if (!tail.slice(4, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))) {
                throw new ParseException("truncated or corrupt Arrow IPC file: no ARROW1 magic at the end",
                        Where.resource(resource).withByteOffset(size - MAGIC.length), null);
            }
            int footerLength = tail.getInt(0);
            long footerStart = size - 4 - MAGIC.length - footerLength;
            if (footerLength <= 0 || footerStart < 8) {
                throw new ParseException("corrupt Arrow IPC file: footer length " + footerLength + " does not fit "
                        + "the file", Where.resource(resource).withByteOffset(size - 10), null);
            }
            ArrowFooter footer;
            try {
                footer = new ArrowFooter(Footer.getRootAsFooter(read(ch, footerStart, footerLength)));
            } catch (RuntimeException e) {
                throw new ParseException("corrupt Arrow IPC footer: " + e, Where.resource(resource)
                        .withByteOffset(footerStart), e);
            }
            for (Field f : footer.getSchema().getFields()) requirePlain(f, resource);
            if (!footer.getDictionaries().isEmpty()) {
                throw new SchemaException("dictionary batches are not supported in " + resource,
                        Where.resource(resource), null);
            }
            for (ArrowBlock b : footer.getRecordBatches()) {
                if (b.getOffset() < 8 || b.getMetadataLength() <= 0 || b.getBodyLength() < 0
                        || b.getOffset() + b.getMetadataLength() + b.getBodyLength() > footerStart) {
                    throw new ParseException("corrupt Arrow IPC file: a record batch block (offset " + b.getOffset()
                            + ", " + b.getMetadataLength() + " + " + b.getBodyLength() + " bytes) lies outside the "
                            + "data", Where.resource(resource).withByteOffset(b.getOffset()), null);
                }
            }
            long window = Math.max(1, Math.min(windowBytes, MAX_WINDOW_BYTES));
            return new MappedIpcFile(path, ch, size, window, mmap, footer.getSchema(),
                    List.copyOf(footer.getRecordBatches()));
        } catch (IOException e) {
            closeQuietly(ch);
            throw new IoException("cannot read " + resource + ": " + e, Where.resource(resource), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static void requirePlain(Field f, String resource) {
        if (f.getDictionary() != null) {
            throw new SchemaException("column '" + f.getName() + "' of " + resource + " is dictionary-encoded, "
                    + "which this reader does not support", Where.resource(resource), null);
        }
        for (Field c : f.getChildren()) requirePlain(c, resource);
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            int n = ch.read(b, position + b.position());
            if (n < 0) throw new IOException("unexpected end of file at byte " + (position + b.position()));
        }
        return b.flip();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was read
        }
    }

    public Schema schema() {
        return schema;
    }

    /** Number of record batches. */
    public int batchCount() {
        return batches.size();
    }

    public long sizeBytes() {
        return size;
    }

    /** Bytes of record batch {@code index} (metadata and body), for stats. */
    public long batchBytes(int index) {
        ArrowBlock b = batches.get(index);
        return b.getMetadataLength() + b.getBodyLength();
    }

    /**
     * Record batch {@code index} as a new root in {@code allocator} whose buffers point into the mapping.
     *
     * @throws ParseException               when the batch is corrupt
     * @throws OutOfMemoryException         when the allocator cannot account the batch (nothing is kept)
     */
    public VectorSchemaRoot read(int index, BufferAllocator allocator) {
        if (closed) throw new IllegalStateException("closed");
        ArrowBlock block = batches.get(index);
        Where where = Where.resource(resource).withByteOffset(block.getOffset());
        MappedRegion region = null;
        ByteBuffer view;
        int pos;
        if (mmap) {
            region = region(block.getOffset(), block.getMetadataLength() + block.getBodyLength());
            view = region.view();
            pos = (int) (block.getOffset() - region.fileOffset());
        } else {
            try {
                view = read(channel, block.getOffset(), block.getMetadataLength());
            } catch (IOException e) {
                throw new IoException("cannot read " + resource + ": " + e, where, e);
            }
            pos = 0;
        }
        int prefix = view.getInt(pos);
        int metadataLength;
        int flatbufferStart;
        if (prefix == -1) { // continuation marker, then the length (format 0.15 and later)
            metadataLength = view.getInt(pos + 4);
            flatbufferStart = pos + 8;
        } else {
            metadataLength = prefix;
            flatbufferStart = pos + 4;
        }
        if (metadataLength <= 0 || flatbufferStart + metadataLength > pos + block.getMetadataLength()) {
            throw new ParseException("corrupt Arrow IPC message: metadata length " + metadataLength
                    + " does not fit its block of " + block.getMetadataLength() + " bytes", where, null);
        }
        RecordBatch recordBatch;
        long bodyLength;
        try {
            Message message = Message.getRootAsMessage(view.slice(flatbufferStart, metadataLength)
                    .order(ByteOrder.LITTLE_ENDIAN));
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new ParseException("corrupt Arrow IPC file: block " + index + " is not a record batch (type "
                        + message.headerType() + ")", where, null);
            }
            bodyLength = message.bodyLength();
            recordBatch = (RecordBatch) message.header(new RecordBatch());
            if (recordBatch == null || bodyLength != block.getBodyLength()) {
                throw new ParseException("corrupt Arrow IPC message: body of " + bodyLength + " bytes, the footer "
                        + "says " + block.getBodyLength(), where, null);
            }
            if (recordBatch.compression() != null
                    && recordBatch.compression().codec() != CompressionUtil.CodecType.NO_COMPRESSION.getType()) {
                throw new ParseException("compressed Arrow IPC buffers cannot be mapped without copying; write the "
                        + "file uncompressed", where, null);
            }
        } catch (PolarwayException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ParseException("corrupt Arrow IPC message: " + e, where, e);
        }

        ArrowBuf body;
        if (mmap) {
            long bodyAddress = region.address() + pos + block.getMetadataLength();
            region.retain();
            // on failure wrapForeignAllocation releases the allocation (and so the reference just taken)
            body = allocator.wrapForeignAllocation(new RegionAllocation(region, bodyAddress, bodyLength));
        } else {
            body = allocator.buffer(bodyLength);
            try {
                ByteBuffer target = body.nioBuffer(0, (int) bodyLength);
                long at = block.getOffset() + block.getMetadataLength();
                while (target.hasRemaining()) {
                    int n = channel.read(target, at + target.position());
                    if (n < 0) throw new IOException("unexpected end of file");
                }
            } catch (IOException e) {
                body.close();
                throw new IoException("cannot read " + resource + ": " + e, where, e);
            }
        }
        VectorSchemaRoot root = null;
        try {
            body.getReferenceManager().retain(); // deserializeRecordBatch releases the body once...
            ArrowRecordBatch deserialized;
            try {
                deserialized = MessageSerializer.deserializeRecordBatch(recordBatch, body);
            } catch (IOException | RuntimeException e) {
                body.getReferenceManager().release(); // ...but not when it fails
                throw e;
            }
            try (ArrowRecordBatch batch = deserialized) {
                root = VectorSchemaRoot.create(schema, allocator);
                new VectorLoader(root).load(batch);
            }
            ValueVectorUtility.validate(root);
            return root;
        } catch (OutOfMemoryException e) {
            if (root != null) root.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            if (root != null) root.close();
            throw new ParseException("corrupt Arrow IPC record batch: " + e.getMessage(), where, e);
        } finally {
            body.close();
        }
    }

    private MappedRegion region(long offset, long length) {
        if (current != null && current.covers(offset, length)) return current;
        if (length > MAX_WINDOW_BYTES) {
            throw new ParseException("a record batch of " + length + " bytes is larger than one mapping may be on "
                    + "this JVM (2 GiB); read it with use_mmap=false", Where.resource(resource).withByteOffset(offset),
                    null);
        }
        long mapLength = Math.min(size - offset, Math.max(length, windowBytes));
        mapLength = Math.min(mapLength, MAX_WINDOW_BYTES);
        MappedByteBuffer mapped;
        try {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, offset, mapLength);
        } catch (IOException e) {
            throw new IoException("cannot map " + resource + " bytes " + offset + "-" + (offset + mapLength) + ": "
                    + e, Where.resource(resource).withRange(offset, offset + mapLength - 1), e);
        }
        if (current != null) current.release();
        current = new MappedRegion(path, offset, mapped);
        return current;
    }

    /** Releases the reader's mapping and the file; chunks still pointing into a mapping keep it until closed. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (current != null) {
            current.release();
            current = null;
        }
        closeQuietly(channel);
    }
}
