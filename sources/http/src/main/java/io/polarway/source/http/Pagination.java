package io.polarway.source.http;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * How the next page is found. One instance per source; {@link #next} is called once per page, in order, after the page's
 * body has been read. Not thread-safe.
 */
abstract class Pagination {

    /** What one page said about the next one. */
    record PageResult(PageRequest request, URI finalUri, int records, List<String> linkHeaders,
                      Map<String, Object> captured) {
    }

    /** The names (JSON pointers) of body values the scheme needs captured. */
    List<String> pointers() {
        return List.of();
    }

    /** The first page's request, from the configured one. */
    abstract PageRequest first(PageRequest base);

    /** The next page's request, or null after the last page. */
    abstract PageRequest next(PageResult page);

    /** How query/body parameters are set: in the URL query or as top-level fields of a JSON body. */
    enum ParamsIn { QUERY, BODY }

    static PageRequest set(PageRequest r, ParamsIn in, String name, Object value) {
        return in == ParamsIn.QUERY ? r.withQueryParam(name, String.valueOf(value)) : r.withBodyField(name, value);
    }

    static String text(Object v) {
        if (v == null) return null;
        String s = v instanceof String str ? str : String.valueOf(v);
        return s.isEmpty() ? null : s;
    }

    /** One page only. */
    static final class None extends Pagination {
        @Override
        PageRequest first(PageRequest base) {
            return base;
        }

        @Override
        PageRequest next(PageResult page) {
            return null;
        }
    }

    /** RFC 8288 {@code Link: <url>; rel="next"}, resolved against the page's URL; stops when there is none. */
    static final class LinkNext extends Pagination {
        @Override
        PageRequest first(PageRequest base) {
            return base;
        }

        @Override
        PageRequest next(PageResult page) {
            String target = LinkHeader.find(page.linkHeaders(), "next");
            if (target == null || target.isBlank()) return null;
            return page.request().withUri(page.finalUri().resolve(target.trim()));
        }
    }

    /** A URL in the body (e.g. {@code /links/next}), resolved against the page's URL; stops when missing, null or empty. */
    static final class NextUrl extends Pagination {
        private final String pointer;

        NextUrl(String pointer) {
            this.pointer = pointer;
        }

        @Override
        List<String> pointers() {
            return List.of(pointer);
        }

        @Override
        PageRequest first(PageRequest base) {
            return base;
        }

        @Override
        PageRequest next(PageResult page) {
            String target = text(page.captured().get(pointer));
            if (target == null || target.isBlank()) return null;
            return page.request().withUri(page.finalUri().resolve(target.trim()));
        }
    }

    /** An opaque cursor in the body, sent back as a parameter; stops when missing, null or empty. */
    static final class Cursor extends Pagination {
        private final String pointer;
        private final String param;
        private final ParamsIn in;

        Cursor(String pointer, String param, ParamsIn in) {
            this.pointer = pointer;
            this.param = param;
            this.in = in;
        }

        @Override
        List<String> pointers() {
            return List.of(pointer);
        }

        @Override
        PageRequest first(PageRequest base) {
            return base;
        }

        @Override
        PageRequest next(PageResult page) {
            Object raw = page.captured().get(pointer);
            String cursor = text(raw);
            if (cursor == null) return null;
            return set(page.request(), in, param, raw instanceof Long ? raw : cursor);
        }
    }

    /** {@code page=1, 2, ...}; stops at the first page without records. */
    static final class PageNumber extends Pagination {
        private final String param;
        private final String sizeParam;
        private final Integer size;
        private final ParamsIn in;
        private long page;

        PageNumber(String param, long start, String sizeParam, Integer size, ParamsIn in) {
            this.param = param;
            this.page = start;
            this.sizeParam = sizeParam;
            this.size = size;
            this.in = in;
        }

        @Override
        PageRequest first(PageRequest base) {
            PageRequest r = set(base, in, param, page);
            return sizeParam != null && size != null ? set(r, in, sizeParam, (long) size) : r;
        }

        @Override
        PageRequest next(PageResult result) {
            if (result.records() == 0) return null;
            page++;
            return set(result.request(), in, param, page);
        }
    }

    /**
     * {@code offset=0, n, ...}: the offset grows by the records actually received, so a server that returns fewer than
     * the limit asked for loses nothing; stops at the first page without records.
     */
    static final class Offset extends Pagination {
        private final String param;
        private final String limitParam;
        private final Integer limit;
        private final ParamsIn in;
        private long offset;

        Offset(String param, String limitParam, Integer limit, ParamsIn in) {
            this.param = param;
            this.limitParam = limitParam;
            this.limit = limit;
            this.in = in;
        }

        @Override
        PageRequest first(PageRequest base) {
            PageRequest r = set(base, in, param, offset);
            return limit != null ? set(r, in, limitParam, (long) limit) : r;
        }

        @Override
        PageRequest next(PageResult result) {
            if (result.records() == 0) return null;
            offset += result.records();
            return set(result.request(), in, param, offset);
        }
    }
}
