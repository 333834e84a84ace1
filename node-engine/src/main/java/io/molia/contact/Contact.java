package io.molia.contact;

import java.util.Arrays;

/**
 * What a node needs to reach a peer: its Ed25519 public key, its proof-of-work nonce and its address. The node ID
 * is computed from the key by whoever decodes the contact, never taken from the wire. Immutable.
 */
public final class Contact {
    public static final int PUBLIC_KEY_BYTES = 32;

    private final NodeId id;
    private final byte[] publicKey;
    private final long powNonce;
    private final NodeAddress address;

    public Contact(NodeId id, byte[] publicKey, long powNonce, NodeAddress address) {
        if (publicKey.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("a public key is 32 bytes, got " + publicKey.length);
        }
        this.id = id;
        this.publicKey = publicKey;
        this.powNonce = powNonce;
        this.address = address;
    }

    public NodeId id() {
        return id;
    }

    /** The key bytes themselves, not a copy: callers must not modify them. */
    public byte[] publicKeyBytes() {
        return publicKey;
    }

    public long powNonce() {
        return powNonce;
    }

    public NodeAddress address() {
        return address;
    }

    /** The same peer seen at another address (it moved, or its NAT rebound). */
    public Contact withAddress(NodeAddress newAddress) {
        return new Contact(id, publicKey, powNonce, newAddress);
    }

    /** The same peer with the proof-of-work nonce it gave itself (its messages carry it; an address does not). */
    public Contact withPowNonce(long nonce) {
        return new Contact(id, publicKey, nonce, address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contact c && c.id.equals(id) && c.address.equals(address) && c.powNonce == powNonce
                && Arrays.equals(c.publicKey, publicKey);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return id.shortHex() + "@" + address;
    }
}
