package io.polarway.source.dynamodb;

import io.polarway.api.Credentials;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.NetworkException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns what the AWS SDK throws (after its retries) into the engine's typed errors, each with a {@link Where} naming
 * the table (and index), the segment and the page:
 * <ul>
 *   <li>throttling still refused after every retry → {@link NetworkException}, retryable;</li>
 *   <li>5xx answers and connection failures or timeouts → {@link NetworkException}, retryable;</li>
 *   <li>rejected or missing credentials → {@link AuthException};</li>
 *   <li>a missing table or index, an expression or parameter DynamoDB rejects → {@link ConfigException} naming the
 *       option when it can tell which;</li>
 *   <li>anything else → {@link DynamoDbSourceException} with DynamoDB's error code.</li>
 * </ul>
 * Messages never carry the credentials: the server's message of an authentication error is withheld past any echo of
 * the signed request, and known secret values are masked everywhere.
 */
final class DynamoDbErrors {
    private static final Set<String> THROTTLING = Set.of("ProvisionedThroughputExceededException",
            "RequestLimitExceeded", "ThrottlingException", "Throttling", "TooManyRequestsException");
    private static final Set<String> AUTH = Set.of("UnrecognizedClientException", "InvalidSignatureException",
            "IncompleteSignatureException", "MissingAuthenticationToken", "MissingAuthenticationTokenException",
            "AccessDeniedException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch",
            "AuthFailure", "UnauthorizedOperation");

    private DynamoDbErrors() {
    }

    /**
     * @param region the client's region, for messages
     * @param action what was being done, for the message: {@code scan}, {@code query}, {@code describe}
     */
    static PolarwayException map(SdkException e, DynamoDbSettings s, String region, Where where, String action) {
        int retries = s.retry().retryAttempts();
        String attempts = (retries + 1) + " attempt" + (retries == 0 ? "" : "s") + " (retry_attempts=" + retries + ")";
        if (e instanceof AwsServiceException ase) {
            AwsErrorDetails details = ase.awsErrorDetails();
            String code = details != null && details.errorCode() != null ? details.errorCode() : "";
            String serverMessage = details != null && details.errorMessage() != null ? details.errorMessage() : "";
            int status = ase.statusCode();
            if (THROTTLING.contains(code) || ase.isThrottlingException()) {
                return new NetworkException("DynamoDB throttled the " + action + " of " + s.resource() + " (" + code
                        + ") in each of " + attempts + ": raise retry_attempts or retry_delay_ms, lower the "
                        + "parallelism, or raise the table's read capacity", where, e, true);
            }
            if (AUTH.contains(code) || status == 401 || status == 403) {
                // No cause: the SDK's exception may quote the server's canonical request, which can hold a token.
                return new AuthException("DynamoDB rejected the credentials for the " + action + " of " + s.resource()
                        + " (" + code + ", HTTP " + status + ": " + redact(authMessage(serverMessage), s) + ")",
                        where, null);
            }
            if (e instanceof ResourceNotFoundException || "ResourceNotFoundException".equals(code)) {
                return new ConfigException(s.indexName() != null ? DynamoDbSourceFactory.INDEX_NAME.key() : null,
                        "DynamoDB has no table '" + s.table() + "'" + (s.indexName() != null ? " (or no index '"
                                + s.indexName() + "' on it)" : "") + " " + place(s, region) + " ("
                                + redact(serverMessage, s) + ")", List.of(), where, e);
            }
            if ("ValidationException".equals(code)) {
                return new ConfigException(optionFor(serverMessage), "DynamoDB rejected the " + action + " of "
                        + s.resource() + ": " + redact(serverMessage, s), List.of(), where, e);
            }
            if (status >= 500) {
                return new NetworkException("DynamoDB answered HTTP " + status + " (" + code + ") to the " + action
                        + " of " + s.resource() + " in each of " + attempts, where, e, true);
            }
            return new DynamoDbSourceException(code.isEmpty() ? null : code, "the " + action + " of " + s.resource()
                    + " failed: HTTP " + status + " " + code + ": " + redact(serverMessage, s), where, e,
                    ase.retryable());
        }
        String text = redact(String.valueOf(e.getMessage()), s);
        if (e instanceof SdkClientException && text.contains("Unable to load credentials")) {
            return new AuthException("no AWS credentials for the " + action + " of " + s.resource() + ": pass "
                    + "Credentials.DynamoDb or Credentials.Aws, or set them where the AWS SDK's default chain looks "
                    + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, a role)", where, null);
        }
        if (isNetwork(e)) {
            return new NetworkException("cannot complete the " + action + " of " + s.resource() + " with DynamoDB "
                    + place(s, region) + " in " + attempts + ": " + redact(rootMessage(e), s), where, e, true);
        }
        return new DynamoDbSourceException(null, "the " + action + " of " + s.resource() + " failed: " + text, where, e,
                false);
    }

    private static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof ApiCallTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private static String place(DynamoDbSettings s, String region) {
        return s.endpoint() != null ? "at " + s.endpoint() : "in region " + region;
    }

    /** The option a ValidationException is about, from DynamoDB's wording, or null. */
    static String optionFor(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("keyconditionexpression") || m.contains("query condition") || m.contains("key condition")
                || m.contains("keyconditions")) {
            return DynamoDbSourceFactory.KEY_CONDITION.key();
        }
        if (m.contains("filterexpression")) return DynamoDbSourceFactory.FILTER_EXPRESSION.key();
        if (m.contains("projectionexpression")) return DynamoDbSourceFactory.PROJECTION.key();
        if (m.contains("expressionattributevalues") || m.contains("expression attribute value")) {
            return DynamoDbSourceFactory.ATTRIBUTE_VALUES.key();
        }
        if (m.contains("expressionattributenames") || m.contains("expression attribute name")) {
            return DynamoDbSourceFactory.ATTRIBUTE_NAMES.key();
        }
        if (m.contains("consistent read")) return DynamoDbSourceFactory.CONSISTENT_READ.key();
        if (m.contains("index")) return DynamoDbSourceFactory.INDEX_NAME.key();
        if (m.contains("totalsegments")) return DynamoDbSourceFactory.TOTAL_SEGMENTS.key();
        if (m.contains("segment")) return DynamoDbSourceFactory.SEGMENT.key();
        if (m.contains("limit")) return DynamoDbSourceFactory.LIMIT.key();
        return null;
    }

    /** DynamoDB's text up to any echo of the signed request (which can include a session token header). */
    private static String authMessage(String serverMessage) {
        int cut = serverMessage.indexOf("The Canonical String");
        if (cut < 0) cut = serverMessage.indexOf("The String-to-Sign");
        return cut < 0 ? serverMessage : serverMessage.substring(0, cut).strip() + " [rest withheld]";
    }

    /** Masks the configured secret values wherever they appear. */
    static String redact(String text, DynamoDbSettings s) {
        if (text == null) return "";
        String out = text;
        Credentials c = s.credentials();
        if (c instanceof Credentials.DynamoDb d) {
            out = mask(out, d.accessKeyId().reveal());
            out = mask(out, d.secretAccessKey().reveal());
        } else if (c instanceof Credentials.Aws a) {
            out = mask(out, a.accessKeyId().reveal());
            out = mask(out, a.secretAccessKey().reveal());
            if (a.sessionToken() != null) out = mask(out, a.sessionToken().reveal());
        }
        return out;
    }

    private static String mask(String text, String secret) {
        return secret == null || secret.length() < 4 ? text : text.replace(secret, "****");
    }
}
