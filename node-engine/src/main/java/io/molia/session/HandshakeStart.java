package io.molia.session;

import io.molia.crypto.Blake2s;

/**
 * The Noise state every WireGuard handshake starts from, computed once rather than per handshake: the chaining key
 * HASH(construction) with its HMAC pads compressed, and the hash after mixing the identifier. With a responder's
 * hash after its own static key ({@link StaticIdentity}), a responder compresses six BLAKE2s blocks fewer per
 * handshake, an initiator five.
 */
final class HandshakeStart {
    static final byte[] CHAINING_KEY;
    static final Blake2s.HmacKey CHAINING_HMAC_KEY;
    /** HASH(HASH(construction) || identifier). */
    static final byte[] HASH;

    static {
        NoiseHandshake n = new NoiseHandshake(new Blake2s(), null);
        n.initialize(WireGuardConstants.CONSTRUCTION, WireGuardConstants.IDENTIFIER);
        CHAINING_KEY = n.chainingKey();
        CHAINING_HMAC_KEY = new Blake2s.HmacKey(CHAINING_KEY);
        HASH = n.handshakeHash();
    }

    private HandshakeStart() {
    }

    /** The hash after mixing the responder's static public key: the start of every handshake it answers. */
    static byte[] responderHash(byte[] responderStaticPublic) {
        byte[] h = new byte[Blake2s.HASH_BYTES];
        new Blake2s().hash(HASH, 0, HASH.length, responderStaticPublic, 0, responderStaticPublic.length, h);
        return h;
    }
}
