package io.polarway.source.objectstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The large object of the contract suite: {@value #ROWS} rows in the {@link RowsFormat} (over 200 MB), generated once
 * per JVM into a temporary file (streaming, a few seconds) and uploaded from it to each store; deleted at exit.
 */
final class LargeObject {
    static final long ROWS = 9_300_000;
    static final long MIN_BYTES = 200L << 20;
    private static Path file;

    private LargeObject() {
    }

    static synchronized Path file() {
        if (file == null) {
            try {
                Path f = Files.createTempFile("polarway-large-", ".rows");
                f.toFile().deleteOnExit();
                TestObjects.textFile(f, ROWS, "rows", false);
                if (Files.size(f) < MIN_BYTES) {
                    throw new IllegalStateException("the large object is only " + Files.size(f) + " bytes");
                }
                file = f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }
}
