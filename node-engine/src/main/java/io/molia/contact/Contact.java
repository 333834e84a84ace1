package io.molia.contact;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a node needs to reach a peer: its Ed25519 public key, its proof-of-work nonce and its address. The node ID
 * is computed from the key by whoever decodes the contact, never taken from the wire. Immutable.
 *
 * <p>A peer behind a NAT that holds a relay reservation is reached through its {@link #relay()} (docs/nat.md,
 * "Relayed servers"): its address is then where the relay sees it (for a hole punch), not one to send to.
 */
public final class Contact {
    public static final int PUBLIC_KEY_BYTES = 32;

    private final NodeId id;
    private final byte[] publicKey;
    private final long powNonce;
    private final NodeAddress address;
    /** The relay this peer is reached through (itself never relayed), or null: reached at its address. */
    private final Contact relay;

    public Contact(NodeId id, byte[] publicKey, long powNonce, NodeAddress address) {
        this(id, publicKey, powNonce, address, null);
    }

    private Contact(NodeId id, byte[] publicKey, long powNonce, NodeAddress address, Contact relay) {
        if (publicKey.length != PUBLIC_KEY_BYTES) {
            throw new IllegalArgumentException("a public key is 32 bytes, got " + publicKey.length);
        }
        this.id = id;
        this.publicKey = publicKey;
        this.powNonce = powNonce;
        this.address = address;
        this.relay = relay == null ? null : relay.withoutRelay();
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

    /** The relay this peer is reached through, or null when it is reached at its address. */
    public Contact relay() {
        return relay;
    }

    /** The same peer seen at another address (it moved, or its NAT rebound); still behind its relay, if any. */
    public Contact withAddress(NodeAddress newAddress) {
        return new Contact(id, publicKey, powNonce, newAddress, relay);
    }

    /** The same peer with the proof-of-work nonce it gave itself (its messages carry it; an address does not). */
    public Contact withPowNonce(long nonce) {
        return new Contact(id, publicKey, nonce, address, relay);
    }

    /** The same peer reached through {@code via} (its relay's own relay, if any, is dropped: nothing relays twice). */
    public Contact withRelay(Contact via) {
        return new Contact(id, publicKey, powNonce, address, via);
    }

    /** The same peer reached at its address. */
    public Contact withoutRelay() {
        return relay == null ? this : new Contact(id, publicKey, powNonce, address, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contact c && c.id.equals(id) && c.address.equals(address) && c.powNonce == powNonce
                && Arrays.equals(c.publicKey, publicKey) && Objects.equals(c.relay, relay);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + address.hashCode();
    }

    @Override
    public String toString() {
        return id.shortHex() + "@" + address + (relay == null ? "" : " via " + relay);
    }
}
