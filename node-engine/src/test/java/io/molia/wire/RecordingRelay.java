package io.molia.wire;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;

/**
 * A UDP relay between two nodes on loopback that records every datagram it passes, as tcpdump on node A's side
 * would see them: node A talks to {@link #port()} as if it were node B; the relay sends A's datagrams on to B
 * from a second socket, and B's answers back to A. The capture shows A's address and the relay's first socket.
 * One thread, stopped by {@link #close}.
 */
final class RecordingRelay implements AutoCloseable {
    private final DatagramChannel towardA;
    private final DatagramChannel towardB;
    private final InetSocketAddress b;
    private final Selector selector;
    private final PcapWriter pcap = new PcapWriter(UdpDatagram.LINK_ETHERNET, ByteOrder.LITTLE_ENDIAN);
    private final Thread thread;
    private volatile boolean running = true;
    private InetSocketAddress a;

    RecordingRelay(InetSocketAddress b) throws IOException {
        this.b = b;
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.towardA = DatagramChannel.open().bind(any);
        this.towardB = DatagramChannel.open().bind(any);
        this.selector = Selector.open();
        for (DatagramChannel c : new DatagramChannel[] {towardA, towardB}) {
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ);
        }
        this.thread = new Thread(this::run, "recording-relay");
        thread.start();
    }

    /** Where node A sends what it means for node B. */
    int port() throws IOException {
        return ((InetSocketAddress) towardA.getLocalAddress()).getPort();
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        try {
            InetSocketAddress relay = (InetSocketAddress) towardA.getLocalAddress();
            while (running) {
                selector.select(50);
                selector.selectedKeys().clear();
                InetSocketAddress from;
                while ((from = (InetSocketAddress) towardA.receive(buf.clear())) != null) {
                    a = from;
                    record(buf, from, relay);
                    towardB.send(buf.flip(), b);
                }
                while (towardB.receive(buf.clear()) != null) {
                    if (a != null) {
                        record(buf, relay, a);
                        towardA.send(buf.flip(), a);
                    }
                }
            }
        } catch (IOException e) {
            if (running) {
                throw new IllegalStateException("the relay failed", e);
            }
        }
    }

    private void record(ByteBuffer buf, InetSocketAddress from, InetSocketAddress to) {
        byte[] datagram = Arrays.copyOf(buf.array(), buf.position());
        synchronized (pcap) {
            pcap.add(System.currentTimeMillis() * 1_000_000L, from, to, datagram);
        }
    }

    /** The capture so far, as a classic pcap file with Ethernet framing (what {@code tcpdump -i lo} writes). */
    byte[] capture() {
        synchronized (pcap) {
            return pcap.bytes();
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(5_000);
        selector.close();
        towardA.close();
        towardB.close();
    }
}
