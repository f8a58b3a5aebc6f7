package io.polarway.source.objectstore;

import java.time.Duration;
import java.util.List;

/**
 * What the source needs from one object store (S3, Azure Blob, GCS): metadata of one object, one page of a listing,
 * and the bytes of one range. Implementations wrap the store's own SDK with its retries switched off: the source
 * retries itself ({@link RangeFetcher}), so that a broken range resumes from the last byte received instead of
 * starting over, under one retry budget and one backoff for every store.
 *
 * <p>Implementations are thread-safe: parts are fetched from several threads at once. Every call blocks. Failures are
 * the SDK's own exceptions (or {@link java.io.IOException}s); {@link #classify} says what they mean.
 */
interface ObjectStore extends AutoCloseable {

    /** The store family for messages and error types: {@code s3}, {@code azure}, {@code gcs}. */
    String system();

    /** Size and version of one object. */
    ObjectInfo head(String key) throws Exception;

    /**
     * One page of the keys that start with {@code prefix}, in the store's order (lexicographic for all three).
     *
     * @param pageToken null for the first page, else {@link ListPage#nextToken()} of the previous one
     */
    ListPage list(String prefix, String pageToken, int pageSize) throws Exception;

    /**
     * Streams bytes {@code [start, endExclusive)} of {@code object} — of the version {@link #head} or {@link #list}
     * saw, so that an object replaced during a read fails instead of mixing two versions — into {@code sink}, as they
     * arrive. Returns when the store's answer ended, which may be early (a truncated body): the caller counts the bytes.
     */
    void read(ObjectInfo object, long start, long endExclusive, ByteSink sink) throws Exception;

    /** What a failure of any call means: the source decides on retries and error types from this alone. */
    StoreFailure classify(Throwable failure);

    /** Releases connections and threads. */
    @Override
    void close();

    /** Receives a range's bytes in order. */
    @FunctionalInterface
    interface ByteSink {
        /** @throws java.io.IOException to abort the transfer (e.g. the read was cancelled) */
        void write(byte[] bytes, int offset, int length) throws java.io.IOException;
    }

    /**
     * One object.
     *
     * @param key       its key
     * @param sizeBytes its size
     * @param version   the ETag (S3, Azure) or generation (GCS) the reads are pinned to, or null when unknown
     */
    record ObjectInfo(String key, long sizeBytes, String version) {
    }

    /** @param nextToken null on the last page */
    record ListPage(List<ObjectInfo> objects, String nextToken) {
    }

    /**
     * A failure as the source sees it.
     *
     * @param kind       what happened
     * @param status     the HTTP status, or -1 (no answer: connection failure, timeout)
     * @param code       the store's error code (e.g. {@code SlowDown}, {@code NoSuchKey}), or null
     * @param retryAfter how long the server asked to wait, or null
     */
    record StoreFailure(Kind kind, int status, String code, Duration retryAfter) {
        public boolean retryable() {
            return kind == Kind.THROTTLED || kind == Kind.SERVER || kind == Kind.NETWORK || kind == Kind.TRUNCATED;
        }

        /** e.g. {@code 503 SlowDown} or {@code connection failure}. */
        public String describe() {
            if (status < 0) return kind.description;
            return status + (code != null ? " " + code : "");
        }
    }

    enum Kind {
        /** 404, NoSuchKey, BlobNotFound, or a missing bucket/container. */
        NOT_FOUND("not found"),
        /** 401/403: credentials missing or rejected. */
        ACCESS_DENIED("access denied"),
        /** 412: the object changed since it was listed (its ETag or generation no longer matches). */
        CHANGED("object changed"),
        /** 429, 503 SlowDown, ServerBusy: retry after a backoff. */
        THROTTLED("throttled"),
        /** 500, 502, 503, 504. */
        SERVER("server error"),
        /** Connection refused or reset, a timeout, a broken body. */
        NETWORK("connection failure"),
        /** The body ended before the range did. */
        TRUNCATED("truncated body"),
        /** Any other client error (400, 416, ...), and 501 Not Implemented: the same request would fail again. */
        CLIENT("request refused"),
        /** A bug or an unexpected exception: not retried. */
        OTHER("unexpected failure");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }
}
