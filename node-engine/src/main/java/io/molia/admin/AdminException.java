package io.molia.admin;

import io.molia.admin.proto.Error;

/** A request the node refuses, with the admin API's error code and a one-line reason for the operator. */
public final class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Error.Code code;

    public AdminException(Error.Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Error.Code code() {
        return code;
    }
}
