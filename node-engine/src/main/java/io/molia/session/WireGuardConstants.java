package io.molia.session;

import java.nio.charset.StandardCharsets;

/**
 * WireGuard's constants and message layouts (wireguard-go 0.0.20220316, paper §5.4); offsets in bytes, integers
 * little-endian. Bytes 1..3 of every message are zero: anything else is an unknown type and is dropped.
 *
 * <pre>
 * type 1, initiation (148): 0 type | 1..3 0 | 4 sender | 8 ephemeral(32) | 40 static(32+16)
 *                           | 88 timestamp(12+16) | 116 mac1(16) | 132 mac2(16)
 * type 2, response (92):    0 type | 1..3 0 | 4 sender | 8 receiver | 12 ephemeral(32) | 44 empty(0+16)
 *                           | 60 mac1(16) | 76 mac2(16)
 * type 3, cookie (64):      0 type | 1..3 0 | 4 receiver | 8 nonce(24) | 32 cookie(16+16)
 * type 4, data (32+):       0 type | 1..3 0 | 4 receiver | 8 counter(8) | 16 AEAD(padded packet)
 * </pre>
 */
public final class WireGuardConstants {
    public static final byte[] CONSTRUCTION =
            "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    public static final int INITIATION_BYTES = 148;
    public static final int RESPONSE_BYTES = 92;
    public static final int COOKIE_REPLY_BYTES = 64;
    public static final int TRANSPORT_HEADER_BYTES = 16;
    public static final int TRANSPORT_MIN_BYTES = 32;

    public static final int INIT_SENDER = 4;
    public static final int INIT_EPHEMERAL = 8;
    public static final int INIT_STATIC = 40;
    public static final int INIT_TIMESTAMP = 88;
    public static final int INIT_MAC1 = 116;
    public static final int INIT_MAC2 = 132;

    public static final int RESP_SENDER = 4;
    public static final int RESP_RECEIVER = 8;
    public static final int RESP_EPHEMERAL = 12;
    public static final int RESP_EMPTY = 44;
    public static final int RESP_MAC1 = 60;
    public static final int RESP_MAC2 = 76;

    public static final int DATA_RECEIVER = 4;
    public static final int DATA_COUNTER = 8;

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13); // 2^64 - 2^13 - 1 as unsigned
    public static final long REKEY_AFTER_TIME_NS = 120_000_000_000L;
    public static final long REJECT_AFTER_TIME_NS = 180_000_000_000L;
    public static final long REKEY_ATTEMPT_TIME_NS = 90_000_000_000L;
    public static final long REKEY_TIMEOUT_NS = 5_000_000_000L;
    public static final long KEEPALIVE_TIMEOUT_NS = 10_000_000_000L;
    public static final long COOKIE_REFRESH_TIME_NS = 120_000_000_000L;
    public static final long HANDSHAKE_INITIATION_RATE_NS = 20_000_000L;

    private WireGuardConstants() {
    }

    static int readIntLe(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void writeIntLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    static long readLongLe(byte[] b, int off) {
        return (readIntLe(b, off) & 0xffff_ffffL) | ((long) readIntLe(b, off + 4) << 32);
    }

    static void writeLongLe(byte[] b, int off, long v) {
        writeIntLe(b, off, (int) v);
        writeIntLe(b, off + 4, (int) (v >>> 32));
    }
}
