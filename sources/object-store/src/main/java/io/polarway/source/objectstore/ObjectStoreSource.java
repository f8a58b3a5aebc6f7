package io.polarway.source.objectstore;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.source.file.ChunkAssembler;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the objects of one location (one object, or a glob's matches in key order) one after the other into chunks of
 * the size asked for; chunks may span objects (their schemas agree). Each object is fetched as ranged parts (see
 * {@link PartStream}) and read by its format's cursor. Splittable into runs of consecutive objects, which the adaptive
 * stream reads in parallel; every split shares the fetch threads, the part budget and the Parquet scanner.
 *
 * <p>Not thread-safe (one reader thread at a time, like every source); {@link #stats()} is.
 */
final class ObjectStoreSource extends AbstractStreamingSource implements SplittableSource {
    private final ReadContext rc;
    private final Shared shared;
    private final boolean owner;
    private final List<ObjectInfo> objects;
    private final List<ObjectFormat> formats;
    private final BufferAllocator readAllocator;
    private final ChunkAssembler assembler = new ChunkAssembler();
    private Schema target;
    private String reference;
    private int next;
    private ObjectCursor cursor;
    private ObjectInfo current;
    private boolean emittedRows;
    private boolean emittedEmpty;

    /** What the top-level source owns and its splits borrow. */
    static final class Shared implements AutoCloseable {
        final ObjectStore store;
        final PartBudget budget;
        final ExecutorService fetchThreads;
        final io.polarway.source.file.LocalParquetScanner parquet;
        private ExecutorService stager;

        Shared(ObjectStore store, PartBudget budget, ExecutorService fetchThreads,
               io.polarway.source.file.LocalParquetScanner parquet) {
            this.store = store;
            this.budget = budget;
            this.fetchThreads = fetchThreads;
            this.parquet = parquet;
        }

        synchronized ExecutorService stager() {
            if (stager == null) stager = threads("polarway-parquet-stager", 2);
            return stager;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (stager != null) stager.shutdownNow();
            }
            fetchThreads.shutdownNow();
            try {
                if (parquet != null) parquet.close();
            } finally {
                try {
                    budget.close();
                } finally {
                    store.close();
                }
            }
        }
    }

    static ExecutorService threads(String name, int count) {
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(count, count, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    ObjectStoreSource(SourceConfig config, SourceContext context, ReadContext rc, Shared shared, boolean owner,
                      List<ObjectInfo> objects, List<ObjectFormat> formats, Schema target, String reference,
                      String splitId) {
        super(shared.store.system(), config, context, splitId);
        this.shared = shared;
        this.owner = owner;
        this.objects = List.copyOf(objects);
        this.formats = List.copyOf(formats);
        this.readAllocator = context.allocator().newChildAllocator(
                splitId == null ? "object-read" : "object-read:" + splitId, 0, Long.MAX_VALUE);
        this.rc = rc.with(readAllocator, stats);
        this.target = target;
        this.reference = reference;
        if (owner) stats.count("objects_total", objects.size());
    }

    /** Settles the schema from the first object that has one (Parquet and IPC know it without reading rows). */
    void settleSchema() {
        ObjectFormat f = formats.get(0);
        if (f.kind() == ObjectFormat.Kind.TEXT) return; // known after the first chunk
        try (ObjectCursor c = open(0)) {
            target = project(c.schema());
            reference = uri(objects.get(0));
        }
    }

    private String uri(ObjectInfo o) {
        return rc.location().uriOf(o.key());
    }

    private ObjectCursor open(int index) {
        ObjectInfo o = objects.get(index);
        ObjectFormat f = formats.get(index);
        return switch (f.kind()) {
            case PARQUET -> new ParquetObjectCursor(rc, o, rc.window() > 1 ? shared.stager() : null);
            case IPC -> new IpcObjectCursor(rc, o);
            case TEXT -> new TextObjectCursor(rc, o, f.text(), rc.settings().formatOptions().get(f.text().name()));
        };
    }

    @Override
    protected Where where() {
        ObjectInfo o = current;
        return Where.resource(o != null ? uri(o) : rc.location().toString());
    }

    @Override
    public SourceMetadata metadata() {
        long size = objects.stream().mapToLong(ObjectInfo::sizeBytes).sum();
        return new SourceMetadata(target, size, -1, true, objects.size() > 1);
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        fill(maxRows);
        if (assembler.pendingRows() == 0) {
            if (!emittedRows && !emittedEmpty && target != null) {
                emittedEmpty = true;
                VectorSchemaRoot empty = VectorSchemaRoot.create(target, allocator);
                empty.setRowCount(0);
                return empty;
            }
            return null;
        }
        VectorSchemaRoot out = assembler.take(maxRows, target, allocator);
        emittedRows = true;
        return out;
    }

    private void fill(int maxRows) {
        while (assembler.pendingRows() < maxRows) {
            if (cursor == null) {
                if (next >= objects.size()) return;
                current = objects.get(next);
                cursor = open(next);
                if (cursor.schema() != null) check(project(cursor.schema()), current);
            }
            VectorSchemaRoot batch = cursor.next(readAllocator,
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxRows - assembler.pendingRows())));
            if (batch == null) {
                cursor.close();
                cursor = null;
                next++;
                stats.count("objects_read", 1);
                continue;
            }
            VectorSchemaRoot conformed;
            try {
                conformed = conform(batch);
            } catch (RuntimeException | Error e) {
                batch.close();
                throw e;
            }
            assembler.add(conformed);
        }
    }

    /** Projects ({@code columns}, for formats that cannot push it down) and checks one batch against the target. */
    private VectorSchemaRoot conform(VectorSchemaRoot batch) {
        VectorSchemaRoot b = batch;
        List<String> columns = rc.settings().columns();
        if (columns != null && formats.get(next).kind() != ObjectFormat.Kind.PARQUET) b = project(batch, columns);
        Schema s = b.getSchema();
        if (target == null) {
            target = s;
            reference = uri(current);
        } else {
            check(s, current);
        }
        if (!s.equals(target)) {
            // same names and types, other nullability or metadata: re-label, without copying
            List<FieldVector> moved = new ArrayList<>();
            for (int i = 0; i < target.getFields().size(); i++) {
                TransferPair tp = b.getVector(i).getTransferPair(target.getFields().get(i), readAllocator);
                tp.transfer();
                moved.add((FieldVector) tp.getTo());
            }
            int rows = b.getRowCount();
            b.close();
            return new VectorSchemaRoot(target.getFields(), moved, rows);
        }
        return b;
    }

    private Schema project(Schema s) {
        List<String> columns = rc.settings().columns();
        if (s == null || columns == null) return s;
        List<Field> out = new ArrayList<>();
        for (String c : columns) {
            Field f = find(s, c);
            if (f == null) {
                throw new SchemaException("column '" + c + "' (from the 'columns' option) is not in " + uri(current())
                        + "; its columns: " + s.getFields().stream().map(Field::getName).toList(), where(), null);
            }
            out.add(f);
        }
        return new Schema(out, s.getCustomMetadata());
    }

    private ObjectInfo current() {
        return current != null ? current : objects.get(0);
    }

    private static Field find(Schema s, String name) {
        for (Field f : s.getFields()) if (f.getName().equals(name)) return f;
        return null;
    }

    /** {@code batch} with only {@code columns}, in that order; the other vectors are closed. Consumes {@code batch}. */
    private VectorSchemaRoot project(VectorSchemaRoot batch, List<String> columns) {
        Schema projected = project(batch.getSchema());
        List<FieldVector> kept = new ArrayList<>();
        for (String c : columns) {
            TransferPair tp = batch.getVector(c).getTransferPair(readAllocator);
            tp.transfer();
            kept.add((FieldVector) tp.getTo());
        }
        int rows = batch.getRowCount();
        batch.close();
        return new VectorSchemaRoot(projected.getFields(), kept, rows);
    }

    /** Same column names and types as the target (nullability and metadata may differ). */
    private void check(Schema s, ObjectInfo object) {
        if (target == null || s == null) return;
        List<Field> a = target.getFields();
        List<Field> b = s.getFields();
        boolean same = a.size() == b.size();
        for (int i = 0; same && i < a.size(); i++) {
            same = a.get(i).getName().equals(b.get(i).getName()) && a.get(i).getType().equals(b.get(i).getType())
                    && a.get(i).getChildren().equals(b.get(i).getChildren());
        }
        if (!same) {
            throw new SchemaException("the schema of " + uri(object) + " " + describe(s) + " differs from that of "
                    + reference + " " + describe(target), Where.resource(uri(object)), null);
        }
    }

    private static String describe(Schema s) {
        return s.getFields().stream().map(f -> f.getName() + ":" + f.getType()).toList().toString();
    }

    @Override
    public List<? extends SourceSplit> planSplits(int desiredSplits) {
        int n = objects.size();
        int k = Math.max(1, Math.min(desiredSplits, n));
        List<ObjectSplit> out = new ArrayList<>(k);
        int start = 0;
        for (int s = 0; s < k; s++) {
            int end = s == k - 1 ? n : start + Math.max(1, (n - start) / (k - s));
            out.add(new ObjectSplit(s, objects.subList(start, end), uri(objects.get(start))));
            start = end;
        }
        return out;
    }

    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext ctx) {
        if (!(split instanceof ObjectSplit os)) {
            throw new IllegalArgumentException("not a split of the object-store source: " + split);
        }
        int from = objects.indexOf(os.objects().get(0));
        return new ObjectStoreSource(config, ctx, rc, shared, false, os.objects(),
                formats.subList(from, from + os.objects().size()), target, reference, os.splitId());
    }

    @Override
    protected void doClose() {
        try {
            if (cursor != null) cursor.close();
        } finally {
            cursor = null;
            assembler.close();
            readAllocator.close();
            if (owner) {
                stats.count("part_memory_peak_bytes", shared.budget.peakBytes());
                stats.count("part_memory_limit_bytes", shared.budget.capacityBytes());
                if (shared.parquet != null && shared.parquet.nativePeakBytes() > 0) {
                    stats.count("native_peak_bytes", shared.parquet.nativePeakBytes());
                }
                shared.close();
            }
        }
    }

    void countListing(long pages) {
        if (pages > 0) stats.count("list_pages", pages);
    }

    /** The budget's peak so far (for tests and the benchmark). */
    long partMemoryPeakBytes() {
        return shared.budget.peakBytes();
    }

    @Override
    public String toString() {
        return "ObjectStoreSource{" + rc.location() + ", objects=" + objects.size() + '}';
    }
}
