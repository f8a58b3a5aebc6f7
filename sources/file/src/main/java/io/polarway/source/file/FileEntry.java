package io.polarway.source.file;

import java.nio.file.Path;

/**
 * One file to read: where, how big, and as which format. Immutable; a plain description without open handles, so it
 * can be part of a {@link FileSplit}.
 *
 * @param displayName what errors and stats call the file (e.g. the object a local copy was staged from), or null for
 *                    its path
 */
record FileEntry(Path path, long sizeBytes, FileFormatKind format, String displayName) {

    FileEntry(Path path, long sizeBytes, FileFormatKind format) {
        this(path, sizeBytes, format, null);
    }

    /** The file URI the JNI scanner takes. */
    String uri() {
        return path.toUri().toString();
    }

    @Override
    public String toString() {
        return displayName != null ? displayName : path.toString();
    }
}
