package io.molia.session;

import java.io.IOException;
import java.io.Writer;
import java.util.Base64;

/**
 * Debug only: every session's keys in the format of Wireshark's WireGuard key log ({@code wg.keylog_file}), each
 * session's four lines in one {@code write} call, so the shards of a node may share one writer. Owned by the shard
 * thread; not thread-safe.
 */
final class KeyLog {
    private final StaticIdentity local;
    private final byte[] psk;
    private Writer writer;

    KeyLog(StaticIdentity local, byte[] psk) {
        this.local = local;
        this.psk = psk;
    }

    void setWriter(Writer writer) {
        this.writer = writer;
    }

    void log(WireGuardHandshake.State hs) {
        if (writer == null) {
            return;
        }
        Base64.Encoder b64 = Base64.getEncoder();
        // Wireshark links a PRESHARED_KEY to the LOCAL_EPHEMERAL_PRIVATE_KEY line just before it: one block, one write.
        String block = "LOCAL_STATIC_PRIVATE_KEY = " + b64.encodeToString(local.privateKey()) + "\n"
                + "REMOTE_STATIC_PUBLIC_KEY = " + b64.encodeToString(hs.remoteStatic) + "\n"
                + "LOCAL_EPHEMERAL_PRIVATE_KEY = " + b64.encodeToString(hs.ephemeralPrivate) + "\n"
                + "PRESHARED_KEY = " + b64.encodeToString(psk) + "\n";
        try {
            writer.write(block);
            writer.flush();
        } catch (IOException e) {
            writer = null; // a debug aid must never take the node down
        }
    }
}
