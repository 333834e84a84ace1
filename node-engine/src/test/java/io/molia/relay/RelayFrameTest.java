package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import io.molia.session.SessionManager;

/** The relay frame's golden bytes and its shape checks. */
class RelayFrameTest {
    @Test
    void goldenBytes() {
        byte[] out = new byte[10];
        assertEquals(8, RelayFrame.writeHeader(out, 1, 0x12345678));
        out[9] = 4; // the inner datagram: one byte
        assertArrayEquals(HexFormat.of().parseHex("00530000007856341204"), out);
        assertTrue(RelayFrame.isFrame(out, 1, 9));
        assertEquals(0x12345678, RelayFrame.circuitOf(out, 1));
    }

    @Test
    void shapesThatAreNotFrames() {
        byte[] f = new byte[RelayFrame.HEADER_BYTES + 1];
        RelayFrame.writeHeader(f, 0, -1);
        assertTrue(RelayFrame.isFrame(f, 0, f.length));
        assertEquals(-1, RelayFrame.circuitOf(f, 0));
        assertFalse(RelayFrame.isFrame(f, 0, RelayFrame.HEADER_BYTES), "no inner datagram");
        byte[] big = new byte[SessionManager.MAX_DATAGRAM_BYTES + 1];
        RelayFrame.writeHeader(big, 0, 7);
        assertFalse(RelayFrame.isFrame(big, 0, big.length), "longer than a datagram");
        assertTrue(RelayFrame.isFrame(big, 0, big.length - 1));
        f[2] = 1;
        assertFalse(RelayFrame.isFrame(f, 0, f.length), "reserved bytes must be zero");
        f[2] = 0;
        f[0] = 0x52;
        assertFalse(RelayFrame.isFrame(f, 0, f.length), "a NAT probe is not a frame");
        byte[] zero = new byte[12];
        zero[0] = (byte) RelayFrame.TYPE;
        assertFalse(RelayFrame.isFrame(zero, 0, zero.length), "circuit 0 is no circuit");
        assertThrows(IllegalArgumentException.class, () -> RelayFrame.writeHeader(new byte[8], 0, 0));
    }
}
