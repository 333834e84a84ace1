package io.molia.session;

import java.util.random.RandomGenerator;

import io.molia.contact.NodeAddress;
import io.molia.crypto.Blake2s;
import io.molia.crypto.XChaChaPoly;

/**
 * WireGuard cookies (paper §5.4.7): under load, an initiation needs a mac2 made with a cookie bound to its source
 * address, which costs the sender one round trip and proves it receives at that address. The secret rotates every
 * two minutes. Owned by the shard thread; not thread-safe.
 */
final class CookieJar {
    private final StaticIdentity local;
    private final RandomGenerator random;
    private final byte[] secret = new byte[32];
    private long secretBornNs = Long.MIN_VALUE;
    private final byte[] address = new byte[18];
    private final Blake2s blake2s = new Blake2s();

    CookieJar(StaticIdentity local, RandomGenerator random) {
        this.local = local;
        this.random = random;
    }

    /** MAC(Rm, source address and port): what the sender's mac2 must be keyed with. */
    byte[] cookieFor(long nowNs, NodeAddress from) {
        if (secretBornNs == Long.MIN_VALUE || nowNs - secretBornNs >= WireGuardConstants.COOKIE_REFRESH_TIME_NS) {
            random.nextBytes(secret);
            secretBornNs = nowNs;
        }
        int n = from.writeTo(address, 0);
        byte[] cookie = new byte[16];
        blake2s.mac(secret, address, 0, n, cookie, 0);
        return cookie;
    }

    /** The 64-byte cookie reply to the handshake message {@code msg}. */
    byte[] reply(long nowNs, NodeAddress from, byte[] msg, int off, int len) {
        byte[] cookie = cookieFor(nowNs, from);
        byte[] reply = new byte[WireGuardConstants.COOKIE_REPLY_BYTES];
        reply[0] = WireGuardConstants.TYPE_COOKIE_REPLY;
        System.arraycopy(msg, off + 4, reply, 4, 4); // receiver index = the sender index of the message answered
        byte[] nonce = new byte[XChaChaPoly.NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, reply, 8, nonce.length);
        byte[] mac1 = java.util.Arrays.copyOfRange(msg, off + len - 32, off + len - 16);
        XChaChaPoly.seal(local.cookieKey(), nonce, cookie, 0, 16, mac1, reply, 32);
        return reply;
    }

    /** Decrypts a cookie reply from the owner of {@code remoteStatic}; null when it does not authenticate. */
    static byte[] open(byte[] remoteStatic, byte[] mac1Sent, byte[] buf, int off) {
        byte[] key = new Blake2s().hash(WireGuardConstants.LABEL_COOKIE, remoteStatic);
        byte[] nonce = java.util.Arrays.copyOfRange(buf, off + 8, off + 32);
        byte[] cookie = new byte[16];
        int n = XChaChaPoly.open(key, nonce, buf, off + 32, 32, mac1Sent, cookie, 0);
        return n == 16 ? cookie : null;
    }
}
