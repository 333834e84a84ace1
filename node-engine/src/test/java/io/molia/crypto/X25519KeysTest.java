package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Ed25519 → X25519 map against libsodium (values made with Debian's python3-nacl, see the file), and the field
 * arithmetic against the {@code BigInteger} form it replaced, on many keys and on the edges of the field.
 */
@Tag("crypto-engines")
class X25519KeysTest {
    private static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));

    @Test
    void conversionMatchesLibsodium() {
        JsonNode vectors = TestVectors.load("ed25519_to_x25519_libsodium.json").get("vectors");
        assertEquals(6, vectors.size());
        for (JsonNode v : vectors) {
            byte[] seed = TestVectors.hex(v.get("ed25519_seed_hex"));
            byte[] edPublic = Ed25519Identity.fromSeed(seed).publicKey();
            assertArrayEquals(TestVectors.hex(v.get("ed25519_public_hex")), edPublic);
            byte[] xPrivate = X25519Keys.fromEd25519Seed(seed);
            byte[] xPublic = X25519Keys.fromEd25519PublicKey(edPublic);
            assertArrayEquals(TestVectors.hex(v.get("x25519_private_hex")), xPrivate);
            assertArrayEquals(TestVectors.hex(v.get("x25519_public_hex")), xPublic);
            assertArrayEquals(xPublic, X25519Keys.publicKey(xPrivate), "both halves of the map agree");
        }
    }

    @Test
    void conversionMatchesTheBigIntegerFormOnManyKeys() {
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 5_000; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            assertArrayEquals(reference(key), X25519Keys.fromEd25519PublicKey(key),
                    () -> HexFormat.of().formatHex(key));
        }
        for (int i = 0; i < 200; i++) {
            byte[] key = Ed25519Identity.fromSeed(longToSeed(i)).publicKey();
            assertArrayEquals(reference(key), X25519Keys.fromEd25519PublicKey(key));
        }
    }

    @Test
    void conversionAtTheEdgesOfTheField() {
        for (BigInteger y : new BigInteger[] {BigInteger.ZERO, BigInteger.TWO, P.subtract(BigInteger.ONE),
                P.subtract(BigInteger.TWO), BigInteger.ONE.shiftLeft(254), P.shiftRight(1)}) {
            for (boolean sign : new boolean[] {false, true}) {
                byte[] key = littleEndian(y, sign);
                assertArrayEquals(reference(key), X25519Keys.fromEd25519PublicKey(key), y.toString(16));
            }
        }
        // y = 1 has no Montgomery image; y ≥ p is not canonical: both refused, as before.
        BigInteger top = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE);
        for (BigInteger y : new BigInteger[] {BigInteger.ONE, P, P.add(BigInteger.ONE), top}) {
            assertNull(X25519Keys.fromEd25519PublicKey(littleEndian(y, false)), y.toString(16));
            assertNull(X25519Keys.fromEd25519PublicKey(littleEndian(y, true)), y.toString(16));
        }
    }

    private static byte[] longToSeed(long n) {
        byte[] seed = new byte[32];
        for (int i = 0; i < 8; i++) {
            seed[i] = (byte) (n >>> (8 * i));
        }
        return seed;
    }

    private static byte[] littleEndian(BigInteger y, boolean signBit) {
        byte[] out = new byte[32];
        byte[] be = y.toByteArray();
        for (int i = 0; i < 32 && i < be.length; i++) {
            out[i] = be[be.length - 1 - i];
        }
        if (signBit) {
            out[31] |= (byte) 0x80;
        }
        return out;
    }

    /** The conversion as it was computed before (u = (1 + y) / (1 − y) mod p with BigInteger). */
    private static byte[] reference(byte[] edPublicKey) {
        byte[] le = edPublicKey.clone();
        le[31] &= 0x7f;
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = le[31 - i];
        }
        BigInteger y = new BigInteger(1, be);
        if (y.compareTo(P) >= 0) {
            return null;
        }
        BigInteger denominator = BigInteger.ONE.subtract(y).mod(P);
        if (denominator.signum() == 0) {
            return null;
        }
        byte[] u = BigInteger.ONE.add(y).multiply(denominator.modInverse(P)).mod(P).toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < u.length; i++) {
            out[i] = u[u.length - 1 - i];
        }
        return out;
    }
}
