package io.molia.crypto;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 (RFC 7748) key handling, and the birational map from a node's Ed25519 identity to the X25519 static key
 * of its sessions (as libsodium's {@code crypto_sign_ed25519_pk_to_curve25519} / {@code _sk_to_curve25519}), so
 * a contact needs to carry only the Ed25519 key.
 */
public final class X25519Keys {
    public static final int KEY_BYTES = 32;
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    private X25519Keys() {
    }

    /** Clamps a private key in place as WireGuard and RFC 7748 do. */
    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] = (byte) ((k[31] & 127) | 64);
    }

    public static byte[] publicKey(byte[] privateKey) {
        byte[] pub = new byte[KEY_BYTES];
        publicKey(privateKey, pub);
        return pub;
    }

    public static void publicKey(byte[] privateKey, byte[] out) {
        X25519.generatePublicKey(privateKey, 0, out, 0);
    }

    /** DH(private, public) into {@code out}; false for a low-order public key (all-zero result), as WireGuard rejects. */
    public static boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        return X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, 0);
    }

    /** The X25519 private key of an Ed25519 seed: SHA-512(seed)[0..32], clamped. */
    public static byte[] fromEd25519Seed(byte[] seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
            byte[] k = new byte[KEY_BYTES];
            System.arraycopy(h, 0, k, 0, KEY_BYTES);
            clamp(k);
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-512 is mandatory in every JDK", e);
        }
    }

    /**
     * The X25519 public key of an Ed25519 public key: u = (1 + y) / (1 − y) mod p, with y the Edwards coordinate.
     * Returns null for y = 1 (no Montgomery image): such a key cannot be a peer's static key.
     */
    public static byte[] fromEd25519PublicKey(byte[] edPublicKey) {
        byte[] le = edPublicKey.clone();
        le[31] &= 0x7f; // the top bit is the sign of x
        BigInteger y = new BigInteger(1, reverse(le));
        if (y.compareTo(P) >= 0) {
            return null;
        }
        BigInteger denominator = BigInteger.ONE.subtract(y).mod(P);
        if (denominator.signum() == 0) {
            return null;
        }
        BigInteger u = BigInteger.ONE.add(y).multiply(denominator.modInverse(P)).mod(P);
        byte[] be = u.toByteArray(); // big-endian, possibly with a leading sign byte, possibly shorter than 32
        byte[] out = new byte[KEY_BYTES];
        for (int i = 0; i < KEY_BYTES && i < be.length; i++) {
            out[i] = be[be.length - 1 - i];
        }
        return out;
    }

    private static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
