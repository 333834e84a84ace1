package io.molia.blob;

/** Bytes that are not a well-formed blob manifest or fragment, or a fragment whose hash does not match: one line. */
public final class BlobFormatException extends Exception {
    public BlobFormatException(String message) {
        super(message, null, false, false);
    }
}
