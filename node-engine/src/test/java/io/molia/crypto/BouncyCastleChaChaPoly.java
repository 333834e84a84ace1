package io.molia.crypto;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** BouncyCastle's ChaCha20-Poly1305 behind {@link AeadEngine}: a baseline of the crypto benchmarks. */
public final class BouncyCastleChaChaPoly implements AeadEngine {
    private final ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
    private final byte[] nonce = new byte[12];

    @Override
    public String name() {
        return "bouncycastle";
    }

    @Override
    public int seal(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        init(true, key, counter, ad);
        int n = cipher.processBytes(in, inOff, len, out, outOff);
        try {
            return n + cipher.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int open(byte[] key, long counter, byte[] in, int inOff, int len, byte[] ad, byte[] out, int outOff) {
        init(false, key, counter, ad);
        int n = cipher.processBytes(in, inOff, len, out, outOff);
        try {
            return n + cipher.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            return -1;
        }
    }

    private void init(boolean encrypt, byte[] key, long counter, byte[] ad) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, ad));
    }
}
