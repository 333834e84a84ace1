package io.molia.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.molia.contact.NodeAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Real sockets on loopback: every shard's socket shares one port and answers from its own loop, over IPv4, IPv6
 * and the dual-stack wildcard, with epoll and with NIO.
 */
class UdpTransportTest {
    private static final InetSocketAddress LOOPBACK_ANY_PORT =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final InetSocketAddress IPV6_LOOPBACK_ANY_PORT = new InetSocketAddress("::1", 0);

    @ParameterizedTest(name = "io={0} bind={1}")
    @CsvSource({"DIRECT, 127.0.0.1", "EPOLL, 127.0.0.1", "NIO, 127.0.0.1", "DIRECT, ::1", "EPOLL, ::1", "NIO, ::1",
        "DIRECT, ::", "EPOLL, ::", "NIO, ::"})
    void shardsShareOnePortAndEchoFromTheirOwnLoop(DatagramIo io, String bindHost) throws Exception {
        AtomicIntegerArray perShard = new AtomicIntegerArray(2);
        AtomicInteger offLoop = new AtomicInteger();
        UdpTransport[] holder = new UdpTransport[1];
        InetSocketAddress bindTo = new InetSocketAddress(bindHost, 0);
        try (UdpTransport transport = UdpTransport.start(bindTo, 2, io, SocketBuffers.defaults(),
                (shard, sender, buf, off, len) -> {
            if (!holder[0].eventLoop(shard).inEventLoop()) {
                offLoop.incrementAndGet();
            }
            perShard.incrementAndGet(shard);
            holder[0].write(shard, sender, buf, off, len);
            holder[0].flush(shard);
        })) {
            holder[0] = transport;
            assertEquals(io != DatagramIo.NIO, transport.isEpoll(), "epoll must be available on this Linux machine");
            assertEquals(io == DatagramIo.DIRECT, transport.isDirect(), "JDK 22+ runs the direct path");
            assertEquals(2, transport.shards());
            int port = transport.localAddress().getPort();
            boolean wildcard = transport.localAddress().getAddress().isAnyLocalAddress();
            assertEquals(bindHost.contains(":"), transport.localAddress().getAddress() instanceof Inet6Address);
            List<DatagramChannel> clients = new ArrayList<>();
            int echoed = 0;
            try {
                for (int i = 0; i < 64; i++) {
                    // The dual-stack wildcard is reached from IPv4 and IPv6 clients alike.
                    boolean ipv6 = wildcard ? i % 2 == 0 : bindHost.contains(":");
                    DatagramChannel c = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6
                            : StandardProtocolFamily.INET).bind(ipv6 ? IPV6_LOOPBACK_ANY_PORT : LOOPBACK_ANY_PORT);
                    c.socket().setSoTimeout(2_000);
                    clients.add(c);
                }
                for (DatagramChannel c : clients) {
                    InetSocketAddress node = new InetSocketAddress(
                            ((InetSocketAddress) c.getLocalAddress()).getAddress(), port);
                    c.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), node);
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
                    c.socket().receive(p);
                    assertEquals(3, p.getLength());
                    assertEquals(node.getPort(), p.getPort(), "the answer comes from the node's one port");
                    echoed++;
                }
            } finally {
                for (DatagramChannel c : clients) {
                    c.close();
                }
            }
            assertEquals(64, echoed);
            assertEquals(0, offLoop.get(), "every datagram is handled on its shard's own loop");
            assertEquals(64, perShard.get(0) + perShard.get(1));
            assertTrue(perShard.get(0) > 0 && perShard.get(1) > 0,
                    "SO_REUSEPORT spread 64 source ports over both shards: " + perShard);
        }
    }

    @ParameterizedTest(name = "io={0}")
    @EnumSource(DatagramIo.class)
    void anIpv4SocketDropsADatagramForAnIpv6PeerAndSendsTheRestOfTheBatch(DatagramIo io) throws Exception {
        try (UdpTransport transport = UdpTransport.start(LOOPBACK_ANY_PORT, 1, io, SocketBuffers.defaults(), NOTHING);
                DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET).bind(LOOPBACK_ANY_PORT);
                DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6).bind(IPV6_LOOPBACK_ANY_PORT)) {
            v4.socket().setSoTimeout(2_000);
            // A single-family node may learn a contact of the other family: its datagram cannot leave, the others must.
            sendPastTheUnsendable(transport, node(v6), v4);
            if (io == DatagramIo.DIRECT) {
                assertEquals(1, transport.sockets().get(0).sendDrops(), "the IPv6 datagram is counted as dropped");
            }
        }
    }

    @Test
    void aDatagramTheKernelRefusesIsDroppedAndCountedAndTheRestOfTheBatchGoes() throws Exception {
        try (UdpTransport transport = UdpTransport.start(LOOPBACK_ANY_PORT, 1, DatagramIo.DIRECT,
                SocketBuffers.defaults(), NOTHING);
                DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET).bind(LOOPBACK_ANY_PORT)) {
            v4.socket().setSoTimeout(2_000);
            // Without SO_BROADCAST the kernel refuses the broadcast address (EACCES) with room in the buffer.
            NodeAddress broadcast = InetEndpoints.toNodeAddress(InetAddress.getByName("255.255.255.255"), 9);
            sendPastTheUnsendable(transport, broadcast, v4);
            assertEquals(1, transport.sockets().get(0).sendDrops());
        }
    }

    /**
     * The direct path's claim (docs/benchmarks.md, bytes per datagram): once warm, a shard receiving and answering
     * datagrams from known peers allocates nothing on its loop, IPv4 and IPv6 alike. Netty's channels allocate an
     * envelope and address objects per datagram (the EPOLL row proves the measurement can fail).
     */
    @ParameterizedTest(name = "io={0} bind={1}")
    @CsvSource({"DIRECT, 127.0.0.1, 0", "DIRECT, ::1, 0", "EPOLL, 127.0.0.1, 20"})
    @org.junit.jupiter.api.Tag("allocation")
    void aWarmShardAllocatesNothingPerDatagram(DatagramIo io, String bindHost, long expectedAtLeast)
            throws Exception {
        AtomicInteger answered = new AtomicInteger();
        UdpTransport[] holder = new UdpTransport[1];
        ShardReceiver echoOncePerBatch = new ShardReceiver() { // as the node does: answers flushed per read batch
            @Override
            public void onDatagram(int shard, NodeAddress sender, byte[] buf, int off, int len) {
                holder[0].write(shard, sender, buf, off, len);
                answered.incrementAndGet();
            }

            @Override
            public void onReadBatchEnd(int shard) {
                holder[0].flush(shard);
            }
        };
        try (UdpTransport transport = UdpTransport.start(new InetSocketAddress(bindHost, 0), 1, io,
                SocketBuffers.defaults(), echoOncePerBatch);
                DatagramChannel client = DatagramChannel.open(bindHost.contains(":") ? StandardProtocolFamily.INET6
                        : StandardProtocolFamily.INET).bind(new InetSocketAddress(bindHost, 0))) {
            holder[0] = transport;
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)
                    java.lang.management.ManagementFactory.getThreadMXBean();
            long loop = transport.shardThreadIds()[0];
            client.socket().setSoTimeout(2_000); // a lost answer fails the test rather than hanging it
            java.net.DatagramPacket request = new java.net.DatagramPacket(new byte[100], 100, transport.localAddress());
            java.net.DatagramPacket answer = new java.net.DatagramPacket(new byte[200], 200);
            long perDatagram = Long.MAX_VALUE;
            // a zero claim gets up to 8 measurements (the first ones warm the JIT); Netty's row needs one
            for (int round = 0; round < (expectedAtLeast == 0 ? 8 : 1) && perDatagram != 0; round++) {
                int rounds = 20_000;
                long before = threads.getThreadAllocatedBytes(loop);
                for (int i = 0; i < rounds; i++) {
                    client.socket().send(request);
                    client.socket().receive(answer); // one at a time: each answer is the loop's whole turn
                }
                perDatagram = (threads.getThreadAllocatedBytes(loop) - before) / (2L * rounds);
            }
            if (expectedAtLeast == 0) {
                assertEquals(0, perDatagram, "bytes allocated per datagram (in + out) on the shard's loop");
            } else {
                assertTrue(perDatagram >= expectedAtLeast, "Netty's channel allocates per datagram: " + perDatagram);
            }
        }
    }

    @Test
    void aPortInUseIsOneClearLine() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(LOOPBACK_ANY_PORT)) {
            InetSocketAddress busy = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            UdpTransport.TransportBindException e = assertThrows(UdpTransport.TransportBindException.class,
                    () -> UdpTransport.start(busy, 1, DatagramIo.DIRECT, SocketBuffers.defaults(), NOTHING));
            assertEquals("UDP port " + busy.getPort() + " on 127.0.0.1 is in use", e.getMessage());
        }
    }

    @ParameterizedTest(name = "io={0} first={1} second={2}")
    @CsvSource({"DIRECT, 127.0.0.1, 127.0.0.1", "NIO, 127.0.0.1, 127.0.0.1", "DIRECT, 127.0.0.1, 0.0.0.0",
        "DIRECT, 127.0.0.1, ::", "DIRECT, ::, 127.0.0.1", "NIO, ::, ::1", "DIRECT, 0.0.0.0, 127.0.0.1"})
    void aSecondTransportOnAPortInUseFailsInOneLine(DatagramIo io, String first, String second) {
        try (UdpTransport node = UdpTransport.start(new InetSocketAddress(first, 0), 2, io,
                SocketBuffers.defaults(), NOTHING)) {
            InetSocketAddress same = new InetSocketAddress(second, node.localAddress().getPort());
            UdpTransport.TransportBindException e = assertThrows(UdpTransport.TransportBindException.class,
                    () -> UdpTransport.start(same, 2, io, SocketBuffers.defaults(), NOTHING).close(),
                    "a second transport must not share the port of " + node.localAddress());
            assertEquals("UDP port " + same.getPort() + " on " + second + " is in use", e.getMessage());
        }
    }

    @Test
    void aTinyReceiveBufferOverflowsUnderABurstAndTheKernelDropsAreReported() throws Exception {
        try (UdpTransport transport = UdpTransport.start(LOOPBACK_ANY_PORT, 1, DatagramIo.DIRECT, new SocketBuffers(4096, 0),
                NOTHING);
                DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET).bind(LOOPBACK_ANY_PORT)) {
            int granted = transport.receiveBufferBytes(0);
            assertTrue(granted >= 4096 && granted < 64 * 1024, "the kernel granted about what was asked: " + granted);
            assertEquals(0, transport.sockets().get(0).kernelReceiveDrops(), "nothing dropped yet");
            // The shard's loop is held while the burst arrives: what its buffer cannot hold, the kernel drops.
            java.util.concurrent.CountDownLatch sent = new java.util.concurrent.CountDownLatch(1);
            var held = transport.eventLoop(0).submit(() -> {
                sent.await();
                return null;
            });
            for (int i = 0; i < 200; i++) {
                sender.send(ByteBuffer.wrap(new byte[1000]), transport.localAddress());
            }
            sent.countDown();
            held.get();
            long drops = transport.sockets().get(0).kernelReceiveDrops();
            assertTrue(drops >= 150, "a 4 KiB buffer holds a few of 200 datagrams of 1000 bytes: " + drops);
        }
    }

    @Test
    void aBufferAboveTheKernelCapIsForcedWhenPermittedAndReportedAsGranted() {
        int asked = 16 << 20;
        try (UdpTransport transport = UdpTransport.start(LOOPBACK_ANY_PORT, 2, DatagramIo.DIRECT, new SocketBuffers(asked, asked),
                NOTHING)) {
            for (int shard = 0; shard < 2; shard++) {
                int granted = transport.receiveBufferBytes(shard);
                // Granted: doubled by Linux when it was given in full, else rmem_max doubled (no CAP_NET_ADMIN).
                assertTrue(granted == 2 * asked || granted == 2 * readInt("/proc/sys/net/core/rmem_max"),
                        "granted " + granted);
                assertTrue(transport.sendBufferBytes(shard) >= Math.min(2 * asked,
                        2 * readInt("/proc/sys/net/core/wmem_max")), "send buffer");
                assertTrue(transport.sockets().get(shard).kernelReceiveDrops() >= 0,
                        "each shard's socket is found in /proc");
            }
        }
    }

    private static int readInt(String file) {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of(file)).strip());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One batch of two datagrams on shard 0, to {@code unsendable} and then to {@code v4}: the second arrives. */
    private static void sendPastTheUnsendable(UdpTransport transport, NodeAddress unsendable, DatagramChannel v4)
            throws Exception {
        transport.eventLoop(0).submit(() -> {
            transport.write(0, unsendable, new byte[] {1}, 0, 1);
            transport.write(0, node(v4), new byte[] {4}, 0, 1);
            transport.flush(0);
            return null;
        }).get();
        java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[16], 16);
        v4.socket().receive(p);
        assertEquals(4, p.getData()[0]);
    }

    private static NodeAddress node(DatagramChannel c) throws java.io.IOException {
        InetSocketAddress a = (InetSocketAddress) c.getLocalAddress();
        return InetEndpoints.toNodeAddress(a.getAddress(), a.getPort());
    }

    private static final ShardReceiver NOTHING = (shard, sender, buf, off, len) -> { };
}
