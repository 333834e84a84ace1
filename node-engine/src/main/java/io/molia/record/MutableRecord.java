package io.molia.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;

/**
 * A signed mutable record with BEP 44 semantics: its key is BLAKE3(public key ‖ salt), so only the holder of the
 * private key writes it; each version carries a sequence number, and the highest valid one wins.
 *
 * <pre>
 * signed bytes = "molia/mutable/v1" ‖ salt length (1 B) ‖ salt ‖ seq (8 B, big-endian) ‖ value
 * </pre>
 * Salt is at most {@link #MAX_SALT_BYTES} (BEP 44 allows 64) so that a put of a full 1,000-byte value with its
 * key, signature and compare-and-swap still fits one datagram ({@code MessageCodec.MAX_DATAGRAM_BYTES}).
 * Immutable; arrays are not copied (callers must not change them).
 */
public record MutableRecord(byte[] publicKey, byte[] salt, long seq, byte[] value, byte[] signature) {
    public static final int MAX_VALUE_BYTES = 1_000;
    public static final int MAX_SALT_BYTES = 16;
    private static final byte[] DOMAIN = "molia/mutable/v1".getBytes(StandardCharsets.US_ASCII);

    /** The record of {@code identity} under {@code salt}, version {@code seq}, signed. */
    public static MutableRecord sign(Ed25519Identity identity, byte[] salt, long seq, byte[] value) {
        byte[] signed = signedBytes(salt, seq, value);
        return new MutableRecord(identity.publicKey(), salt.clone(), seq, value.clone(),
                identity.sign(signed, 0, signed.length));
    }

    /** BLAKE3(public key ‖ salt): where the record lives. */
    public static NodeId keyOf(byte[] publicKey, byte[] salt) {
        byte[] in = Arrays.copyOf(publicKey, publicKey.length + salt.length);
        System.arraycopy(salt, 0, in, publicKey.length, salt.length);
        return NodeId.fromBytes(new Blake3().hash(in));
    }

    public NodeId key() {
        return keyOf(publicKey, salt);
    }

    /**
     * {@link WriteOutcome#STORED} when the record is well formed and its signature holds, else why not. Checked on
     * every store and on every answer a get receives.
     */
    public WriteOutcome check(int maxValueBytes) {
        if (publicKey.length != Ed25519Identity.PUBLIC_KEY_BYTES || salt.length > MAX_SALT_BYTES || seq < 0
                || signature.length != Ed25519Identity.SIGNATURE_BYTES) {
            return WriteOutcome.MALFORMED;
        }
        if (value.length > maxValueBytes) {
            return WriteOutcome.OVERSIZE;
        }
        byte[] signed = signedBytes(salt, seq, value);
        return Ed25519Identity.verify(publicKey, signed, 0, signed.length, signature)
                ? WriteOutcome.STORED : WriteOutcome.BAD_SIGNATURE;
    }

    /** The same record with its value's bytes compared, not their identity. */
    public boolean sameValue(MutableRecord other) {
        return Arrays.equals(value, other.value);
    }

    /** Bytes this record holds in a store (value, key, salt, signature). */
    public int sizeBytes() {
        return value.length + publicKey.length + salt.length + signature.length;
    }

    static byte[] signedBytes(byte[] salt, long seq, byte[] value) {
        byte[] b = new byte[DOMAIN.length + 1 + salt.length + 8 + value.length];
        System.arraycopy(DOMAIN, 0, b, 0, DOMAIN.length);
        int at = DOMAIN.length;
        b[at++] = (byte) salt.length;
        System.arraycopy(salt, 0, b, at, salt.length);
        at += salt.length;
        NodeId.writeLong(b, at, seq);
        System.arraycopy(value, 0, b, at + 8, value.length);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MutableRecord r && r.seq == seq && Arrays.equals(r.publicKey, publicKey)
                && Arrays.equals(r.salt, salt) && Arrays.equals(r.value, value)
                && Arrays.equals(r.signature, signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return "MutableRecord[" + key().shortHex() + " seq=" + seq + " " + value.length + " B]";
    }
}
