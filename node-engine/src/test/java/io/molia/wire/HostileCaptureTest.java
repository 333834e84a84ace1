package io.molia.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.SplittableRandom;

import io.molia.crypto.Blake2s;
import io.molia.crypto.X25519Keys;
import io.molia.session.WireGuardConstants;
import org.junit.jupiter.api.Test;

/**
 * A capture is input from outside (anyone can send the datagrams it holds, anyone can hand over the file): the
 * decoder reports what it cannot read and never fails on it, whatever the bytes.
 */
class HostileCaptureTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(13);

    @Test
    void randomDatagramsOfEveryTypeAreReportedNotThrown() throws Exception {
        byte[] staticPrivate = new byte[32];
        RANDOM.nextBytes(staticPrivate);
        byte[] staticPublic = X25519Keys.publicKey(staticPrivate);
        byte[] ephemeral = new byte[32];
        RANDOM.nextBytes(ephemeral);
        Base64.Encoder b64 = Base64.getEncoder();
        KeyLog keys = KeyLog.parse("LOCAL_STATIC_PRIVATE_KEY = " + b64.encodeToString(staticPrivate)
                + "\nLOCAL_EPHEMERAL_PRIVATE_KEY = " + b64.encodeToString(ephemeral)
                + "\nPRESHARED_KEY = " + b64.encodeToString(new byte[32]) + "\nnot a key line\n");
        byte[] mac1Key = new Blake2s().hash(WireGuardConstants.LABEL_MAC1, staticPublic);
        WireDecoder decoder = new WireDecoder(keys);
        InetSocketAddress here = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4000);
        int[] types = {1, 2, 3, 4, 0x4D, 0x4E, 5, 0xff};
        for (int i = 0; i < 5_000; i++) {
            byte[] m = new byte[RANDOM.nextInt(0, 600)];
            RANDOM.nextBytes(m);
            if (m.length >= 4) {
                m[0] = (byte) types[i % types.length];
                m[1] = m[2] = m[3] = 0;
                int[] indices = {4, 8};
                for (int at : indices) {
                    if (m.length >= at + 4 && RANDOM.nextBoolean()) {
                        m[at] = (byte) RANDOM.nextInt(4); // indices that collide with earlier ones
                        m[at + 1] = m[at + 2] = m[at + 3] = 0;
                    }
                }
                if (m.length >= 48 && RANDOM.nextBoolean()) {
                    // a valid mac1 for the logged static key: decryption is attempted, and fails
                    new Blake2s().mac(mac1Key, m, 0, m.length - 32, m, m.length - 32);
                }
            }
            DecodedDatagram d = decoder.decode(new UdpDatagram(i + 1, 0, here, here, m, m.length));
            assertNotNull(d.line());
            assertNotNull(d.json());
            assertFalse(d.decrypted() && d.inner() != null && d.type() != 4, "random bytes decrypted: " + d.line());
        }
    }

    @Test
    void mutatedAndCutCapturesAreReadOrRefusedInOneLine() throws Exception { // classic pcap and pcapng
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4000);
        InetSocketAddress b = new InetSocketAddress(InetAddress.getByName("::1"), 4001);
        for (int linkType : new int[] {UdpDatagram.LINK_ETHERNET, UdpDatagram.LINK_LINUX_SLL2, UdpDatagram.LINK_RAW}) {
            PcapWriter w = new PcapWriter(linkType, ByteOrder.LITTLE_ENDIAN);
            java.util.List<byte[]> frames = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                w.add(i * 1_000_000L, i % 2 == 0 ? a : b, i % 2 == 0 ? a : b, new byte[40 + i]);
                frames.add(PcapWriter.frame(linkType, PcapWriter.ip(i % 2 == 0 ? a : b, i % 2 == 0 ? a : b,
                        new byte[40 + i])));
            }
            readMutated(w.bytes());
            readMutated(PcapWriter.pcapng(ByteOrder.BIG_ENDIAN, linkType, frames));
        }
    }

    /** Reads cut and byte-flipped copies of {@code good}: frames, or a one-line refusal. */
    private static void readMutated(byte[] good) {
        for (int trial = 0; trial < 1_000; trial++) {
            byte[] bad = java.util.Arrays.copyOf(good, RANDOM.nextInt(1, good.length + 1));
            for (int flips = RANDOM.nextInt(1, 6); flips > 0; flips--) {
                bad[RANDOM.nextInt(bad.length)] = (byte) RANDOM.nextInt(256);
            }
            PcapReader.Capture capture;
            try {
                capture = PcapReader.read(bad);
            } catch (IOException refused) {
                assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
                continue;
            }
            for (PcapReader.Frame f : capture.frames()) {
                UdpDatagram.of(f); // a datagram or null, never an exception
            }
        }
    }
}
