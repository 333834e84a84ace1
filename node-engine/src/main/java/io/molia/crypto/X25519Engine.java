package io.molia.crypto;

/**
 * One implementation of X25519 (RFC 7748). Both calls clamp the private key themselves and allocate nothing.
 * {@link CryptoEngines} picks the one every session uses when the class loads; the others stay reachable for the
 * benchmarks and the tests that run the vectors against each.
 */
public interface X25519Engine {
    /** A short name for logs and benchmark output ("bouncycastle", "libsodium"). */
    String name();

    /** The public key of {@code privateKey} into {@code out} (32 bytes each). */
    void publicKey(byte[] privateKey, byte[] out);

    /** DH(private, public) into {@code out}; false (and {@code out} all zero) for a low-order public key. */
    boolean dh(byte[] privateKey, byte[] publicKey, byte[] out);
}
