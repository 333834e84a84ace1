package io.molia.crypto;

/**
 * ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce (4 zero bytes, then the 64-bit counter little-endian), as
 * {@link ChaChaPoly} implements it in Java; the benchmarks compare it with libsodium's through this interface.
 * {@code in} and {@code out} may be the same array, overlapping anyhow. An instance is owned by one thread.
 */
public interface AeadEngine {
    String name();

    /** Encrypts {@code in[inOff, +len)} into {@code out[outOff, +len)}, the tag after it; returns {@code len + 16}. */
    int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff);

    /** Checks the tag, then decrypts; returns the plaintext length, or -1 (and {@code out} untouched) if forged. */
    int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff);
}
