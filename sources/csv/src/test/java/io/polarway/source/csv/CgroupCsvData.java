package io.polarway.source.csv;

import io.polarway.testkit.Caches;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;

/**
 * A large CSV generated deterministically (cached under {@link Caches#root()}) with its expected record count and
 * checksum, which {@link CgroupCsvChild} recomputes from the Arrow chunks. Columns: {@code id} (int64), {@code x}
 * (float64), {@code text} (utf8, quoted with a delimiter and a doubled quote in every seventh record, a quoted line
 * break in every 101st) and {@code day} (date).
 */
final class CgroupCsvData {
    private CgroupCsvData() {
    }

    record Expected(Path file, long rows, long checksum) {
    }

    static Expected ensure(long targetBytes) throws IOException {
        Path dir = Files.createDirectories(Caches.root().resolve("csv-test"));
        Path file = dir.resolve("cgroup-" + targetBytes + "-v1.csv");
        Path sidecar = dir.resolve(file.getFileName() + ".expected");
        if (Files.exists(file) && Files.exists(sidecar)) {
            String[] f = Files.readString(sidecar).trim().split(" ");
            return new Expected(file, Long.parseLong(f[0]), Long.parseLong(f[1]));
        }
        Path tmp = dir.resolve(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        long rows = 0;
        long checksum = 0;
        long written;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            byte[] header = "id,x,text,day\n".getBytes(StandardCharsets.US_ASCII);
            out.write(header);
            written = header.length;
            StringBuilder sb = new StringBuilder(128);
            while (written < targetBytes) {
                long i = rows;
                double x = (i % 100_000) / 8.0 - 1000;
                String text = text(i);
                int day = (int) (i % 20_000);
                sb.setLength(0);
                sb.append(i).append(',').append(x).append(',');
                if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0) {
                    sb.append('"').append(text.replace("\"", "\"\"")).append('"');
                } else {
                    sb.append(text);
                }
                sb.append(',').append(LocalDate.ofEpochDay(day)).append('\n');
                byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
                out.write(b);
                written += b.length;
                checksum += rowHash(i, x, text.getBytes(StandardCharsets.UTF_8), day);
                rows++;
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(sidecar, rows + " " + checksum);
        return new Expected(file, rows, checksum);
    }

    static String text(long i) {
        if (i % 101 == 0) return "multi\nline " + i;
        if (i % 7 == 0) return "say \"hi\", " + i;
        return "t" + (i * 7919 % 100_003);
    }

    /** Order-independent per-row hash: the sum over rows is the checksum. */
    static long rowHash(long id, double x, byte[] text, int day) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long v = id * 0x9E3779B97F4A7C15L ^ Double.doubleToLongBits(x) * 31 ^ h ^ (long) day << 40;
        return v ^ (v >>> 29);
    }
}
