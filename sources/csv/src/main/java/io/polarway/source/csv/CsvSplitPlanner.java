package io.polarway.source.csv;

import io.polarway.api.SourceSplit;
import io.polarway.error.IoException;
import io.polarway.error.Where;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Cuts a local, uncompressed CSV file into splits at record boundaries that are never inside quotes, so that reading
 * the splits in parallel yields exactly the records of a sequential read.
 *
 * <p><b>Quote-parity pre-scan.</b> In CSV as the reader parses it, a quote character opens or closes a quoted field,
 * or is one of a doubled pair inside one; so at a line break, the number of quote characters since the first data
 * record is odd exactly when the line break is inside a quoted field. The planner counts quotes (and line breaks,
 * for line numbers in errors) in each region between the planned cut points, eight bytes at a time and on several
 * threads; each split then starts after the first line break at or after its cut point where the running count is
 * even.
 *
 * <p><b>Validated.</b> A quote inside an unquoted field ({@code ab"c}, which the reader accepts as data) breaks the
 * parity rule. So each split reader, except the last, checks that it ends outside quotes; the reader of split i
 * starts at a true record boundary (by induction from split 0, which starts at the first data record), so when it
 * ends outside quotes the next boundary is a true one. If not, it fails with a {@link io.polarway.error.ParseException}
 * before any row of the next split is delivered (in the stream's default ordered mode): never a wrong row.
 *
 * <p>Files with a {@code comment_char} are not split (a comment line may hold any number of quotes).
 */
final class CsvSplitPlanner {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int SCAN_BUFFER_BYTES = 1 << 20;

    private CsvSplitPlanner() {
    }

    /**
     * One split: the records starting in {@code [start, end)}.
     *
     * @param index     0-based position
     * @param start     absolute offset of its first record
     * @param end       absolute offset after its last record
     * @param startLine line number at {@code start}
     * @param last      whether it ends at the end of the file
     */
    record CsvSplit(int index, long start, long end, long startLine, boolean last) implements SourceSplit {
        @Override
        public String splitId() {
            return "bytes[" + start + "," + end + ")";
        }

        @Override
        public long estimatedBytes() {
            return end - start;
        }
    }

    /**
     * @param dataStart     offset of the first data record
     * @param dataLine      its line number
     * @param size          file size
     * @param desired       the reader's hint (parallel readers)
     * @param splitBytes    target bytes per split (more, smaller splits than readers keep an ordered stream busy)
     */
    static List<CsvSplit> plan(Path path, String resource, byte quote, long dataStart, long dataLine, long size,
                               int desired, long splitBytes) {
        long span = size - dataStart;
        int n = (int) Math.max(1, Math.min(Math.max(desired, (span + splitBytes - 1) / splitBytes),
                span / Math.max(1, splitBytes / 2)));
        if (n <= 1 || span <= 0) return List.of(new CsvSplit(0, dataStart, size, dataLine, true));
        long[] cut = new long[n + 1];
        for (int i = 0; i <= n; i++) cut[i] = dataStart + span * i / n;

        long[][] counts = new long[n][];
        int threads = Math.max(1, Math.min(Math.min(desired, Runtime.getRuntime().availableProcessors()), n));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "polarway-csv-plan");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            List<Future<long[]>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long from = cut[i];
                long to = cut[i + 1];
                futures.add(pool.submit(() -> count(ch, from, to, quote)));
            }
            for (int i = 0; i < n; i++) counts[i] = futures.get(i).get();

            List<CsvSplit> splits = new ArrayList<>(n);
            long start = dataStart;
            long startLine = dataLine;
            long quotes = 0;
            long lines = dataLine;
            for (int i = 1; i < n; i++) {
                quotes += counts[i - 1][0];
                lines += counts[i - 1][1];
                long[] boundary = boundaryAfter(ch, cut[i], size, quote, (quotes & 1) == 1, lines);
                if (boundary == null || boundary[0] <= start || boundary[0] >= size) continue;
                splits.add(new CsvSplit(splits.size(), start, boundary[0], startLine, false));
                start = boundary[0];
                startLine = boundary[1];
            }
            splits.add(new CsvSplit(splits.size(), start, size, startLine, true));
            return splits;
        } catch (IOException e) {
            throw new IoException("cannot plan splits of " + resource + ": " + e.getMessage(),
                    Where.resource(resource), e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IoException("cannot plan splits of " + resource + ": " + c, Where.resource(resource), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IoException("interrupted planning splits of " + resource, Where.resource(resource), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {quote characters, line breaks} in {@code [from, to)}. */
    static long[] count(FileChannel ch, long from, long to, byte quote) throws IOException {
        byte[] b = new byte[SCAN_BUFFER_BYTES];
        ByteBuffer bb = ByteBuffer.wrap(b);
        long quotes = 0;
        long lines = 0;
        long q = pattern(quote);
        long nl = pattern((byte) '\n');
        for (long p = from; p < to; ) {
            bb.clear().limit((int) Math.min(b.length, to - p));
            int n = ch.read(bb, p);
            if (n <= 0) break;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                long w = (long) LONGS.get(b, i);
                quotes += zeroBytes(w ^ q);
                lines += zeroBytes(w ^ nl);
            }
            for (; i < n; i++) {
                if (b[i] == quote) quotes++;
                if (b[i] == '\n') lines++;
            }
            p += n;
        }
        return new long[]{quotes, lines};
    }

    /**
     * The first record boundary at or after {@code from}: just after a line break outside quotes.
     *
     * @param insideQuotes the parity at {@code from}
     * @return {offset, line number there}, or null when the file ends first
     */
    private static long[] boundaryAfter(FileChannel ch, long from, long size, byte quote, boolean insideQuotes,
                                        long line) throws IOException {
        byte[] b = new byte[64 * 1024];
        ByteBuffer bb = ByteBuffer.wrap(b);
        boolean inside = insideQuotes;
        long lines = line;
        for (long p = from; p < size; ) {
            bb.clear();
            int n = ch.read(bb, p);
            if (n <= 0) break;
            for (int i = 0; i < n; i++) {
                byte c = b[i];
                if (c == quote) {
                    inside = !inside;
                } else if (c == '\n') {
                    lines++;
                    if (!inside) return new long[]{p + i + 1, lines};
                }
            }
            p += n;
        }
        return null;
    }

    private static long pattern(byte value) {
        return (value & 0xffL) * 0x0101010101010101L;
    }

    /** Number of zero bytes in {@code v}, exactly (no false positives from borrows). */
    private static int zeroBytes(long v) {
        long y = (v & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL;
        y = ~(y | v | 0x7F7F7F7F7F7F7F7FL);
        return Long.bitCount(y);
    }
}
