package io.molia.crypto;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 by libsodium ({@code crypto_aead_chacha20poly1305_ietf_*_detached}) through the FFM API, for
 * the benchmarks that compare it with {@link ChaChaPoly} (JDK 22+ only: the multi-release slice). Owned by one
 * thread (the nonce is a field).
 */
final class SodiumChaChaPoly implements AeadEngine {
    private static final MethodHandle ENCRYPT = Sodium.function("crypto_aead_chacha20poly1305_ietf_encrypt_detached",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                    ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle DECRYPT = Sodium.function("crypto_aead_chacha20poly1305_ietf_decrypt_detached",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG,
                    ADDRESS, ADDRESS));

    private final byte[] nonce = new byte[12];

    @Override
    public String name() {
        return "libsodium";
    }

    @Override
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len + ChaChaPoly.TAG_BYTES, out.length);
        if (key.length != ChaChaPoly.KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes");
        }
        if (in == out && inOff != outOff) { // libsodium works in place only at the same address
            System.arraycopy(in, inOff, out, outOff, len);
            inOff = outOff;
        }
        setNonce(counter);
        MemorySegment o = MemorySegment.ofArray(out);
        try {
            int rc = (int) ENCRYPT.invokeExact(o.asSlice(outOff), o.asSlice(outOff + len), MemorySegment.NULL,
                    MemorySegment.ofArray(in).asSlice(inOff), (long) len, adSegment(ad), adLength(ad),
                    MemorySegment.NULL, MemorySegment.ofArray(nonce), MemorySegment.ofArray(key));
            if (rc != 0) {
                throw new IllegalStateException("crypto_aead_chacha20poly1305_ietf_encrypt_detached failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        return len + ChaChaPoly.TAG_BYTES;
    }

    @Override
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        if (len < ChaChaPoly.TAG_BYTES) {
            return -1;
        }
        int plainLen = len - ChaChaPoly.TAG_BYTES;
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, plainLen, out.length);
        if (key.length != ChaChaPoly.KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes");
        }
        setNonce(counter);
        MemorySegment i = MemorySegment.ofArray(in);
        if (in == out && inOff != outOff) {
            // libsodium works in place only at the same address: verify and decrypt in place at inOff, then move
            // the plaintext.
            int n = open(key, counter, in, inOff, len, ad, in, inOff);
            if (n >= 0) {
                System.arraycopy(in, inOff, out, outOff, n);
            }
            return n;
        }
        try {
            int rc = (int) DECRYPT.invokeExact(MemorySegment.ofArray(out).asSlice(outOff), MemorySegment.NULL,
                    i.asSlice(inOff), (long) plainLen, i.asSlice(inOff + plainLen), adSegment(ad), adLength(ad),
                    MemorySegment.ofArray(nonce), MemorySegment.ofArray(key));
            return rc == 0 ? plainLen : -1;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    private void setNonce(long counter) {
        for (int b = 0; b < 8; b++) {
            nonce[4 + b] = (byte) (counter >>> (8 * b));
        }
    }

    private static MemorySegment adSegment(byte[] ad) {
        return ad == null || ad.length == 0 ? MemorySegment.NULL : MemorySegment.ofArray(ad);
    }

    private static long adLength(byte[] ad) {
        return ad == null ? 0 : ad.length;
    }
}
