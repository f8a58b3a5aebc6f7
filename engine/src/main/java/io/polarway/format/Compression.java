package io.polarway.format;

import com.github.luben.zstd.ZstdInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Compressed text inputs, detected from the bytes (magic numbers), not the name, so a misnamed file still reads:
 * gzip ({@code 1f 8b}) and Zstandard ({@code 28 b5 2f fd}). Multi-member gzip files are read to the end.
 */
public enum Compression {
    NONE, GZIP, ZSTD;

    private static final int GZIP_BUFFER_BYTES = 64 * 1024;

    /**
     * Wraps {@code in} in the right decompressor after peeking at its first bytes. The returned stream owns {@code in}.
     *
     * @throws IOException if the first bytes cannot be read or a decompressor cannot start (corrupt header)
     */
    public static InputStream decompress(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
        Compression c = detect(buffered);
        return switch (c) {
            case NONE -> buffered;
            case GZIP -> new GZIPInputStream(buffered, GZIP_BUFFER_BYTES);
            case ZSTD -> new ZstdInputStream(buffered).setContinuous(false);
        };
    }

    /** Peeks at the first four bytes of a stream that supports mark/reset; the position is unchanged. */
    public static Compression detect(InputStream in) throws IOException {
        if (!in.markSupported()) throw new IllegalArgumentException("stream must support mark/reset");
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        return detect(head, head.length);
    }

    /** Detects compression from the first {@code length} bytes of {@code head}. */
    public static Compression detect(byte[] head, int length) {
        if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return GZIP;
        if (length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
                && (head[3] & 0xff) == 0xfd) return ZSTD;
        return NONE;
    }

    /** The name without a {@code .gz}, {@code .gzip} or {@code .zst} suffix. */
    public static String stripSuffix(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String suffix : new String[]{".gz", ".gzip", ".zst", ".zstd"}) {
            if (lower.endsWith(suffix)) return name.substring(0, name.length() - suffix.length());
        }
        return name;
    }
}
