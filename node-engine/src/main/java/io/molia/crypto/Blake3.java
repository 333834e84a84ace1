package io.molia.crypto;

import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 with a reusable digest, so hashing IDs and proofs of work allocates nothing per call.
 *
 * <p>Owned by one thread (a shard, the simulator loop); not thread-safe.
 */
public final class Blake3 {
    public static final int OUTPUT_BYTES = 32;

    private final Blake3Digest digest = new Blake3Digest(OUTPUT_BYTES * 8);

    /** Hashes {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff + 32)}. */
    public void hash(byte[] in, int inOff, int inLen, byte[] out, int outOff) {
        digest.reset();
        digest.update(in, inOff, inLen);
        digest.doFinal(out, outOff, OUTPUT_BYTES);
    }

    /** Extended output: hashes {@code in} and squeezes {@code outLen} bytes (BLAKE3's XOF mode). */
    public void hashExtended(byte[] in, int inOff, int inLen, byte[] out, int outOff, int outLen) {
        digest.reset();
        digest.update(in, inOff, inLen);
        digest.doFinal(out, outOff, outLen);
    }

    /** Convenience for cold paths. */
    public byte[] hash(byte[] in) {
        byte[] out = new byte[OUTPUT_BYTES];
        hash(in, 0, in.length, out, 0);
        return out;
    }
}
