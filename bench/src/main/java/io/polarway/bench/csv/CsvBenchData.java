package io.polarway.bench.csv;

import io.polarway.testkit.Caches;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The CSV files the read benchmark parses, generated deterministically (seeded) into
 * {@code <cache>/csv-bench/<dataset>-<bytes>-v1.csv} once, so reruns reuse them (the cache is {@link Caches#root()}).
 * A sidecar {@code .rows} file holds the record count.
 *
 * <ul>
 *   <li>{@code numeric}: {@code id,a,b,c,x,y,z,flag} — four int64 columns (small and large values, negatives), three
 *       float64 columns (2 to 6 fraction digits), one boolean; about 60 bytes a record;</li>
 *   <li>{@code strings}: {@code id,name,city,email,comment,day} — short words, an e-mail, a comment that is quoted
 *       in a quarter of the records (holding delimiters and doubled quotes), and an ISO date; about 90 bytes a
 *       record.</li>
 * </ul>
 * No record holds a quoted line break: Arrow C++'s CSV reader (a peer) splits blocks at any line break unless told
 * otherwise, and the comparison must be on input every reader parses correctly. The CSV source's handling of quoted
 * line breaks is covered by its tests.
 */
public final class CsvBenchData {
    private static final String VERSION = "v1";
    private static final String[] WORDS = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
            "india", "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra",
            "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu"};
    private static final String[] CITIES = {"Paris", "Zurich", "Lisbon", "Oslo", "Kyiv", "Dakar", "Lima", "Osaka",
            "Quito", "Perth", "Austin", "Reykjavik"};

    private CsvBenchData() {
    }

    /** A generated file of about {@code targetBytes} (whole records), created on first use under a file lock. */
    public static Path ensure(String dataset, long targetBytes) {
        Path dir = Caches.root().resolve("csv-bench");
        Path file = dir.resolve(dataset + "-" + targetBytes + "-" + VERSION + ".csv");
        Path rows = rowsFile(file);
        if (Files.exists(file) && Files.exists(rows)) return file;
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                if (Files.exists(file) && Files.exists(rows)) return file;
                Path tmp = dir.resolve(file.getFileName() + ".tmp");
                long n;
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                    n = switch (dataset) {
                        case "numeric" -> numeric(out, targetBytes);
                        case "strings" -> strings(out, targetBytes);
                        default -> throw new IllegalArgumentException("unknown dataset " + dataset
                                + " (numeric, strings)");
                    };
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(rows, Long.toString(n));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate " + file, e);
        }
    }

    /** The number of records of a generated file. */
    public static long rows(Path file) {
        try {
            return Long.parseLong(Files.readString(rowsFile(file)).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path rowsFile(Path csv) {
        return csv.resolveSibling(csv.getFileName() + ".rows");
    }

    private static long numeric(OutputStream os, long target) throws IOException {
        Out out = new Out(os);
        out.ascii("id,a,b,c,x,y,z,flag\n");
        SplittableRandom rnd = new SplittableRandom(20_240_101L);
        long i = 0;
        while (out.written < target) {
            out.number(i).comma();
            out.number(rnd.nextInt(0, 1000)).comma();
            out.number(rnd.nextLong(-1_000_000_000L, 1_000_000_000L)).comma();
            out.number(rnd.nextLong(0, Long.MAX_VALUE >>> 8)).comma();
            out.decimal(rnd.nextLong(-10_000_000L, 10_000_000L), 2).comma();
            out.decimal(rnd.nextLong(0, 1_000_000_000L), 6).comma();
            out.decimal(rnd.nextLong(-100_000_000L, 100_000_000L), 4).comma();
            out.ascii(rnd.nextBoolean() ? "true" : "false").newline();
            i++;
        }
        out.flush();
        return i;
    }

    private static long strings(OutputStream os, long target) throws IOException {
        Out out = new Out(os);
        out.ascii("id,name,city,email,comment,day\n");
        SplittableRandom rnd = new SplittableRandom(20_240_102L);
        long i = 0;
        while (out.written < target) {
            String first = WORDS[rnd.nextInt(WORDS.length)];
            String last = WORDS[rnd.nextInt(WORDS.length)];
            out.number(i).comma();
            out.ascii(first).ascii(" ").ascii(last).comma();
            out.ascii(CITIES[rnd.nextInt(CITIES.length)]).comma();
            out.ascii(first).ascii(".").ascii(last).number(rnd.nextInt(1000)).ascii("@example.org").comma();
            int kind = rnd.nextInt(4);
            if (kind == 0) {
                out.ascii("\"").ascii(WORDS[rnd.nextInt(WORDS.length)]).ascii(", said \"\"")
                        .ascii(WORDS[rnd.nextInt(WORDS.length)]).ascii("\"\", then left\"");
            } else {
                for (int w = 0, n = 2 + rnd.nextInt(4); w < n; w++) {
                    if (w > 0) out.ascii(" ");
                    out.ascii(WORDS[rnd.nextInt(WORDS.length)]);
                }
            }
            out.comma();
            out.ascii(String.format(Locale.ROOT, "%04d-%02d-%02d", 1990 + rnd.nextInt(35), 1 + rnd.nextInt(12),
                    1 + rnd.nextInt(28))).newline();
            i++;
        }
        out.flush();
        return i;
    }

    /** A byte writer that formats numbers without objects (generation of a GB should take seconds). */
    private static final class Out {
        private final OutputStream out;
        private final byte[] digits = new byte[24];
        long written;

        Out(OutputStream out) {
            this.out = out;
        }

        Out ascii(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            out.write(b);
            written += b.length;
            return this;
        }

        Out comma() throws IOException {
            out.write(',');
            written++;
            return this;
        }

        void newline() throws IOException {
            out.write('\n');
            written++;
        }

        Out number(long v) throws IOException {
            if (v < 0) {
                out.write('-');
                written++;
                v = -v;
            }
            int p = digits.length;
            do {
                digits[--p] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v != 0);
            out.write(digits, p, digits.length - p);
            written += digits.length - p;
            return this;
        }

        /** {@code v / 10^scale} with exactly {@code scale} fraction digits. */
        Out decimal(long v, int scale) throws IOException {
            if (v < 0) {
                out.write('-');
                written++;
                v = -v;
            }
            long pow = 1;
            for (int k = 0; k < scale; k++) pow *= 10;
            number(v / pow);
            out.write('.');
            written++;
            long frac = v % pow;
            int p = digits.length;
            for (int k = 0; k < scale; k++) {
                digits[--p] = (byte) ('0' + frac % 10);
                frac /= 10;
            }
            out.write(digits, p, scale);
            written += scale;
            return this;
        }

        void flush() throws IOException {
            out.flush();
        }
    }
}
