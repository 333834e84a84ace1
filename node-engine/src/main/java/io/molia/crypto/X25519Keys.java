package io.molia.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * X25519 (RFC 7748) key handling, and the birational map from a node's Ed25519 identity to the X25519 static key
 * of its sessions (as libsodium's {@code crypto_sign_ed25519_pk_to_curve25519} / {@code _sk_to_curve25519}), so
 * a contact needs to carry only the Ed25519 key. The scalar multiplications are {@link CryptoEngines#x25519()}'s.
 */
public final class X25519Keys {
    public static final int KEY_BYTES = 32;
    private static final X25519Engine ENGINE = CryptoEngines.x25519();

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
        ENGINE.publicKey(privateKey, out);
    }

    /** DH(private, public) into {@code out}; false for a low-order public key (all-zero result), as WireGuard rejects. */
    public static boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        return ENGINE.dh(privateKey, publicKey, out);
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
     * The X25519 public key of an Ed25519 public key: u = (1 + y) / (1 − y) mod p, with y the Edwards coordinate,
     * in field arithmetic mod 2^255 − 19 (BouncyCastle's) as libsodium's
     * {@code crypto_sign_ed25519_pk_to_curve25519} computes it. Returns null for a non-canonical y (≥ p) and for
     * y = 1 (no Montgomery image): such a key cannot be a peer's static key.
     */
    public static byte[] fromEd25519PublicKey(byte[] edPublicKey) {
        byte[] out = new byte[KEY_BYTES];
        return montgomeryU(edPublicKey, out) ? out : null;
    }

    /**
     * {@link #fromEd25519PublicKey} into {@code out} (which may be {@code edPublicKey}): false, {@code out} untouched,
     * for a non-canonical y and for y = 1.
     */
    public static boolean montgomeryU(byte[] edPublicKey, byte[] out) {
        if (!canonical(edPublicKey)) {
            return false;
        }
        int[] y = X25519Field.create();
        X25519Field.decode(edPublicKey, y); // ignores the top bit, the sign of x
        int[] denominator = X25519Field.create();
        X25519Field.one(denominator);
        X25519Field.sub(denominator, y, denominator);
        X25519Field.normalize(denominator);
        if (X25519Field.isZeroVar(denominator)) {
            return false;
        }
        int[] u = X25519Field.create();
        X25519Field.one(u);
        X25519Field.add(u, y, u);
        // Variable time is safe: y is a public key's (or one about to be sent), and 1 µs cheaper than inv.
        X25519Field.invVar(denominator, denominator);
        X25519Field.mul(u, denominator, u);
        X25519Field.normalize(u);
        X25519Field.encode(u, out, 0);
        return true;
    }

    /** Whether the 255-bit little-endian y (top bit cleared) is below p = 2^255 − 19. */
    private static boolean canonical(byte[] edPublicKey) {
        if ((edPublicKey[31] & 0x7f) != 0x7f) {
            return true;
        }
        for (int i = 30; i >= 1; i--) {
            if (edPublicKey[i] != (byte) 0xff) {
                return true;
            }
        }
        return (edPublicKey[0] & 0xff) < 0xed;
    }
}
