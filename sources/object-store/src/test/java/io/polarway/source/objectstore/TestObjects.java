package io.polarway.source.objectstore;

import io.polarway.source.file.parquet.ParquetChunkFileWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Deterministic test objects: rows {@code id, name(id), amount(id)} for ids in a range, as text lines (the
 * {@link RowsFormat}, CSV, JSON lines), Parquet with several row groups, and Arrow IPC. Names vary in length so that
 * part boundaries fall at every position within lines.
 */
final class TestObjects {
    static final Schema SCHEMA = new Schema(List.of(
            new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
            new Field("name", FieldType.nullable(new ArrowType.Utf8()), null),
            new Field("amount", FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), null)));

    private TestObjects() {
    }

    static String name(long id) {
        return "n" + String.format("%016x", id * 0x9E3779B97F4A7C15L).substring(0, (int) (1 + id % 13));
    }

    static double amount(long id) {
        return (id % 1000) / 4.0;
    }

    /** Lines {@code id,name,amount} for ids {@code [from, to)}; the last line ends without a newline if asked. */
    static byte[] rows(long from, long to, boolean finalNewline) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeRows(out, from, to, finalNewline, "rows");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes rows in {@code format}: {@code rows} (no header), {@code csv} (header {@code id,name,amount}) or
     * {@code jsonl}.
     */
    static void writeRows(OutputStream os, long from, long to, boolean finalNewline, String format) throws IOException {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
        if (format.equals("csv")) w.write("id,name,amount\n");
        for (long id = from; id < to; id++) {
            if (format.equals("jsonl")) {
                w.write("{\"id\":" + id + ",\"name\":\"" + name(id) + "\",\"amount\":" + amount(id) + "}");
            } else {
                w.write(id + "," + name(id) + "," + amount(id));
            }
            if (id + 1 < to || finalNewline) w.write('\n');
        }
        w.flush();
    }

    /** A text file of ids {@code [0, rows)} in {@code format}, written streaming (any size). */
    static Path textFile(Path file, long rows, String format, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            writeRows(out, 0, rows, false, format);
        }
        return file;
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(bytes);
        }
        return b.toByteArray();
    }

    static void fill(VectorSchemaRoot root, long from, int n) {
        BigIntVector id = (BigIntVector) root.getVector(0);
        VarCharVector name = (VarCharVector) root.getVector(1);
        Float8Vector amount = (Float8Vector) root.getVector(2);
        id.allocateNew(n);
        name.allocateNew(n);
        amount.allocateNew(n);
        for (int i = 0; i < n; i++) {
            long v = from + i;
            id.set(i, v);
            name.setSafe(i, name(v).getBytes(StandardCharsets.UTF_8));
            amount.set(i, amount(v));
        }
        root.setRowCount(n);
    }

    /** Parquet of ids {@code [0, rows)} in row groups of {@code rowGroupRows}. */
    static Path parquet(Path file, long rows, int rowGroupRows) throws IOException {
        try (BufferAllocator a = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             ParquetChunkFileWriter w = ParquetChunkFileWriter.create(file, rowGroupRows, 64L << 20)) {
            w.open(SCHEMA);
            for (long from = 0; from < rows; from += 10_000) {
                int n = (int) Math.min(10_000, rows - from);
                fill(root, from, n);
                w.write(root);
            }
        }
        return file;
    }

    /** Arrow IPC (file or stream format) of ids {@code [0, rows)} in batches of {@code batchRows}. */
    static Path ipc(Path file, long rows, int batchRows, boolean stream) throws IOException {
        try (BufferAllocator a = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, a);
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             ArrowWriter w = stream ? new ArrowStreamWriter(root, null, Channels.newOutputStream(ch))
                     : new ArrowFileWriter(root, null, ch)) {
            w.start();
            for (long from = 0; from < rows; from += batchRows) {
                fill(root, from, (int) Math.min(batchRows, rows - from));
                w.writeBatch();
            }
            w.end();
        }
        return file;
    }
}
