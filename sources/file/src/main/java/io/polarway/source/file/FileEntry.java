package io.polarway.source.file;

import java.nio.file.Path;

/**
 * One file to read: where, how big, and as which format. Immutable; a plain description without open handles, so it
 * can be part of a {@link FileSplit}.
 */
record FileEntry(Path path, long sizeBytes, FileFormatKind format) {

    /** The file URI the JNI scanner takes. */
    String uri() {
        return path.toUri().toString();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
