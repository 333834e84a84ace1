package io.molia.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;

/**
 * A provider's signature that it provides one key until a time: what lets a holder hand a provider entry to another
 * node. The node record alone does not name the key, so a forwarded record without it could announce any node as
 * the provider of any key (docs/records.md, "Provider records survive churn").
 *
 * <pre>
 * signed bytes = "molia/provide/v1" ‖ key (32 B) ‖ node-record seq (8 B, big-endian) ‖ expires (8 B, big-endian:
 *                seconds since the epoch)
 * </pre>
 * Signed with the key of the node record it travels with; the seq binds it to that record, so a newer record needs a
 * newer announcement. Immutable; the signature is not copied (callers must not change it).
 */
public record ProvideAnnouncement(long expiresSeconds, byte[] signature) {
    private static final byte[] DOMAIN = "molia/provide/v1".getBytes(StandardCharsets.US_ASCII);

    /** {@code identity}'s announcement that it provides {@code key} with record seq {@code seq} until then. */
    public static ProvideAnnouncement sign(Ed25519Identity identity, NodeId key, long seq, long expiresSeconds) {
        byte[] signed = signedBytes(key, seq, expiresSeconds);
        return new ProvideAnnouncement(expiresSeconds, identity.sign(signed, 0, signed.length));
    }

    /**
     * {@link WriteOutcome#STORED} when {@code record}'s key signed this announcement for {@code key} and its seq,
     * and it has not expired at {@code nowSeconds} (wall clock); else why not. The record's own signature is
     * checked apart ({@link SignedNodeRecord#check}).
     */
    public WriteOutcome check(SignedNodeRecord record, NodeId key, long nowSeconds) {
        if (signature.length != Ed25519Identity.SIGNATURE_BYTES || expiresSeconds < 0) {
            return WriteOutcome.MALFORMED;
        }
        byte[] signed = signedBytes(key, record.seq(), expiresSeconds);
        if (!Ed25519Identity.verify(record.publicKey(), signed, 0, signed.length, signature)) {
            return WriteOutcome.BAD_SIGNATURE;
        }
        return expiresSeconds <= nowSeconds ? WriteOutcome.EXPIRED : WriteOutcome.STORED;
    }

    static byte[] signedBytes(NodeId key, long seq, long expiresSeconds) {
        byte[] b = new byte[DOMAIN.length + NodeId.BYTES + 16];
        System.arraycopy(DOMAIN, 0, b, 0, DOMAIN.length);
        key.writeTo(b, DOMAIN.length);
        NodeId.writeLong(b, DOMAIN.length + NodeId.BYTES, seq);
        NodeId.writeLong(b, DOMAIN.length + NodeId.BYTES + 8, expiresSeconds);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProvideAnnouncement a && a.expiresSeconds == expiresSeconds
                && Arrays.equals(a.signature, signature);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(expiresSeconds) * 31 + Arrays.hashCode(signature);
    }
}
