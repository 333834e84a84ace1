package io.molia.crypto;

import org.bouncycastle.math.ec.rfc7748.X25519;

/** X25519 in pure Java (BouncyCastle): the fallback on JDK 21 and wherever libsodium cannot be loaded. */
public final class BouncyCastleX25519 implements X25519Engine {
    @Override
    public String name() {
        return "bouncycastle";
    }

    @Override
    public void publicKey(byte[] privateKey, byte[] out) {
        X25519.generatePublicKey(privateKey, 0, out, 0);
    }

    @Override
    public boolean dh(byte[] privateKey, byte[] publicKey, byte[] out) {
        return X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, 0);
    }
}
