package io.molia.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Captures as tcpdump, dumpcap and Wireshark write them: classic pcap and pcapng, and every link type we read. */
class PcapReaderTest {
    private static final long T = 1_764_633_600_123_456_000L; // a microsecond-exact time
    private static final byte[] PAYLOAD = "a datagram".getBytes();

    private static InetSocketAddress at(String host, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    @Test
    void everyLinkTypeGivesTheDatagramInEitherByteOrder() throws Exception {
        List<InetSocketAddress[]> pairs = List.of(
                new InetSocketAddress[] {at("127.0.0.1", 4000), at("127.0.0.2", 4001)},
                new InetSocketAddress[] {at("::1", 4000), at("2001:db8::7", 51820)});
        int[] linkTypes = {UdpDatagram.LINK_ETHERNET, UdpDatagram.LINK_LINUX_SLL, UdpDatagram.LINK_LINUX_SLL2,
            UdpDatagram.LINK_NULL, UdpDatagram.LINK_LOOP, UdpDatagram.LINK_RAW, UdpDatagram.LINK_RAW_BSD,
            UdpDatagram.LINK_IPV4, UdpDatagram.LINK_IPV6};
        for (int linkType : linkTypes) {
            for (InetSocketAddress[] pair : pairs) {
                boolean v4 = pair[0].getAddress().getAddress().length == 4;
                if ((linkType == UdpDatagram.LINK_IPV4 && !v4) || (linkType == UdpDatagram.LINK_IPV6 && v4)) {
                    continue;
                }
                for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                    PcapWriter w = new PcapWriter(linkType, order);
                    w.add(T, pair[0], pair[1], PAYLOAD);
                    PcapReader.Capture capture = PcapReader.read(w.bytes());
                    String what = "link type " + linkType + " " + pair[0] + " " + order;
                    assertFalse(capture.truncated(), what);
                    assertEquals(1, capture.frames().size(), what);
                    UdpDatagram d = UdpDatagram.of(capture.frames().get(0));
                    assertEquals(pair[0], d.source(), what);
                    assertEquals(pair[1], d.destination(), what);
                    assertArrayEquals(PAYLOAD, d.payload(), what);
                    assertEquals(T, d.epochNanos(), what);
                    assertEquals(1, d.frame(), what);
                }
            }
        }
    }

    @Test
    void pcapngKeepsEachInterfacesLinkTypeAndTimestampResolution() throws Exception {
        byte[] ethernet = PcapWriter.frame(UdpDatagram.LINK_ETHERNET,
                PcapWriter.ip(at("127.0.0.1", 1), at("127.0.0.1", 2), PAYLOAD));
        byte[] cooked = PcapWriter.frame(UdpDatagram.LINK_LINUX_SLL2,
                PcapWriter.ip(at("::1", 3), at("::1", 4), PAYLOAD));
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.writeBytes(PcapWriter.block(order, 0x0a0d0d0a, ByteBuffer.allocate(16).order(order).putInt(0x1a2b3c4d)
                    .putShort((short) 1).putShort((short) 0).putLong(-1).array()));
            // interface 0: Ethernet, if_tsresol 9 (nanoseconds); interface 1: SLL2, no option (microseconds)
            file.writeBytes(PcapWriter.block(order, 1, ByteBuffer.allocate(20).order(order).putShort((short) 1)
                    .putShort((short) 0).putInt(0).putShort((short) 9).putShort((short) 1).put((byte) 9)
                    .put(new byte[3]).putInt(0).array()));
            file.writeBytes(PcapWriter.block(order, 1, ByteBuffer.allocate(8).order(order).putShort((short) 276)
                    .putShort((short) 0).putInt(0).array()));
            file.writeBytes(PcapWriter.block(order, 5, new byte[8])); // an interface statistics block: skipped
            file.writeBytes(PcapWriter.enhanced(order, 0, T + 789, ethernet));
            file.writeBytes(PcapWriter.enhanced(order, 1, T / 1000, cooked));
            PcapReader.Capture capture = PcapReader.read(file.toByteArray());
            assertEquals(2, capture.frames().size(), order.toString());
            UdpDatagram first = UdpDatagram.of(capture.frames().get(0));
            assertEquals(T + 789, first.epochNanos(), "nanosecond resolution kept");
            assertEquals(2, first.destination().getPort());
            UdpDatagram second = UdpDatagram.of(capture.frames().get(1));
            assertEquals(T, second.epochNanos(), "microseconds when the interface names no resolution");
            assertEquals(at("::1", 4), second.destination());
            assertArrayEquals(PAYLOAD, second.payload());
        }
    }

    @Test
    void vlanTagsAreSkippedAndWhatIsNotAWholeUdpDatagramIsNot() throws Exception {
        byte[] packet = PcapWriter.ip(at("10.0.0.1", 5), at("10.0.0.2", 6), PAYLOAD);
        byte[] tagged = ByteBuffer.allocate(18 + packet.length).put(new byte[12]).putShort((short) 0x8100)
                .putShort((short) 7).putShort((short) 0x0800).put(packet).array();
        assertArrayEquals(PAYLOAD, UdpDatagram.of(new PcapReader.Frame(1, 0, UdpDatagram.LINK_ETHERNET, tagged))
                .payload());

        byte[] fragment = packet.clone();
        fragment[6] = 0x20; // more fragments
        assertNull(UdpDatagram.of(new PcapReader.Frame(1, 0, UdpDatagram.LINK_RAW, fragment)), "not reassembled");
        byte[] tcp = packet.clone();
        tcp[9] = 6;
        assertNull(UdpDatagram.of(new PcapReader.Frame(1, 0, UdpDatagram.LINK_RAW, tcp)));
        byte[] arp = PcapWriter.frame(UdpDatagram.LINK_ETHERNET, packet);
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertNull(UdpDatagram.of(new PcapReader.Frame(1, 0, UdpDatagram.LINK_ETHERNET, arp)));
        assertNull(UdpDatagram.of(new PcapReader.Frame(1, 0, 147, packet)), "a link type we do not read");
        assertFalse(UdpDatagram.supports(147));
        PcapReader.Capture foreign = new PcapReader.Capture(List.of(new PcapReader.Frame(1, 0, 147, packet)), false);
        IOException unsupported = assertThrows(IOException.class,
                () -> CaptureDecode.run(foreign, KeyLog.parse(""), java.util.Set.of(), d -> { }));
        assertEquals("link type 147 is not one molia wire decode reads (Ethernet, Linux cooked SLL/SLL2, raw IP, "
                + "BSD loopback)", unsupported.getMessage());

        byte[] snapped = Arrays.copyOf(packet, packet.length - 3); // a snap length shorter than the datagram
        UdpDatagram cut = UdpDatagram.of(new PcapReader.Frame(1, 0, UdpDatagram.LINK_RAW, snapped));
        assertTrue(cut.truncated());
        assertEquals(PAYLOAD.length, cut.wireLength());
    }

    @Test
    void aCutOffLastRecordEndsTheCaptureAndOtherFilesAreRefusedInOneLine() throws Exception {
        PcapWriter w = new PcapWriter(UdpDatagram.LINK_ETHERNET, ByteOrder.LITTLE_ENDIAN);
        w.add(T, at("127.0.0.1", 1), at("127.0.0.1", 2), PAYLOAD);
        w.add(T, at("127.0.0.1", 1), at("127.0.0.1", 2), PAYLOAD);
        byte[] whole = w.bytes();
        PcapReader.Capture cut = PcapReader.read(Arrays.copyOf(whole, whole.length - 5));
        assertTrue(cut.truncated());
        assertEquals(1, cut.frames().size());

        IOException notACapture = assertThrows(IOException.class,
                () -> PcapReader.read("LOCAL_STATIC_PRIVATE_KEY = x".getBytes()));
        assertTrue(notACapture.getMessage().startsWith("not a pcap or pcapng capture"), notACapture.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> PcapReader.read(java.nio.file.Path.of("/nonexistent/capture.pcap")));
        assertEquals("/nonexistent/capture.pcap: no such file", missing.getMessage());
    }
}
