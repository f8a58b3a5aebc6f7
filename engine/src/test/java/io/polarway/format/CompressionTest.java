package io.polarway.format;

import com.github.luben.zstd.ZstdOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class CompressionTest {
    private static final byte[] TEXT = "a,b\n1,2\n3,4\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

    @Test
    void plainBytesPassThrough() throws IOException {
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(TEXT))) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }

    @Test
    void gzipIsDetectedFromItsBytesIncludingConcatenatedMembers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 2; i++) {
            try (OutputStream gz = new GZIPOutputStream(new NonClosing(out))) {
                gz.write(TEXT);
            }
        }
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(out.toByteArray()))) {
            byte[] all = in.readAllBytes();
            assertThat(all).hasSize(TEXT.length * 2);
        }
    }

    @Test
    void zstdIsDetectedFromItsBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new ZstdOutputStream(out)) {
            z.write(TEXT);
        }
        assertThat(Compression.detect(out.toByteArray(), 4)).isEqualTo(Compression.ZSTD);
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(out.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(TEXT);
        }
    }

    @Test
    void suffixesAreStrippedForFormatDetection() {
        assertThat(Compression.stripSuffix("x.csv.gz")).isEqualTo("x.csv");
        assertThat(Compression.stripSuffix("x.JSONL.ZST")).isEqualTo("x.JSONL");
        assertThat(Compression.stripSuffix("x.csv")).isEqualTo("x.csv");
        assertThat(Compression.detect(new byte[]{0x1f}, 1)).isEqualTo(Compression.NONE);
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
