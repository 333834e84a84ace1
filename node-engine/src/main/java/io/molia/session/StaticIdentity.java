package io.molia.session;

import io.molia.crypto.Blake2s;
import io.molia.crypto.X25519Keys;

/**
 * This node's X25519 static key pair with what WireGuard derives from it once: the mac1 key and the cookie key
 * for messages sent to this node, and the handshake hash after mixing its public key (the start of every
 * handshake it answers). Immutable after construction.
 */
public final class StaticIdentity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final byte[] responderHash;

    public StaticIdentity(byte[] x25519PrivateKey) {
        this.privateKey = x25519PrivateKey.clone();
        X25519Keys.clamp(privateKey);
        this.publicKey = X25519Keys.publicKey(privateKey);
        Blake2s blake2s = new Blake2s();
        this.mac1Key = blake2s.hash(WireGuardConstants.LABEL_MAC1, publicKey);
        this.cookieKey = blake2s.hash(WireGuardConstants.LABEL_COOKIE, publicKey);
        this.responderHash = HandshakeStart.responderHash(publicKey);
    }

    /** The static key of a node whose identity is the Ed25519 {@code seed} (DESIGN §3.5). */
    public static StaticIdentity fromEd25519Seed(byte[] seed) {
        return new StaticIdentity(X25519Keys.fromEd25519Seed(seed));
    }

    byte[] privateKey() {
        return privateKey;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] publicKeyRef() {
        return publicKey;
    }

    /** HASH("mac1----" || this public key): checks mac1 of messages sent to this node. */
    byte[] mac1Key() {
        return mac1Key;
    }

    byte[] cookieKey() {
        return cookieKey;
    }

    /** The handshake hash after mixing this public key: the start of every handshake this node answers. */
    byte[] responderHash() {
        return responderHash;
    }

    /** HASH("mac1----" || key): the mac1 key for messages sent to the owner of {@code key}. */
    static byte[] mac1KeyOf(Blake2s blake2s, byte[] remoteStaticPublic) {
        return blake2s.hash(WireGuardConstants.LABEL_MAC1, remoteStaticPublic);
    }
}
