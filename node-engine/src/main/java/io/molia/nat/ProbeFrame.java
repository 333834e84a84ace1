package io.molia.nat;

/**
 * The layout both of Molia's unencrypted probes share (a NAT dial-back probe, a birthday punch probe): a type byte
 * outside WireGuard's 1–4, three zero bytes, and a 64-bit nonce, little-endian. 12 bytes, shorter than any WireGuard
 * message, so a shard tells them apart by length and type alone.
 */
public final class ProbeFrame {
    public static final int BYTES = 12;

    private ProbeFrame() {
    }

    /** Whether {@code buf[off, off + len)} has the shape of a probe of {@code type}. */
    public static boolean is(int type, byte[] buf, int off, int len) {
        return len == BYTES && (buf[off] & 0xff) == type && buf[off + 1] == 0 && buf[off + 2] == 0
                && buf[off + 3] == 0;
    }

    /** The nonce of the probe at {@code buf[off]}. */
    public static long nonceOf(byte[] buf, int off) {
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = n << 8 | (buf[off + 4 + i] & 0xff);
        }
        return n;
    }

    /** Writes a probe of {@code type} with {@code nonce} into {@code out[off, off + BYTES)}; returns {@link #BYTES}. */
    public static int write(int type, long nonce, byte[] out, int off) {
        out[off] = (byte) type;
        out[off + 1] = 0;
        out[off + 2] = 0;
        out[off + 3] = 0;
        for (int i = 0; i < 8; i++) {
            out[off + 4 + i] = (byte) (nonce >>> (8 * i));
        }
        return BYTES;
    }
}
