package io.molia.wire;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes what tcpdump writes, for tests: a classic pcap file of UDP datagrams framed as IPv4 or IPv6 packets under
 * a link-layer header of the chosen type (Ethernet is what {@code tcpdump -i lo} gives, Linux cooked SLL/SLL2 what
 * {@code -i any} gives). Not thread-safe.
 */
final class PcapWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final int linkType;
    private final ByteOrder order;

    PcapWriter(int linkType, ByteOrder order) {
        this.linkType = linkType;
        this.order = order;
        ByteBuffer header = ByteBuffer.allocate(24).order(order);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65_535)
                .putInt(linkType);
        out.writeBytes(header.array());
    }

    /** Appends one datagram sent at {@code epochNanos} (kept to the microsecond, as classic pcap keeps it). */
    void add(long epochNanos, InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        byte[] frame = frame(linkType, ip(from, to, payload));
        ByteBuffer record = ByteBuffer.allocate(16).order(order);
        record.putInt((int) (epochNanos / 1_000_000_000L)).putInt((int) (epochNanos % 1_000_000_000L / 1000))
                .putInt(frame.length).putInt(frame.length);
        out.writeBytes(record.array());
        out.writeBytes(frame);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A pcapng block: type, total length, the body padded to 4 bytes, total length again. */
    static byte[] block(ByteOrder order, int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        return ByteBuffer.allocate(12 + padded).order(order).putInt(type).putInt(12 + padded)
                .put(java.util.Arrays.copyOf(body, padded)).putInt(12 + padded).array();
    }

    /** A pcapng enhanced packet block of interface {@code itf} at {@code units} of its timestamp resolution. */
    static byte[] enhanced(ByteOrder order, int itf, long units, byte[] data) {
        ByteBuffer body = ByteBuffer.allocate(20 + data.length).order(order).putInt(itf).putInt((int) (units >>> 32))
                .putInt((int) units).putInt(data.length).putInt(data.length).put(data);
        return block(order, 6, body.array());
    }

    /** A pcapng file: a section header, one interface of {@code linkType} (microseconds), and {@code frames}. */
    static byte[] pcapng(ByteOrder order, int linkType, java.util.List<byte[]> frames) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(block(order, 0x0a0d0d0a, ByteBuffer.allocate(16).order(order).putInt(0x1a2b3c4d)
                .putShort((short) 1).putShort((short) 0).putLong(-1).array()));
        file.writeBytes(block(order, 1, ByteBuffer.allocate(8).order(order).putShort((short) linkType)
                .putShort((short) 0).putInt(0).array()));
        for (int i = 0; i < frames.size(); i++) {
            file.writeBytes(enhanced(order, 0, i, frames.get(i)));
        }
        return file.toByteArray();
    }

    /** {@code packet} (IPv4 or IPv6) under the link-layer header of {@code linkType}. */
    static byte[] frame(int linkType, byte[] packet) {
        boolean v4 = (packet[0] & 0xf0) == 0x40;
        int etherType = v4 ? 0x0800 : 0x86dd;
        ByteBuffer b = ByteBuffer.allocate(packet.length + 24);
        switch (linkType) {
            case UdpDatagram.LINK_ETHERNET -> b.put(new byte[12]).putShort((short) etherType);
            case UdpDatagram.LINK_LINUX_SLL -> b.putShort((short) 0).putShort((short) 772).putShort((short) 6)
                    .put(new byte[8]).putShort((short) etherType);
            case UdpDatagram.LINK_LINUX_SLL2 -> b.putShort((short) etherType).putShort((short) 0).putInt(1)
                    .putShort((short) 772).put((byte) 0).put((byte) 6).put(new byte[8]);
            case UdpDatagram.LINK_NULL -> b.order(ByteOrder.LITTLE_ENDIAN).putInt(v4 ? 2 : 30)
                    .order(ByteOrder.BIG_ENDIAN); // the family in the capturing host's byte order
            case UdpDatagram.LINK_LOOP -> b.putInt(v4 ? 2 : 24);
            default -> {
                // raw IP link types: the packet alone
            }
        }
        b.put(packet);
        byte[] frame = new byte[b.position()];
        b.flip().get(frame);
        return frame;
    }

    /** An IPv4 or IPv6 packet (as the addresses are) holding one UDP datagram. */
    static byte[] ip(InetSocketAddress from, InetSocketAddress to, byte[] payload) {
        int udpLength = 8 + payload.length;
        ByteBuffer udp = ByteBuffer.allocate(udpLength).putShort((short) from.getPort()).putShort((short) to.getPort())
                .putShort((short) udpLength).putShort((short) 0).put(payload);
        boolean v4 = from.getAddress() instanceof Inet4Address;
        ByteBuffer ip = ByteBuffer.allocate((v4 ? 20 : 40) + udpLength);
        if (v4) {
            ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)).putShort((short) 0)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0);
        } else {
            ip.putInt(0x6000_0000).putShort((short) udpLength).put((byte) 17).put((byte) 64);
        }
        ip.put(from.getAddress().getAddress()).put(to.getAddress().getAddress()).put(udp.array());
        return ip.array();
    }
}
