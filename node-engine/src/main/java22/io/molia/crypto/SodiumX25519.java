package io.molia.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

/**
 * X25519 by libsodium ({@code crypto_scalarmult_curve25519}, Debian's {@code libsodium23}) through the FFM API: JDK
 * 22+ only, so it lives in the jar's {@code META-INF/versions/22} slice and {@link CryptoEngines} loads it by name.
 * Loading the class fails when the library cannot be loaded ({@link Sodium}).
 */
final class SodiumX25519 implements X25519Engine {
    private static final MethodHandle SCALARMULT = Sodium.function("crypto_scalarmult_curve25519",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle SCALARMULT_BASE = Sodium.function("crypto_scalarmult_curve25519_base",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    @Override
    public String name() {
        return "libsodium";
    }

    @Override
    public void publicKey(byte[] privateKey, byte[] out) {
        check(privateKey, out);
        try {
            int rc = (int) SCALARMULT_BASE.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(privateKey));
            if (rc != 0) {
                throw new IllegalStateException("crypto_scalarmult_curve25519_base failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        check(privateKey, out);
        if (publicKey.length < X25519Keys.KEY_BYTES) {
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
            Arrays.fill(out, 0, X25519Keys.KEY_BYTES, (byte) 0); // libsodium refuses low-order points without writing: zero, as BouncyCastle
            return false;
        }
        return true;
    }

    private static void check(byte[] privateKey, byte[] out) {
        if (privateKey.length < X25519Keys.KEY_BYTES || out.length < X25519Keys.KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 key is 32 bytes");
        }
    }
}
