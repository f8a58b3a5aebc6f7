package io.polarway.source.objectstore;

import io.polarway.error.AuthException;
import io.polarway.error.NetworkException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.source.objectstore.ObjectStore.StoreFailure;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Turns store failures into the engine's typed errors, and recognises transport failures inside SDK exceptions. */
final class StoreErrors {
    private StoreErrors() {
    }

    /**
     * The typed error for {@code failure}: {@link AuthException} (403), {@link ObjectStoreException} (missing or
     * changed object, refused request), {@link NetworkException} (throttling, 5xx, connection failures after the
     * retries ran out). The message names the object and the range (via {@code where}) and never a secret.
     *
     * @param what what was being done, e.g. {@code "cannot read"}
     */
    static PolarwayException toPolarway(ObjectStore store, Throwable failure, String what, Where where) {
        if (failure instanceof PolarwayException p) return p;
        StoreFailure f = store.classify(failure);
        String message = what + " (" + store.system() + ": " + f.describe() + ")" + detail(failure);
        return switch (f.kind()) {
            case ACCESS_DENIED -> new AuthException(message + ": check the credentials and the object's permissions",
                    where, failure);
            case NOT_FOUND -> new ObjectStoreException(store.system(), ObjectStoreException.Reason.NOT_FOUND,
                    message, where, failure);
            case CHANGED -> new ObjectStoreException(store.system(), ObjectStoreException.Reason.CHANGED,
                    message + ": the object was replaced while it was read", where, failure);
            case CLIENT, OTHER -> new ObjectStoreException(store.system(), ObjectStoreException.Reason.REFUSED,
                    message, where, failure);
            case THROTTLED, SERVER, NETWORK, TRUNCATED -> new NetworkException(message, where, failure);
        };
    }

    /** A short reason from the exception, without anything that could be a secret (no URLs with query strings). */
    private static String detail(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        if (m == null) return "";
        m = m.replaceAll("(?i)(sig|signature|se|sp|sv|st|skoid|sktid|token|key|credential|x-amz-[a-z-]+)=[^&\\s\"']*",
                "$1=****");
        m = m.replaceAll("(?i)(AccountKey|SharedAccessSignature)=[^;\\s]*", "$1=****");
        int nl = m.indexOf('\n');
        if (nl > 0) m = m.substring(0, nl);
        if (m.length() > 300) m = m.substring(0, 300) + "...";
        return ": " + m;
    }

    /** A transport failure (no HTTP answer, or a body cut short) somewhere in the cause chain. */
    static boolean isTransport(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SocketException || c instanceof SocketTimeoutException || c instanceof ConnectException
                    || c instanceof UnknownHostException || c instanceof InterruptedIOException
                    || c instanceof ClosedChannelException || c instanceof TimeoutException
                    || c instanceof TruncatedBodyException) {
                return true;
            }
            if (c instanceof IOException) return true;
            String n = c.getClass().getName();
            // reactor-netty / netty transport failures (Azure) and Apache's ConnectionClosedException (S3)
            if (n.startsWith("io.netty.") || n.startsWith("reactor.netty.") || n.endsWith("ConnectionClosedException")
                    || n.endsWith("PrematureCloseException") || n.endsWith("NoHttpResponseException")) {
                return true;
            }
        }
        return false;
    }

    /** The body of a range ended before the range did. Retryable: the fetch resumes from the last byte received. */
    static final class TruncatedBodyException extends IOException {
        private static final long serialVersionUID = 1L;

        TruncatedBodyException(String message) {
            super(message);
        }
    }
}
