package io.molia.relay;

import io.molia.session.SessionManager;

/**
 * A datagram that travels through a relay: a circuit number, then a whole WireGuard datagram of the two ends'
 * session, untouched. The relay reads the first 8 bytes only, sends the frame as it came to the circuit's other end,
 * and never sees plaintext; each end strips the header and hands the inner datagram to its session layer as if it
 * had come straight from the other end.
 *
 * <pre>
 *  0      1      2      3      4                  8
 *  +------+------+------+------+------------------+---------------------------------+
 *  | 0x53 |   0  |   0  |   0  | circuit (u32 LE) | inner WireGuard datagram (1+ B) |
 *  +------+------+------+------+------------------+---------------------------------+
 * </pre>
 *
 * <p>Stateless helpers over a caller's buffer: no allocation.
 */
public final class RelayFrame {
    /** After the NAT probe (0x52), in the range reserved for relays (0x53–0x55); outside WireGuard's 1–4. */
    public static final int TYPE = 0x53;
    public static final int HEADER_BYTES = 8;
    /** The largest inner datagram a frame carries: a whole frame fits the session layer's datagram limit. */
    public static final int MAX_INNER_BYTES = SessionManager.MAX_DATAGRAM_BYTES - HEADER_BYTES;

    private RelayFrame() {
    }

    /** Whether {@code buf[off, off + len)} has a frame's shape: type, zeros, a nonzero circuit, an inner datagram. */
    public static boolean isFrame(byte[] buf, int off, int len) {
        return len > HEADER_BYTES && len <= HEADER_BYTES + MAX_INNER_BYTES && (buf[off] & 0xff) == TYPE
                && buf[off + 1] == 0 && buf[off + 2] == 0 && buf[off + 3] == 0 && circuitOf(buf, off) != 0;
    }

    public static int circuitOf(byte[] buf, int off) {
        return (buf[off + 4] & 0xff) | (buf[off + 5] & 0xff) << 8 | (buf[off + 6] & 0xff) << 16
                | (buf[off + 7] & 0xff) << 24;
    }

    /** Writes a header for {@code circuit} at {@code out[off]}; the inner datagram follows at {@code off + 8}. */
    public static int writeHeader(byte[] out, int off, int circuit) {
        if (circuit == 0) {
            throw new IllegalArgumentException("circuit 0 is not a circuit");
        }
        out[off] = (byte) TYPE;
        out[off + 1] = 0;
        out[off + 2] = 0;
        out[off + 3] = 0;
        out[off + 4] = (byte) circuit;
        out[off + 5] = (byte) (circuit >>> 8);
        out[off + 6] = (byte) (circuit >>> 16);
        out[off + 7] = (byte) (circuit >>> 24);
        return HEADER_BYTES;
    }
}
