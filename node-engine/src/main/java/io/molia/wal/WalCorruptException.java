package io.molia.wal;

import java.io.IOException;

/** A WAL or snapshot that fails a check; the message is one line naming the file (and shard and index). */
public final class WalCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    public WalCorruptException(String message) {
        super(message);
    }
}
