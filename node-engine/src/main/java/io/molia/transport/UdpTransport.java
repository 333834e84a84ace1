package io.molia.transport;

import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The node's UDP sockets: one per shard, all bound to the same address with SO_REUSEPORT so the kernel spreads
 * datagrams over them, each served by its own single-threaded event loop (shared-nothing, DESIGN §3.2). Epoll
 * where available, with the datagrams themselves read and written by Molia ({@link DatagramIo#DIRECT}: no object
 * per datagram) on JDK 22+; NIO (with SO_REUSEPORT through the JDK) elsewhere. IPv4 or IPv6 as the address says; the IPv6
 * wildcard {@code [::]} is dual-stack (IPv4 peers arrive with IPv4-mapped or IPv4 sender addresses).
 *
 * <p>The port is the node's own. Shard 0's socket is bound <em>without</em> SO_REUSEPORT, so the bind fails when
 * any socket holds the address (another node, on that address, the wildcard or the dual-stack {@code [::]}, run by
 * any user), and port 0 gets a port no socket holds: a socket that asks for SO_REUSEPORT at bind time can be given
 * (or share) the port of a same-user socket group, which is how two processes once ended up on one port. Only then
 * is SO_REUSEPORT turned on for it, and the other shards join it. There is no window in which the port is free:
 * the claiming socket stays bound. What Linux still allows is a later socket of the same user that sets
 * SO_REUSEPORT itself joining the group; another {@code molia node} never does (its shard 0 asks exclusively).
 *
 * <p>{@link #start} and {@link #close} are called by the node's lifecycle thread; {@link #send} only on the shard's
 * own loop (see {@link #eventLoop}).
 */
public final class UdpTransport implements AutoCloseable {
    /** The largest datagram a shard reads; longer ones arrive cut (as Netty's datagram channels read by default). */
    public static final int MAX_DATAGRAM_BYTES = 2048;
    /** The JDK 22+ slice's direct path (META-INF/versions/22), absent on an older JDK. */
    private static final String DIRECT_DATAGRAMS = "io.molia.transport.DirectDatagrams";
    /** SOL_SOCKET and the Linux option numbers of SO_RCVBUFFORCE and SO_SNDBUFFORCE ({@code asm-generic/socket.h}). */
    private static final IntegerUnixChannelOption RCVBUF_FORCE = new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);
    private static final IntegerUnixChannelOption SNDBUF_FORCE = new IntegerUnixChannelOption("SO_SNDBUFFORCE", 1, 32);

    private final boolean epoll;
    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final List<DatagramPath> paths = new ArrayList<>();
    /** Each shard socket's inode (-1: unknown), for its kernel drop count; set once at start. */
    private volatile long[] inodes = new long[0];
    private final SocketBuffers asked;

    private UdpTransport(boolean epoll, EventLoopGroup group, SocketBuffers asked) {
        this.epoll = epoll;
        this.group = group;
        this.asked = asked;
    }

    /**
     * Binds {@code shards} sockets to {@code address}, each with the buffers {@code buffers} asks for (see
     * {@link #receiveBufferBytes} for what the kernel granted), their datagrams moved by {@code io} or what it falls
     * back to (tests run each).
     *
     * @throws TransportBindException with a one-line reason (port in use, no free port, address not available)
     */
    public static UdpTransport start(InetSocketAddress address, int shards, DatagramIo io, SocketBuffers buffers,
            ShardReceiver receiver) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1");
        }
        boolean epoll = io != DatagramIo.NIO && Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(shards,
                new DefaultThreadFactory("molia-shard"), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        UdpTransport transport = new UdpTransport(epoll, group, buffers);
        try {
            InetSocketAddress bindTo = address;
            long[] inodes = new long[shards];
            java.util.Set<Long> found = new java.util.HashSet<>();
            for (int shard = 0; shard < shards; shard++) {
                ChannelDatagrams channelPath = new ChannelDatagrams(shard, receiver);
                Channel ch = transport.bind(bindTo, shard, channelPath);
                channelPath.bound(ch);
                transport.channels.add(ch);
                int port = ((InetSocketAddress) ch.localAddress()).getPort();
                if (shard == 0 && shards > 1) {
                    transport.setReusePort(ch); // the port is claimed: now the other shards may join it
                }
                transport.sizeBuffers(ch);
                transport.paths.add(epoll && io == DatagramIo.DIRECT ? startDirect(ch, shard, receiver, channelPath)
                        : channelPath);
                inodes[shard] = KernelUdpTable.newOwnSocket(port, found);
                found.add(inodes[shard]);
                // Once the first socket chose a port (0 = any), every other shard binds the same one.
                bindTo = new InetSocketAddress(address.getAddress(), port);
            }
            transport.inodes = inodes;
            transport.shardThreadIds(); // asked now, off the loops, so a view never waits for another loop
            return transport;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /**
     * The direct path on {@code ch}'s socket where the JDK has the FFM API (the slice's class loads), else the
     * channel's own. The channel stops reading first; what it read before still went to the same receiver.
     */
    private static DatagramPath startDirect(Channel ch, int shard, ShardReceiver receiver, ChannelDatagrams fallback) {
        java.lang.reflect.Method start;
        try {
            start = Class.forName(DIRECT_DATAGRAMS).getDeclaredMethod("start", IoEventLoop.class, int.class,
                    boolean.class, int.class, ShardReceiver.class);
        } catch (ReflectiveOperationException olderJdk) {
            return fallback;
        }
        ch.config().setAutoRead(false);
        EpollDatagramChannel epollChannel = (EpollDatagramChannel) ch;
        boolean ipv6 = ((InetSocketAddress) ch.localAddress()).getAddress() instanceof Inet6Address;
        try {
            return (DatagramPath) start.invoke(null, (IoEventLoop) ch.eventLoop(), epollChannel.fd().intValue(), ipv6,
                    shard, receiver);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start shard " + shard + "'s datagram path", e);
        }
    }

    private Channel bind(InetSocketAddress address, int shard, ChannelDatagrams handler) {
        Bootstrap b = new Bootstrap().group(group.next());
        // The family follows the address, for every shard alike: an IPv4 address binds an IPv4 socket (as before),
        // an IPv6 one an IPv6 socket; [::] takes IPv4 peers too (both transports clear IPV6_V6ONLY).
        SocketProtocolFamily family = address.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        // Shard 0 claims the port alone (see the class comment); the others join its SO_REUSEPORT group.
        boolean join = shard > 0;
        if (epoll) {
            b.channelFactory(() -> new EpollDatagramChannel(family)).option(EpollChannelOption.SO_REUSEPORT, join);
        } else {
            b.channelFactory(() -> new NioDatagramChannel(family))
                    .option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), join);
        }
        b.handler(handler);
        try {
            return b.bind(address).sync().channel();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            boolean inUse = root instanceof BindException || String.valueOf(root.getMessage()).contains("in use");
            String host = hostText(address);
            String why = !inUse ? "cannot bind UDP " + address + ": " + root.getMessage()
                    : address.getPort() == 0 ? "no free UDP port on " + host
                    : "UDP port " + address.getPort() + " on " + host + " is in use";
            throw new TransportBindException(why, e);
        }
    }

    /** The address as an operator writes it: {@code ::} rather than Java's {@code 0:0:0:0:0:0:0:0}. */
    private static String hostText(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        if (ip.length == 4) {
            return address.getAddress().getHostAddress();
        }
        ByteBuffer b = ByteBuffer.wrap(ip);
        return NodeAddress.ipv6(b.getLong(), b.getLong(), 0).hostText();
    }

    private void setReusePort(Channel ch) {
        boolean set = epoll ? ch.config().setOption(EpollChannelOption.SO_REUSEPORT, true)
                : ch.config().setOption(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        if (!set) {
            throw new TransportBindException("cannot set SO_REUSEPORT on " + ch.localAddress(), null);
        }
    }

    /**
     * Asks for the configured buffer sizes; where the kernel grants less (capped at {@code net.core.rmem_max} /
     * {@code wmem_max}), asks again with SO_RCVBUFFORCE / SO_SNDBUFFORCE, which succeeds with CAP_NET_ADMIN only.
     */
    private void sizeBuffers(Channel ch) {
        sizeBuffer(ch, ChannelOption.SO_RCVBUF, RCVBUF_FORCE, asked.receiveBytes());
        sizeBuffer(ch, ChannelOption.SO_SNDBUF, SNDBUF_FORCE, asked.sendBytes());
    }

    private void sizeBuffer(Channel ch, ChannelOption<Integer> option, IntegerUnixChannelOption force, int bytes) {
        if (bytes == 0) {
            return;
        }
        ch.config().setOption(option, bytes);
        if (epoll && ch.config().getOption(option) < bytes) {
            try {
                ch.config().setOption(force, bytes);
            } catch (ChannelException notPermitted) {
                // EPERM without CAP_NET_ADMIN: the capped size stays, and is reported as granted
            }
        }
    }

    /**
     * The receive buffer the kernel granted shard {@code shard}'s socket, as getsockopt(SO_RCVBUF) reads it: Linux
     * doubles what is asked (its bookkeeping overhead counts against the buffer), within its cap.
     */
    public int receiveBufferBytes(int shard) {
        return channels.get(shard).config().getOption(ChannelOption.SO_RCVBUF);
    }

    /** The send buffer the kernel granted shard {@code shard}'s socket (getsockopt(SO_SNDBUF)). */
    public int sendBufferBytes(int shard) {
        return channels.get(shard).config().getOption(ChannelOption.SO_SNDBUF);
    }

    /** One shard socket as the kernel sees it: the buffers it granted and the datagrams it dropped. */
    public record ShardSocket(int receiveBufferBytes, int sendBufferBytes, long kernelReceiveDrops, long sendDrops) {
    }

    /**
     * Each shard's socket, by shard. {@code kernelReceiveDrops}: datagrams the kernel dropped before the shard could
     * read them (a full receive buffer), read now from {@code /proc/net/udp[6]}; -1 where the socket is not found
     * there (not Linux). {@code sendDrops}: datagrams the shard could not send (see {@link DatagramPath#sendDrops});
     * -1 where Netty's channel sends, which does not count them. Reads files: call it off the shards' loops. Safe
     * from any thread.
     */
    public List<ShardSocket> sockets() {
        long[] drops = KernelUdpTable.drops(inodes);
        List<ShardSocket> out = new ArrayList<>();
        for (int shard = 0; shard < channels.size(); shard++) {
            out.add(new ShardSocket(receiveBufferBytes(shard), sendBufferBytes(shard), drops[shard],
                    paths.get(shard).sendDrops()));
        }
        return out;
    }

    /**
     * The id of each shard's event-loop thread (for per-thread CPU time and allocation, read by operators' views
     * through {@link java.lang.management.ThreadMXBean}). Asked of each loop once at start, then cached.
     */
    public long[] shardThreadIds() {
        long[] ids = shardThreadIds;
        if (ids == null) {
            ids = new long[channels.size()];
            for (int shard = 0; shard < ids.length; shard++) {
                if (eventLoop(shard).inEventLoop()) {
                    ids[shard] = Thread.currentThread().threadId();
                } else {
                    try {
                        ids[shard] = eventLoop(shard).submit(() -> Thread.currentThread().threadId()).get();
                    } catch (Exception e) {
                        ids[shard] = -1;
                    }
                }
            }
            shardThreadIds = ids;
        }
        return ids.clone();
    }

    private volatile long[] shardThreadIds;

    public boolean isEpoll() {
        return epoll;
    }

    public int shards() {
        return channels.size();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** The event loop that owns shard {@code shard}: run shard work and timers on it. */
    public EventLoop eventLoop(int shard) {
        return channels.get(shard).eventLoop();
    }

    /**
     * Queues a copy of {@code data[off, +len)} for {@code to}, so the caller may reuse {@code data} at once (the
     * session layer's transmit ring does); {@link #flush} sends what is queued. Call on the shard's loop.
     */
    public void write(int shard, NodeAddress to, byte[] data, int off, int len) {
        paths.get(shard).write(to, data, off, len);
    }

    /** Sends every datagram {@link #write} queued on shard {@code shard}: one sendmmsg(2) for many with epoll. */
    public void flush(int shard) {
        paths.get(shard).flush();
    }

    /** Whether shard sockets' datagrams are moved by Molia itself ({@link DatagramIo#DIRECT} could run). */
    public boolean isDirect() {
        return !paths.isEmpty() && !(paths.get(0) instanceof ChannelDatagrams);
    }

    @Override
    public void close() {
        for (int shard = 0; shard < paths.size(); shard++) {
            DatagramPath path = paths.get(shard);
            eventLoop(shard).submit(path::close).awaitUninterruptibly();
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** A bind failure explained in one line. */
    public static final class TransportBindException extends RuntimeException {
        TransportBindException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
