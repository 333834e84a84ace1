package io.molia.record;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Blake3;
import io.molia.crypto.Ed25519Identity;

/**
 * A node's signed record (DESIGN §3.5, like discv5's ENR): what a provider record carries, so whoever finds a
 * provider learns its addresses from the provider itself, not from the node that stored them.
 *
 * <pre>
 * signed bytes = "molia/node-record/v1" ‖ public key (32 B) ‖ address count (1 B)
 *                ‖ per address: length (1 B) ‖ address (6 B IPv4 | 18 B IPv6, port last)
 *                ‖ seq (8 B, big-endian) ‖ features (8 B, big-endian)
 * </pre>
 * A higher seq replaces a lower one. Immutable; arrays are not copied (callers must not change them).
 */
public record SignedNodeRecord(byte[] publicKey, List<NodeAddress> addresses, long seq, long features,
        byte[] signature) {
    public static final int MAX_ADDRESSES = 4;
    private static final byte[] DOMAIN = "molia/node-record/v1".getBytes(StandardCharsets.US_ASCII);

    public SignedNodeRecord {
        addresses = List.copyOf(addresses);
    }

    public static SignedNodeRecord sign(Ed25519Identity identity, List<NodeAddress> addresses, long seq,
            long features) {
        byte[] key = identity.publicKey();
        byte[] signed = signedBytes(key, addresses, seq, features);
        return new SignedNodeRecord(key, addresses, seq, features, identity.sign(signed, 0, signed.length));
    }

    /** The node's ID: BLAKE3(public key); of whatever key bytes were sent, so a malformed record has one too. */
    public NodeId id() {
        return NodeId.fromBytes(new Blake3().hash(publicKey));
    }

    /** {@link WriteOutcome#STORED} when well formed and signed by its key, else why not. */
    public WriteOutcome check() {
        if (publicKey.length != Ed25519Identity.PUBLIC_KEY_BYTES || addresses.isEmpty()
                || addresses.size() > MAX_ADDRESSES || seq < 0
                || signature.length != Ed25519Identity.SIGNATURE_BYTES) {
            return WriteOutcome.MALFORMED;
        }
        byte[] signed = signedBytes(publicKey, addresses, seq, features);
        return Ed25519Identity.verify(publicKey, signed, 0, signed.length, signature)
                ? WriteOutcome.STORED : WriteOutcome.BAD_SIGNATURE;
    }

    /** Bytes this record holds in a store. */
    public int sizeBytes() {
        int n = publicKey.length + signature.length + 16;
        for (NodeAddress a : addresses) {
            n += a.wireLength();
        }
        return n;
    }

    static byte[] signedBytes(byte[] publicKey, List<NodeAddress> addresses, long seq, long features) {
        int len = DOMAIN.length + publicKey.length + 1 + 16;
        for (NodeAddress a : addresses) {
            len += 1 + a.wireLength();
        }
        byte[] b = new byte[len];
        System.arraycopy(DOMAIN, 0, b, 0, DOMAIN.length);
        int at = DOMAIN.length;
        System.arraycopy(publicKey, 0, b, at, publicKey.length);
        at += publicKey.length;
        b[at++] = (byte) addresses.size();
        for (NodeAddress a : addresses) {
            b[at++] = (byte) a.wireLength();
            at = a.writeTo(b, at); // returns the end offset
        }
        NodeId.writeLong(b, at, seq);
        NodeId.writeLong(b, at + 8, features);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedNodeRecord r && r.seq == seq && r.features == features
                && Arrays.equals(r.publicKey, publicKey) && r.addresses.equals(addresses)
                && Arrays.equals(r.signature, signature);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey) * 31 + Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return "SignedNodeRecord[" + id().shortHex() + " seq=" + seq + " " + addresses + "]";
    }
}
