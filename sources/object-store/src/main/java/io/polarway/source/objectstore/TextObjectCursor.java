package io.polarway.source.objectstore;

import io.polarway.config.Options;
import io.polarway.error.IoException;
import io.polarway.error.Where;
import io.polarway.format.Compression;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;

/**
 * A text object (CSV, JSON lines, ...) through its {@link TextFormat}: the format reads one sequential stream of the
 * object's ranged parts, so a line split across two parts is read across them (nothing to stitch, nothing lost or
 * repeated), and the last line counts without a final newline. gzip and Zstandard are detected from the first bytes.
 */
final class TextObjectCursor implements ObjectCursor {
    private final FormatReader reader;

    TextObjectCursor(ReadContext rc, ObjectInfo object, TextFormat format, Options formatOptions) {
        String uri = rc.uri(object);
        PartStream parts = rc.stream(object, 0, object.sizeBytes());
        InputStream in;
        try {
            in = Compression.decompress(parts);
        } catch (IOException e) {
            parts.close();
            throw new IoException("cannot read the start of " + uri + ": " + e.getMessage(), Where.resource(uri), e);
        } catch (RuntimeException | Error e) {
            parts.close();
            throw e;
        }
        try {
            this.reader = format.open(in, uri, formatOptions, rc.stats());
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
