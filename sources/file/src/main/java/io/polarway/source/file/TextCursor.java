package io.polarway.source.file;

import io.polarway.api.StatsRecorder;
import io.polarway.config.Options;
import io.polarway.error.IoException;
import io.polarway.error.Where;
import io.polarway.format.Compression;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;

/**
 * A text file (CSV, JSON lines, ...) through its {@link TextFormat}, decompressed when its first bytes say gzip or
 * Zstandard. The format reader sizes its batches to the rows asked for, so they usually pass to chunks unchanged.
 */
final class TextCursor implements BatchCursor {
    private final FormatReader reader;

    TextCursor(FileEntry file, TextFormat format, Options formatOptions, StatsRecorder stats) {
        InputStream in;
        try {
            in = Compression.decompress(Files.newInputStream(file.path()));
        } catch (IOException e) {
            throw new IoException("cannot open " + file + ": " + e, Where.resource(file.toString()), e);
        }
        try {
            this.reader = format.open(in, file.toString(), formatOptions, stats);
        } catch (RuntimeException | Error e) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the open failure is what matters
            }
            throw e;
        }
    }

    @Override
    public Schema schema() {
        return reader.schema();
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        return reader.read(allocator, Math.max(1, wantedRows));
    }

    @Override
    public void close() {
        reader.close();
    }
}
