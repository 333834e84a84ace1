package io.molia.crypto;

/**
 * ChaCha20-Poly1305 by whichever engine is faster at the message's size: {@link ChaChaPoly} (Java) below
 * {@link #NATIVE_FROM_BYTES}, where a native call costs more than it saves, and libsodium's vector code from there
 * up (seal + open of 512 B: about 1.5 µs against 3.5 µs; docs/benchmarks.md, "ChaCha20-Poly1305 by size"). The
 * cipher is the same either way: what one engine seals, the other opens. Owned by one thread.
 */
final class SizedAead implements AeadEngine {
    /** The crossover measured on this machine's kind: equal at about 100-160 B of plaintext. */
    static final int NATIVE_FROM_BYTES = 128;

    private final AeadEngine small;
    private final AeadEngine large;

    SizedAead(AeadEngine small, AeadEngine large) {
        this.small = small;
        this.large = large;
    }

    @Override
    public String name() {
        return small.name() + " below " + NATIVE_FROM_BYTES + " B, " + large.name() + " from there";
    }

    @Override
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        return (len < NATIVE_FROM_BYTES ? small : large).seal(key, counter, in, inOff, len, ad, out, outOff);
    }

    @Override
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        return (len - ChaChaPoly.TAG_BYTES < NATIVE_FROM_BYTES ? small : large)
                .open(key, counter, in, inOff, len, ad, out, outOff);
    }
}
