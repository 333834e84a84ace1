package io.molia.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * X25519 DH by libsodium ({@code crypto_scalarmult_curve25519}, Debian's {@code libsodium23}) through the FFM API:
 * JDK 22+ only, so it lives in the jar's {@code META-INF/versions/22} slice and {@link CryptoEngines} loads it by
 * name. Loading the class fails when the library cannot be loaded ({@link Sodium}).
 */
final class SodiumX25519 implements X25519Engine {
    private static final MethodHandle SCALARMULT = Sodium.function("crypto_scalarmult_curve25519",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ED25519_BASE = Sodium.function("crypto_scalarmult_ed25519_base",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final X25519Engine FALLBACK = new BouncyCastleX25519();

    @Override
    public String name() {
        return "libsodium";
    }

    /**
     * libsodium's Ed25519 fixed-base multiplication (a precomputed table; it clamps as X25519 does), then the Edwards
     * y to the Montgomery u: 27-33 µs of CPU against BouncyCastle's 42-51 µs at load 12-16 (docs/benchmarks.md), where
     * libsodium 1.0.18's own X25519 base point runs the whole ladder. BouncyCastle's for an all-zero key, which
     * libsodium refuses.
     */
    @Override
    public void publicKey(byte[] privateKey, byte[] out) {
        if (privateKey.length < X25519Keys.KEY_BYTES || out.length < X25519Keys.KEY_BYTES || privateKey == out) {
            throw new IllegalArgumentException("an X25519 key is 32 bytes, the public key not in the private one");
        }
        int rc;
        try {
            rc = (int) ED25519_BASE.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(privateKey));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        if (rc != 0 || !X25519Keys.montgomeryU(out, out)) {
            FALLBACK.publicKey(privateKey, out);
        }
    }

    @Override
    public boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        if (privateKey.length < X25519Keys.KEY_BYTES || publicKey.length < X25519Keys.KEY_BYTES
                || out.length < X25519Keys.KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 key is 32 bytes");
        }
        int rc;
        try {
            rc = (int) SCALARMULT.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(privateKey),
                    MemorySegment.ofArray(publicKey));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        if (rc != 0) {
            // libsodium refuses a low-order point without writing: zero, as BouncyCastle leaves it.
            Arrays.fill(out, 0, X25519Keys.KEY_BYTES, (byte) 0);
            return false;
        }
        return true;
    }
}
