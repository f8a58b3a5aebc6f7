package io.polarway.source.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.failsafe.Execution;
import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.error.ConnectorException;
import io.polarway.error.ErrorKind;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.format.FormatReader;
import io.polarway.records.RecordBatchBuilder;
import io.polarway.records.RecordOptions;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pages of an HTTP API one after another and turns their records into chunks. A page's body is parsed as it
 * arrives: records go into the {@link RecordBatchBuilder} one by one (once the schema is inferred, from the parser's
 * tokens straight into the chunk's vectors), and a chunk is built once it has {@code maxRows}
 * records or {@code max_chunk_bytes} of body text, whichever comes first; the rest of the page is read by the next
 * call. So a chunk may span pages and a page may span chunks, and neither the body nor the page is ever held whole.
 *
 * <p><b>Exactly once.</b> Each page has one retry budget ({@code retry_attempts}) for its request and its body. A body
 * that breaks half-way (connection reset, read timeout) is requested again and the records already taken from it are
 * skipped, so none is lost or repeated (this assumes the API answers the same request with the same page, as cursor
 * and offset APIs do). A request for a page already read is an error (the loop guard), so an API that repeats a next
 * link or cursor cannot make the stream loop.
 *
 * <p>Not thread-safe, like every source. Blocking: reads wait on the network, the rate limit and retry delays.
 */
final class HttpSource extends AbstractStreamingSource {
    private final HttpSettings settings;
    private final Options options;
    private final HttpTransport transport;
    private final RecordBatchBuilder builder;
    private final Pagination pagination;
    private final List<String> pointers;
    private final Set<PageRequest.Key> seen = new HashSet<>();
    private final String resource;
    private PageRequest nextRequest;
    private Page page;
    private long pagesOpened;
    private long pendingBytes;
    private Schema csvSchema;

    HttpSource(SourceConfig config, SourceContext context, HttpSettings settings, Options options) {
        this(config, context, settings, options, Clock.systemUTC());
    }

    HttpSource(SourceConfig config, SourceContext context, HttpSettings settings, Options options, Clock clock) {
        super("http", config, context, null);
        this.settings = settings;
        this.options = options;
        this.transport = new HttpTransport(settings, config.credentials(), stats, clock);
        try {
            this.resource = transport.redact(settings.base().uri());
            // records go into the chunk's vectors as they are parsed, allocated from the budget
            this.builder = RecordOptions.builder(resource, options, stats).allocator(context.allocator()).build();
            this.pagination = settings.newPagination();
            List<String> ps = new java.util.ArrayList<>(pagination.pointers());
            if (settings.hasMorePointer() != null) ps.add(settings.hasMorePointer());
            this.pointers = List.copyOf(ps);
            this.nextRequest = pagination.first(settings.base());
        } catch (RuntimeException | Error e) {
            transport.close();
            if (e instanceof IllegalArgumentException) {
                throw new ConfigException(null, e.getMessage(), List.of(), e);
            }
            throw e;
        }
    }

    @Override
    public SourceMetadata metadata() {
        Schema schema = csvSchema != null ? csvSchema : builder.schema();
        return new SourceMetadata(schema, -1, -1, false, false);
    }

    @Override
    protected Where where() {
        return page != null ? page.where : Where.resource(resource);
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        if (page == null && nextRequest != null && builder.pendingRows() == 0) openNextPage();
        if (page != null && page.csv != null || "csv".equals(settings.format())) return readCsv(allocator, maxRows);
        while ((builder.pendingRows() < maxRows || builder.wantsMoreForInference())
                && pendingBytes < settings.maxChunkBytes()) {
            if (page == null) {
                if (nextRequest == null) break;
                openNextPage();
                if (page.csv != null) {
                    if (builder.pendingRows() > 0) break; // a CSV page after JSON ones: build what is pending first
                    return readCsv(allocator, maxRows);
                }
            }
            if (!page.nextInto(builder)) {
                finishPage();
                continue;
            }
            pendingBytes += page.reader.recordBytes();
        }
        int before = builder.pendingRows();
        if (before == 0) return null; // no page left, nothing pending: the true end
        VectorSchemaRoot root = builder.build(allocator, maxRows);
        int after = builder.pendingRows();
        pendingBytes = after == 0 ? 0 : (long) ((double) pendingBytes * after / before);
        return root;
    }

    /** CSV bodies go through the csv module's reader, page after page; every page must have the same schema. */
    private VectorSchemaRoot readCsv(BufferAllocator allocator, int maxRows) {
        while (true) {
            if (page == null) {
                if (nextRequest == null) return null;
                openNextPage();
            }
            if (page.csv == null) {
                throw new ConfigException(HttpSourceFactory.FORMAT.key(), "a page answered with "
                        + page.contentType + " after CSV pages; set 'format' to the body format", List.of(), null);
            }
            VectorSchemaRoot root = page.readCsv(allocator, maxRows);
            if (root == null) {
                finishPage();
                continue;
            }
            if (csvSchema == null) {
                csvSchema = root.getSchema();
            } else if (!csvSchema.equals(root.getSchema())) {
                root.close();
                throw new SchemaException("page " + page.number + " has the columns " + root.getSchema()
                        + ", the first page had " + csvSchema + "; give the CSV options a fixed schema", page.where,
                        null);
            }
            if (root.getRowCount() == 0) {
                root.close();
                continue;
            }
            return root;
        }
    }

    private void openNextPage() {
        PageRequest request = nextRequest;
        long number = pagesOpened + 1;
        Where where = Where.resource(transport.redact(request.uri())).withPage(number);
        if (!seen.add(request.key())) {
            throw new ConnectorException("http", "page " + number + " would request the same page as an earlier "
                    + "one (the API repeated a next link or cursor); stopping instead of looping", where, null, false);
        }
        pagesOpened = number;
        Page p = new Page(request, number, where);
        p.openAt(0);
        page = p;
        stats.count("http_pages", 1);
    }

    private void finishPage() {
        Page p = page;
        page = null;
        Map<String, Object> captured = p.reader == null ? Map.of() : p.reader.captured();
        Pagination.PageResult result = new Pagination.PageResult(p.request, p.response.uri(), (int) p.consumed,
                p.response.links(), captured);
        p.response.close(); // the body was read to its end: the connection goes back to the pool
        p.closeReaders();
        PageRequest next;
        try {
            next = pagination.next(result);
        } catch (IllegalArgumentException e) {
            throw new ParseException("cannot build the next page's request: " + e.getMessage(), p.where, e);
        }
        if (settings.hasMorePointer() != null && Boolean.FALSE.equals(captured.get(settings.hasMorePointer()))) {
            next = null;
        }
        if (settings.maxPages() > 0 && pagesOpened >= settings.maxPages()) next = null;
        nextRequest = next;
    }

    @Override
    protected void doClose() {
        try {
            if (page != null) page.abort();
            page = null;
        } finally {
            try {
                transport.close();
            } finally {
                builder.close();
            }
        }
    }

    /** One page being read: its response, its body reader, how many records were taken, its retry budget. */
    private final class Page {
        final PageRequest request;
        final long number;
        final Where where;
        final Execution<Object> execution;
        HttpTransport.OpenResponse response;
        JsonBodyReader reader;
        FormatReader csv;
        String contentType = "";
        long consumed;

        Page(PageRequest request, long number, Where where) {
            this.request = request;
            this.number = number;
            this.where = where;
            this.execution = transport.newExecution();
        }

        /** Sends the request (retrying) and skips the first {@code skip} records; a failure while skipping retries. */
        void openAt(long skip) {
            while (true) {
                response = transport.open(request, execution, where);
                contentType = response.contentType();
                try {
                    String format = format(contentType);
                    if (format.equals("csv")) {
                        openCsv(response.body(), skip);
                    } else {
                        reader = new JsonBodyReader(response.body(), settings.recordsPointer(), pointers,
                                format.equals("jsonl"));
                        for (long i = 0; i < skip; i++) {
                            if (!reader.skip()) throw pageChanged(skip);
                        }
                    }
                    return;
                } catch (StreamReadException e) {
                    abort();
                    throw malformed(e);
                } catch (JsonBodyReader.RecordsShapeException e) {
                    abort();
                    throw new ParseException(e.getMessage(), where, null);
                } catch (IOException e) {
                    abort();
                    transport.afterFailure(execution, e, request, where);
                    stats.count("http_page_resumes", 1);
                } catch (PolarwayException e) {
                    abort();
                    if (!isTransportFailure(e)) throw e;
                    transport.afterFailure(execution, (Exception) e.getCause(), request, where);
                    stats.count("http_page_resumes", 1);
                }
            }
        }

        private String format(String type) {
            String f = settings.format();
            if (!f.equals("auto")) return f;
            if (type.contains("csv")) return settings.csv() != null ? "csv" : failNoCsv();
            if (type.contains("ndjson") || type.contains("jsonl") || type.contains("x-ldjson")
                    || type.contains("json-seq")) {
                return "jsonl";
            }
            return "json";
        }

        private String failNoCsv() {
            throw new ConfigException(HttpSourceFactory.FORMAT.key(), "page " + number + " is CSV (" + contentType
                    + ") but no csv format is installed (add polarway-source-csv)", List.of(), null);
        }

        private void openCsv(InputStream body, long skip) {
            Options csvOptions = settings.csv().options().parse(subset(settings.csv().options().keys()));
            csv = settings.csv().open(body, where.describe(), csvOptions, stats);
            // skip rows already delivered: read them into a throwaway allocator
            long left = skip;
            while (left > 0) {
                try (BufferAllocator scratch = context.allocator().newChildAllocator("http-skip", 0, Long.MAX_VALUE)) {
                    VectorSchemaRoot r = csv.read(scratch, (int) Math.min(left, 65_536));
                    if (r == null) throw pageChanged(skip);
                    left -= r.getRowCount();
                    r.close();
                }
            }
        }

        private Map<String, String> subset(List<String> keys) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            config.options().forEach((k, v) -> {
                if (keys.contains(k)) out.put(k, v);
            });
            return out;
        }

        private ConnectorException pageChanged(long skip) {
            return new ConnectorException("http", "the page has fewer than the " + skip + " records read from it "
                    + "before a failure: the API answered the same request with another page", where, null, false);
        }

        /**
         * Adds the page's next record to the builder, resuming the page after a broken body (a record cut by the
         * failure is not added: it is read again); false at the end of the page's records.
         */
        boolean nextInto(RecordBatchBuilder builder) {
            while (true) {
                try {
                    if (!reader.nextInto(builder, where)) {
                        if (!reader.recordsFound()) {
                            throw new ParseException("records_pointer '" + settings.recordsPointer()
                                    + "' is not in the body", where, null);
                        }
                        return false;
                    }
                    consumed++;
                    return true;
                } catch (StreamReadException e) {
                    abort();
                    throw malformed(e);
                } catch (JsonBodyReader.RecordsShapeException e) {
                    long offset = reader.byteOffset();
                    abort();
                    throw new ParseException(e.getMessage(), where.withByteOffset(offset), null);
                } catch (IOException e) {
                    resumeAfter(e);
                }
            }
        }

        VectorSchemaRoot readCsv(BufferAllocator allocator, int maxRows) {
            while (true) {
                try {
                    VectorSchemaRoot r = csv.read(allocator, maxRows);
                    if (r != null) consumed += r.getRowCount();
                    return r;
                } catch (PolarwayException e) {
                    if (!isTransportFailure(e)) throw e;
                    resumeAfter((Exception) e.getCause());
                }
            }
        }

        /** Whether a format reader's error is the connection failing under it (not bad data). */
        private boolean isTransportFailure(PolarwayException e) {
            return (e.kind() == ErrorKind.IO || e.kind() == ErrorKind.NETWORK) && e.getCause() instanceof IOException;
        }

        private void resumeAfter(Exception failure) {
            abort();
            transport.afterFailure(execution, failure, request, where);
            stats.count("http_page_resumes", 1);
            openAt(consumed);
        }

        private ParseException malformed(StreamReadException e) {
            JsonLocation loc = e.getLocation();
            Where at = where;
            if (loc != null) {
                at = at.withByteOffset(loc.getByteOffset()).withLine(loc.getLineNr()).withColumn(loc.getColumnNr());
            }
            return new ParseException("malformed JSON in the body: " + e.getOriginalMessage(), at, null);
        }

        void abort() {
            if (response != null) response.abort();
            closeReaders();
        }

        void closeReaders() {
            try {
                if (reader != null) reader.close();
            } catch (IOException ignored) {
                // the response is closed already
            }
            if (csv != null) csv.close();
            reader = null;
            csv = null;
        }
    }
}
