package io.polarway.source.csv;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Where the parser's bytes come from: a stream (any source, already decompressed) or a range of a local file. */
interface ByteInput extends Closeable {

    /**
     * Reads up to {@code len} bytes; blocks until at least one is read.
     *
     * @return bytes read, or -1 at the end
     */
    int read(byte[] b, int off, int len) throws IOException;

    static ByteInput of(InputStream in) {
        return new ByteInput() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /**
     * The bytes {@code [from, to)} of a file, by positional reads (the channel may be shared by several readers; it
     * is closed with the input only when {@code owned}).
     */
    static ByteInput of(FileChannel channel, long from, long to, boolean owned) {
        return new ByteInput() {
            private long position = from;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                long left = to - position;
                if (left <= 0) return -1;
                int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), position);
                if (n < 0) return -1; // the file shrank
                position += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                if (owned) channel.close();
            }
        };
    }
}
