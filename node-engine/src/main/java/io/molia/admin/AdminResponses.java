package io.molia.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import io.molia.admin.proto.ActionDone;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;

/** The answers every part of the admin server gives alike: errors, "done", and a failed request's error. */
final class AdminResponses {
    static final String NO_WAL = "this node runs without a write-ahead log (started with the WAL disabled)";

    private AdminResponses() {
    }

    static AdminResponse error(long id, Error.Code code, String message) {
        return AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id)
                .setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    static AdminResponse done(long id, String message) {
        return AdminResponse.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id)
                .setDone(ActionDone.newBuilder().setMessage(message)).build();
    }

    /** An answer that needs no wait on the node, as the future the dispatcher returns. */
    static CompletableFuture<AdminResponse> done(AdminResponse.Builder r) {
        return CompletableFuture.completedFuture(r.build());
    }

    /** What a request that failed answers: its {@link AdminException}'s code, or the kind of failure. */
    static AdminResponse failure(long id, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof AdminException a) {
            return error(id, a.code(), a.getMessage());
        }
        if (cause instanceof IllegalArgumentException) {
            return error(id, Error.Code.INVALID_ARGUMENT, cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return error(id, Error.Code.FAILED, "the node did not finish within " + AdminActions.ACTION_TIMEOUT_S
                    + " s");
        }
        return error(id, Error.Code.FAILED, cause.getMessage() != null ? cause.getMessage() : cause.toString());
    }
}
