package io.molia.crypto;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.random.RandomGenerator;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * A node's long-term identity: an Ed25519 key pair (RFC 8032, pure Ed25519).
 *
 * <p>The node ID, the X25519 static key of its sessions and its proof of work all derive from the public key, so
 * this pair is the only secret a node keeps. Immutable; safe to share between threads.
 */
public final class Ed25519Identity {
    public static final int SEED_BYTES = 32;
    public static final int PUBLIC_KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;

    private final byte[] seed;
    private final byte[] publicKey;

    private Ed25519Identity(byte[] seed) {
        if (seed.length != SEED_BYTES) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, got " + seed.length);
        }
        this.seed = seed.clone();
        this.publicKey = new byte[PUBLIC_KEY_BYTES];
        Ed25519.generatePublicKey(this.seed, 0, publicKey, 0);
    }

    /** The identity whose private key (RFC 8032 "secret key", the 32-byte seed) is {@code seed}. */
    public static Ed25519Identity fromSeed(byte[] seed) {
        return new Ed25519Identity(seed);
    }

    /** A fresh identity from caller-supplied randomness (the core never reaches for a global random source). */
    public static Ed25519Identity generate(RandomGenerator random) {
        byte[] seed = new byte[SEED_BYTES];
        random.nextBytes(seed);
        return new Ed25519Identity(seed);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The private seed, for writing the identity file; handle with care. */
    public byte[] seed() {
        return seed.clone();
    }

    public byte[] sign(byte[] message, int off, int len) {
        byte[] signature = new byte[SIGNATURE_BYTES];
        Ed25519.sign(seed, 0, publicKey, 0, message, off, len, signature, 0);
        return signature;
    }

    public static boolean verify(byte[] publicKey, byte[] message, int off, int len, byte[] signature) {
        if (publicKey.length != PUBLIC_KEY_BYTES || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, off, len);
    }

    @Override
    public String toString() {
        // Never print the seed.
        return "Ed25519Identity[" + HexFormat.of().formatHex(Arrays.copyOf(publicKey, 8)) + "…]";
    }
}
