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
 * record is odd exactly when the line break is inside a quoted field. The planner counts quotes in each region
 * between the planned cut points, eight bytes at a time and on several threads; each split then starts after the
 * first line break at or after its cut point where the running count is even. (Line numbers for errors in a split are
 * counted only when an error needs one: {@link #countLines}.)
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
     * @param last      whether it ends at the end of the file
     */
    record CsvSplit(int index, long start, long end, boolean last) implements SourceSplit {
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
     * @param size          file size
     * @param desired       the reader's hint (parallel readers)
     * @param splitBytes    target bytes per split (more, smaller splits than readers keep an ordered stream busy)
     */
    static List<CsvSplit> plan(Path path, String resource, byte quote, long dataStart, long size, int desired,
                               long splitBytes) {
        long span = size - dataStart;
        int n = (int) Math.max(1, Math.min(Math.max(desired, (span + splitBytes - 1) / splitBytes),
                span / Math.max(1, splitBytes / 2)));
        if (n <= 1 || span <= 0) return List.of(new CsvSplit(0, dataStart, size, true));
        long[] cut = new long[n + 1];
        for (int i = 0; i <= n; i++) cut[i] = dataStart + span * i / n;

        long[] counts = new long[n];
        int threads = Math.max(1, Math.min(Math.min(desired, Runtime.getRuntime().availableProcessors()), n));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "polarway-csv-plan");
            t.setDaemon(true);
            return t;
        });
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            List<Future<Long>> futures = new ArrayList<>(n - 1);
            for (int i = 0; i < n - 1; i++) { // the last region's count is never needed
                long from = cut[i];
                long to = cut[i + 1];
                futures.add(pool.submit(() -> count(ch, from, to, quote)));
            }
            for (int i = 0; i < n - 1; i++) counts[i] = futures.get(i).get();

            List<CsvSplit> splits = new ArrayList<>(n);
            long start = dataStart;
            long quotes = 0;
            for (int i = 1; i < n; i++) {
                quotes += counts[i - 1];
                long boundary = boundaryAfter(ch, cut[i], size, quote, (quotes & 1) == 1);
                if (boundary < 0 || boundary <= start || boundary >= size) continue;
                splits.add(new CsvSplit(splits.size(), start, boundary, false));
                start = boundary;
            }
            splits.add(new CsvSplit(splits.size(), start, size, true));
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

    /** The number of bytes equal to {@code value} in {@code [from, to)}, eight bytes at a time. */
    static long count(FileChannel ch, long from, long to, byte value) throws IOException {
        byte[] b = new byte[SCAN_BUFFER_BYTES];
        ByteBuffer bb = ByteBuffer.wrap(b);
        long count = 0;
        long pattern = pattern(value);
        for (long p = from; p < to; ) {
            bb.clear().limit((int) Math.min(b.length, to - p));
            int n = ch.read(bb, p);
            if (n <= 0) break;
            int i = 0;
            for (; i + 8 <= n; i += 8) count += zeroBytes((long) LONGS.get(b, i) ^ pattern);
            for (; i < n; i++) if (b[i] == value) count++;
            p += n;
        }
        return count;
    }

    /**
     * The line number at {@code offset} of a file whose line {@code dataLine} starts at {@code dataStart}: for errors
     * in a split, counted only when one needs it.
     */
    static long countLines(Path path, long dataStart, long dataLine, long offset) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return dataLine + count(ch, dataStart, offset, (byte) '\n');
        } catch (IOException e) {
            return -1; // the message then has no line: better than no message
        }
    }

    /**
     * The first record boundary at or after {@code from}: just after a line break outside quotes.
     *
     * @param insideQuotes the parity at {@code from}
     * @return the offset, or -1 when the file ends first
     */
    private static long boundaryAfter(FileChannel ch, long from, long size, byte quote, boolean insideQuotes)
            throws IOException {
        byte[] b = new byte[64 * 1024];
        ByteBuffer bb = ByteBuffer.wrap(b);
        boolean inside = insideQuotes;
        for (long p = from; p < size; ) {
            bb.clear();
            int n = ch.read(bb, p);
            if (n <= 0) break;
            for (int i = 0; i < n; i++) {
                byte c = b[i];
                if (c == quote) {
                    inside = !inside;
                } else if (c == '\n' && !inside) {
                    return p + i + 1;
                }
            }
            p += n;
        }
        return -1;
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
