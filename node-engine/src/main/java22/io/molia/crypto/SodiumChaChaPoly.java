package io.molia.crypto;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 by libsodium ({@code crypto_aead_chacha20poly1305_ietf_*_detached}) through the FFM API (JDK 22+
 * only: the multi-release slice). Each instance owns native buffers for the key, nonce, AD and one datagram; a call
 * copies in, runs libsodium there and copies out, so it allocates nothing and keeps {@link ChaChaPoly}'s contract
 * (any overlap of {@code in} and {@code out}; a forged packet leaves {@code out} untouched). Owned by one thread.
 */
final class SodiumChaChaPoly implements AeadEngine {
    /** The largest message it takes: a datagram (SessionManager.MAX_DATAGRAM_BYTES) with room to spare. */
    static final int MAX_BYTES = 4096;
    // Pointers pass as their address (a long on 64-bit Linux): a segment argument costs an object per call, and
    // the data path seals and opens every datagram. The buffers stay alive across a call: see reachabilityFence.
    private static final MethodHandle ENCRYPT = Sodium.function("crypto_aead_chacha20poly1305_ietf_encrypt_detached",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle DECRYPT = Sodium.function("crypto_aead_chacha20poly1305_ietf_decrypt_detached",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG, JAVA_LONG));

    /** Made once: a layout made per call (withByteAlignment) is an object per call. */
    private static final ValueLayout.OfInt JAVA_INT_UNALIGNED = JAVA_INT.withByteAlignment(1);
    private static final ValueLayout.OfLong JAVA_LONG_LE =
            JAVA_LONG.withByteAlignment(1).withOrder(ByteOrder.LITTLE_ENDIAN);

    // Freed with the instance (an automatic arena): one per DataPath, which lives as long as its shard.
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment key = arena.allocate(ChaChaPoly.KEY_BYTES);
    private final MemorySegment nonce = arena.allocate(12);
    private final MemorySegment tag = arena.allocate(ChaChaPoly.TAG_BYTES);
    private final MemorySegment message = arena.allocate(MAX_BYTES);
    private final MemorySegment ad = arena.allocate(MAX_BYTES);
    // Views made once: MemorySegment.copy from an array wraps it in a heap segment per call, which escape analysis
    // does not always remove (and the allocation tests run once without it); a buffer's bulk put and get do not.
    private final ByteBuffer keyBuffer = key.asByteBuffer();
    private final ByteBuffer tagBuffer = tag.asByteBuffer();
    private final ByteBuffer messageBuffer = message.asByteBuffer();
    private final ByteBuffer adBuffer = ad.asByteBuffer();

    @Override
    public String name() {
        return "libsodium";
    }

    @Override
    public int seal(byte[] k, long counter, byte[] in, int inOff, int len, byte[] adBytes, byte[] out, int outOff) {
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, len + ChaChaPoly.TAG_BYTES, out.length);
        int adLen = load(k, counter, adBytes, len);
        messageBuffer.put(0, in, inOff, len);
        int rc;
        try {
            rc = (int) ENCRYPT.invokeExact(message.address(), tag.address(), 0L, message.address(), (long) len,
                    adLen == 0 ? 0L : ad.address(), (long) adLen, 0L, nonce.address(), key.address());
        } catch (Throwable e) {
            throw rethrow(e);
        } finally {
            Reference.reachabilityFence(this); // the arena frees the buffers once this instance is unreachable
        }
        if (rc != 0) {
            throw new IllegalStateException("crypto_aead_chacha20poly1305_ietf_encrypt_detached failed");
        }
        messageBuffer.get(0, out, outOff, len);
        tagBuffer.get(0, out, outOff + len, ChaChaPoly.TAG_BYTES);
        return len + ChaChaPoly.TAG_BYTES;
    }

    @Override
    public int open(byte[] k, long counter, byte[] in, int inOff, int len, byte[] adBytes, byte[] out, int outOff) {
        if (len < ChaChaPoly.TAG_BYTES) {
            return -1;
        }
        int plainLen = len - ChaChaPoly.TAG_BYTES;
        Objects.checkFromIndexSize(inOff, len, in.length);
        Objects.checkFromIndexSize(outOff, plainLen, out.length);
        int adLen = load(k, counter, adBytes, plainLen);
        messageBuffer.put(0, in, inOff, plainLen);
        tagBuffer.put(0, in, inOff + plainLen, ChaChaPoly.TAG_BYTES);
        int rc;
        try {
            rc = (int) DECRYPT.invokeExact(message.address(), 0L, message.address(), (long) plainLen, tag.address(),
                    adLen == 0 ? 0L : ad.address(), (long) adLen, nonce.address(), key.address());
        } catch (Throwable e) {
            throw rethrow(e);
        } finally {
            Reference.reachabilityFence(this);
        }
        if (rc != 0) {
            return -1; // libsodium zeroed its own buffer; out is untouched
        }
        messageBuffer.get(0, out, outOff, plainLen);
        return plainLen;
    }

    /** Copies key, nonce (4 zero bytes, the counter little-endian) and AD in; returns the AD's length. */
    private int load(byte[] k, long counter, byte[] adBytes, int len) {
        if (k.length != ChaChaPoly.KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key is 32 bytes");
        }
        int adLen = adBytes == null ? 0 : adBytes.length;
        if (len > MAX_BYTES || adLen > MAX_BYTES) {
            throw new IllegalArgumentException("larger than a datagram: " + Math.max(len, adLen) + " bytes");
        }
        keyBuffer.put(0, k, 0, ChaChaPoly.KEY_BYTES);
        nonce.set(JAVA_INT_UNALIGNED, 0, 0);
        nonce.set(JAVA_LONG_LE, 4, counter);
        if (adLen > 0) {
            adBuffer.put(0, adBytes, 0, adLen);
        }
        return adLen;
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new AssertionError(e);
    }
}
