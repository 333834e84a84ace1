package io.molia.session;

import java.util.Arrays;

import io.molia.crypto.Blake2s;
import io.molia.crypto.ChaChaPoly;

/**
 * The symmetric state of a Noise handshake (chaining key, handshake hash, cipher key and nonce) over
 * 25519/ChaChaPoly/BLAKE2s, with the operations of the Noise specification §5.2: MixHash, MixKey,
 * MixKeyAndHash, EncryptAndHash, DecryptAndHash, Split. WireGuard's handshake is Noise IKpsk2 built on it.
 *
 * <p>Owned by one thread; not thread-safe. Reset with {@link #initialize} before each handshake.
 */
public final class NoiseHandshake {
    private static final byte[] EMPTY = new byte[0];

    private final Blake2s blake2s;
    private final ChaChaPoly aead;
    private final byte[] ck = new byte[32];
    private final byte[] h = new byte[32];
    private final byte[] k = new byte[32];
    private final byte[] temp = new byte[32];
    private boolean hasKey;
    private long n;
    /** The chaining key's compressed HMAC pads while it is still the one {@link #start} set, else null. */
    private Blake2s.HmacKey chainingHmacKey;

    public NoiseHandshake(Blake2s blake2s, ChaChaPoly aead) {
        this.blake2s = blake2s;
        this.aead = aead;
    }

    /** InitializeSymmetric(protocolName) then MixHash(prologue). */
    public void initialize(byte[] protocolName, byte[] prologue) {
        if (protocolName.length <= 32) {
            Arrays.fill(h, (byte) 0);
            System.arraycopy(protocolName, 0, h, 0, protocolName.length);
        } else {
            blake2s.hash(protocolName, 0, protocolName.length, null, 0, 0, h);
        }
        System.arraycopy(h, 0, ck, 0, 32);
        hasKey = false;
        n = 0;
        chainingHmacKey = null;
        mixHash(prologue, 0, prologue.length);
    }

    /**
     * Starts from a state computed once: chaining key {@code chainingKey} (its HMAC pads {@code chainingHmacKey},
     * which the first MixKey uses) and hash {@code hash}, as {@link #initialize} and MixHash calls would leave them.
     */
    public void start(byte[] chainingKey, Blake2s.HmacKey chainingHmacKey, byte[] hash) {
        System.arraycopy(chainingKey, 0, ck, 0, 32);
        System.arraycopy(hash, 0, h, 0, 32);
        hasKey = false;
        n = 0;
        this.chainingHmacKey = chainingHmacKey;
    }

    /** Copies the state of {@code other} (a precomputed start: WireGuard's h after the responder's key). */
    public void copyFrom(NoiseHandshake other) {
        System.arraycopy(other.ck, 0, ck, 0, 32);
        System.arraycopy(other.h, 0, h, 0, 32);
        System.arraycopy(other.k, 0, k, 0, 32);
        hasKey = other.hasKey;
        n = other.n;
        chainingHmacKey = other.chainingHmacKey;
    }

    public void mixHash(byte[] data, int off, int len) {
        blake2s.hash(h, 0, 32, data, off, len, h);
    }

    public void mixKey(byte[] input, int off, int len) {
        kdf(input, off, len, ck, k, null);
        hasKey = true;
        n = 0;
    }

    public void mixKeyAndHash(byte[] input) {
        kdf(input, 0, input.length, ck, temp, k);
        mixHash(temp, 0, 32);
        hasKey = true;
        n = 0;
    }

    /** Writes the ciphertext (or the plaintext, before any key) to {@code out}; returns its length. */
    public int encryptAndHash(byte[] plain, int off, int len, byte[] out, int outOff) {
        int written;
        if (hasKey) {
            written = aead.seal(k, n++, plain, off, len, h, out, outOff);
        } else {
            System.arraycopy(plain, off, out, outOff, len);
            written = len;
        }
        mixHash(out, outOff, written);
        return written;
    }

    /** Returns the plaintext length, or -1 when authentication fails (the state is then unusable). */
    public int decryptAndHash(byte[] cipher, int off, int len, byte[] out, int outOff) {
        int plain;
        if (hasKey) {
            plain = aead.open(k, n++, cipher, off, len, h, out, outOff);
            if (plain < 0) {
                return -1;
            }
        } else {
            System.arraycopy(cipher, off, out, outOff, len);
            plain = len;
        }
        mixHash(cipher, off, len);
        return plain;
    }

    /**
     * EncryptAndHash of a handshake's last payload without its MixHash: WireGuard reads no hash after the response
     * (the transport keys come from the chaining key alone), so hashing the ciphertext, a block per 64 bytes of the
     * first answer, would be wasted. The wire bytes are the same; {@link #handshakeHash} is then not Noise's.
     */
    public int encryptLast(byte[] plain, int off, int len, byte[] out, int outOff) {
        requireKey();
        return aead.seal(k, n++, plain, off, len, h, out, outOff);
    }

    /** DecryptAndHash of a handshake's last payload without its MixHash, as {@link #encryptLast}; -1 if forged. */
    public int decryptLast(byte[] cipher, int off, int len, byte[] out, int outOff) {
        requireKey();
        return aead.open(k, n++, cipher, off, len, h, out, outOff);
    }

    private void requireKey() {
        if (!hasKey) {
            throw new IllegalStateException("a handshake's last payload is encrypted under a key");
        }
    }

    /** Split(): the initiator's sending key into {@code k1}, its receiving key into {@code k2}. */
    public void split(byte[] k1, byte[] k2) {
        kdf(EMPTY, 0, 0, k1, k2, null);
    }

    /** KDF under the chaining key, through its compressed pads while it is the one {@link #start} set. */
    private void kdf(byte[] input, int off, int len, byte[] t1, byte[] t2, byte[] t3) {
        if (chainingHmacKey != null && len > 0) {
            blake2s.kdf(chainingHmacKey, input, off, len, t1, t2, t3);
        } else {
            blake2s.kdf(ck, input, off, len, t1, t2, t3);
        }
        chainingHmacKey = null;
    }

    public byte[] handshakeHash() {
        return h.clone();
    }

    byte[] chainingKey() {
        return ck.clone();
    }
}
