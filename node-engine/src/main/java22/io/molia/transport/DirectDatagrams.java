package io.molia.transport;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

import io.molia.contact.NodeAddress;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

/**
 * One shard socket's datagrams moved by Molia itself: recvmmsg(2) and sendmmsg(2) through the FFM API into and out
 * of native rings made once, on a duplicate of the socket's descriptor that the shard's Netty epoll loop watches
 * (the channel keeps the socket's options and lifetime but reads nothing: auto-read is off). A datagram costs no
 * object: its sender comes from a {@link SenderAddresses} cache, its bytes are copied into one reused array, and
 * what is sent is copied into a ring slot with its destination written as a socket address in place.
 *
 * <p>Level-triggered: one wakeup reads at most {@link #READS_PER_WAKEUP} batches, so timers and tasks of the loop
 * keep their turn under a flood; what is left wakes the loop again at once. A send the kernel refuses for a full
 * buffer (EAGAIN) waits in the ring for EPOLLOUT; one it refuses for another reason (a firewall's EPERM, an
 * unreachable network) is dropped and counted, and the rest of the batch goes out.
 *
 * <p>Made, used and closed on the shard's loop only.
 */
final class DirectDatagrams implements EpollIoHandle, DatagramPath {
    private static final int BATCH = 32;
    private static final int READS_PER_WAKEUP = 4;
    private static final int SLOT = UdpTransport.MAX_DATAGRAM_BYTES;
    /** struct mmsghdr on x86_64 and aarch64 Linux: a 56-byte msghdr and the 4-byte msg_len, padded to 64. */
    private static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    /** sockaddr_in6 is 28 bytes; sockaddr_in 16. */
    private static final int NAME = 32;
    private static final int SOCKADDR_IN6_BYTES = 28;
    private static final int SOCKADDR_IN_BYTES = 16;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLOUT = 4;

    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong U64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final Linker LINKER = Linker.nativeLinker();
    /** Pointers pass as their address (a long on 64-bit Linux): no segment object per call. */
    private static final MethodHandle RECVMMSG = function("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SENDMMSG = function("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = function("poll", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle DUP = function("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int shard;
    private final ShardReceiver receiver;
    private final boolean ipv6Socket;
    private final int fd;
    private final FileDescriptor descriptor;
    /** Confined to the loop's thread, which makes, uses and frees the rings. */
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment rxHeaders;
    private final MemorySegment rxNames;
    private final MemorySegment rxData;
    private final MemorySegment txHeaders;
    private final MemorySegment txNames;
    private final MemorySegment txIov;
    private final MemorySegment txData;
    /** One struct pollfd (int fd, short events, short revents) asking whether the socket can take a datagram. */
    private final MemorySegment writable;
    private final SenderAddresses senders = new SenderAddresses();
    private final byte[] rx = new byte[SLOT];
    private IoRegistration registration;
    /** The ring's queued datagrams are slots [sent, queued). */
    private int sent;
    private int queued;
    private boolean waitingWritable;
    private long sendDrops;
    private boolean closed;

    private DirectDatagrams(int shard, ShardReceiver receiver, boolean ipv6Socket, int fd) {
        this.shard = shard;
        this.receiver = receiver;
        this.ipv6Socket = ipv6Socket;
        this.fd = fd;
        this.descriptor = new FileDescriptor(fd);
        rxHeaders = arena.allocate((long) BATCH * MMSGHDR, 8);
        rxNames = arena.allocate((long) BATCH * NAME, 8);
        MemorySegment rxIov = arena.allocate((long) BATCH * IOVEC, 8);
        rxData = arena.allocate((long) BATCH * SLOT, 64);
        txHeaders = arena.allocate((long) BATCH * MMSGHDR, 8);
        txNames = arena.allocate((long) BATCH * NAME, 8);
        txIov = arena.allocate((long) BATCH * IOVEC, 8);
        txData = arena.allocate((long) BATCH * SLOT, 64);
        writable = arena.allocate(8, 8);
        writable.set(JAVA_INT, 0, fd);
        writable.set(JAVA_SHORT, 4, POLLOUT);
        for (int i = 0; i < BATCH; i++) {
            link(rxHeaders, rxIov, rxNames, rxData, i);
            link(txHeaders, txIov, txNames, txData, i);
            rxIov.set(JAVA_LONG, (long) i * IOVEC + 8, SLOT);
        }
    }

    /** Points slot {@code i}'s header at its address slot and its one iovec, and that iovec at its data slot. */
    private static void link(MemorySegment headers, MemorySegment iov, MemorySegment names, MemorySegment data, int i) {
        long h = (long) i * MMSGHDR;
        headers.set(JAVA_LONG, h + MSG_NAME, names.address() + (long) i * NAME);
        headers.set(JAVA_LONG, h + MSG_IOV, iov.address() + (long) i * IOVEC);
        headers.set(JAVA_LONG, h + MSG_IOVLEN, 1);
        iov.set(JAVA_LONG, (long) i * IOVEC, data.address() + (long) i * SLOT);
    }

    /**
     * Takes over reading shard {@code shard}'s socket {@code socketFd} on {@code loop}: duplicates the descriptor
     * and registers it for EPOLLIN. Call from any thread but the loop's; the channel's auto-read must be off first.
     */
    static DatagramPath start(IoEventLoop loop, int socketFd, boolean ipv6Socket, int shard, ShardReceiver receiver) {
        int fd;
        try {
            fd = (int) DUP.invokeExact(socketFd);
        } catch (Throwable e) {
            throw new IllegalStateException("dup of the UDP socket failed", e);
        }
        if (fd < 0) {
            throw new IllegalStateException("dup of the UDP socket failed");
        }
        return loop.submit(() -> {
            DirectDatagrams path = new DirectDatagrams(shard, receiver, ipv6Socket, fd);
            try {
                path.registration = loop.register(path).syncUninterruptibly().getNow();
                path.registration.submit(EpollIoOps.EPOLLIN);
            } catch (RuntimeException e) {
                path.close();
                throw e;
            }
            return (DatagramPath) path;
        }).syncUninterruptibly().getNow();
    }

    @Override
    public FileDescriptor fd() {
        return descriptor;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            flush();
        }
        if (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) {
            read();
        }
    }

    private void read() {
        for (int round = 0; round < READS_PER_WAKEUP; round++) {
            for (int i = 0; i < BATCH; i++) {
                rxHeaders.set(JAVA_INT, (long) i * MMSGHDR + MSG_NAMELEN, SOCKADDR_IN6_BYTES);
            }
            int n;
            try {
                n = (int) RECVMMSG.invokeExact(fd, rxHeaders.address(), BATCH, MSG_DONTWAIT, 0L);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            if (n <= 0) {
                break; // EAGAIN: drained; any other error (a queued ICMP error): the next wakeup reads on
            }
            for (int i = 0; i < n; i++) {
                deliver(i);
            }
            if (n < BATCH) {
                break;
            }
        }
        receiver.onReadBatchEnd(shard);
    }

    private void deliver(int i) {
        int len = Math.min(rxHeaders.get(JAVA_INT, (long) i * MMSGHDR + MSG_LEN), SLOT);
        long name = (long) i * NAME;
        int port = Short.toUnsignedInt(rxNames.get(U16_BE, name + 2));
        NodeAddress from;
        short family = rxNames.get(JAVA_SHORT, name);
        if (family == AF_INET) {
            from = senders.ipv4(rxNames.get(U32_BE, name + 4), port);
        } else if (family == AF_INET6) {
            from = senders.ipv6(rxNames.get(U64_BE, name + 8), rxNames.get(U64_BE, name + 16), port);
        } else {
            return; // not a UDP/IP source: nothing a datagram socket reports
        }
        MemorySegment.copy(rxData, JAVA_BYTE, (long) i * SLOT, rx, 0, len);
        receiver.onDatagram(shard, from, rx, 0, len);
    }

    @Override
    public void write(NodeAddress to, byte[] data, int off, int len) {
        if (queued == BATCH) {
            flush();
            if (queued == BATCH) {
                sendDrops++; // the kernel's buffer and the ring are full: UDP drops, counted
                return;
            }
        }
        int i = queued;
        int nameBytes = writeName(i, to);
        if (nameBytes == 0 || len > SLOT) {
            sendDrops++;
            return;
        }
        MemorySegment.copy(data, off, txData, JAVA_BYTE, (long) i * SLOT, len);
        txIov.set(JAVA_LONG, (long) i * IOVEC + 8, len);
        txHeaders.set(JAVA_INT, (long) i * MMSGHDR + MSG_NAMELEN, nameBytes);
        queued++;
    }

    /** Slot {@code i}'s destination as the socket's family writes it; 0 when this socket cannot reach it. */
    private int writeName(int i, NodeAddress to) {
        long name = (long) i * NAME;
        if (ipv6Socket) {
            txNames.set(JAVA_SHORT, name, AF_INET6);
            txNames.set(U16_BE, name + 2, (short) to.port());
            txNames.set(JAVA_INT, name + 4, 0); // flow info
            txNames.set(U64_BE, name + 8, to.hi()); // an IPv4 peer in its mapped form, as a dual-stack socket sends
            txNames.set(U64_BE, name + 16, to.lo());
            txNames.set(JAVA_INT, name + 24, 0); // scope
            return SOCKADDR_IN6_BYTES;
        }
        if (!to.isIpv4()) {
            return 0;
        }
        txNames.set(JAVA_SHORT, name, AF_INET);
        txNames.set(U16_BE, name + 2, (short) to.port());
        txNames.set(U32_BE, name + 4, to.ipv4());
        txNames.set(JAVA_LONG, name + 8, 0L);
        return SOCKADDR_IN_BYTES;
    }

    @Override
    public void flush() {
        while (sent < queued) {
            int n;
            try {
                n = (int) SENDMMSG.invokeExact(fd, txHeaders.address() + (long) sent * MMSGHDR, queued - sent, 0);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            if (n > 0) {
                sent += n;
            } else if (!canWrite()) {
                compact();
                awaitWritable(true);
                return;
            } else {
                sent++; // this one the kernel refuses outright; the rest of the batch still goes
                sendDrops++;
            }
        }
        sent = 0;
        queued = 0;
        awaitWritable(false);
    }

    /**
     * Whether the socket's send buffer has room. Asked after a refused send instead of reading errno: capturing
     * errno through the FFM API costs an object per call. A full buffer is EAGAIN (wait for EPOLLOUT); with room,
     * the kernel refused the datagram itself. Should the buffer drain in between, one datagram is dropped: UDP's way.
     */
    private boolean canWrite() {
        int ready;
        try {
            ready = (int) POLL.invokeExact(writable.address(), 1L, 0);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return ready > 0 && (writable.get(JAVA_SHORT, 6) & POLLOUT) != 0;
    }

    /** Moves the unsent slots to the front of the ring, so writes append after them. Rare: a full socket buffer. */
    private void compact() {
        if (sent == 0) {
            return;
        }
        int left = queued - sent;
        for (int j = 0; j < left; j++) {
            int from = sent + j;
            MemorySegment.copy(txData, (long) from * SLOT, txData, (long) j * SLOT, SLOT);
            MemorySegment.copy(txNames, (long) from * NAME, txNames, (long) j * NAME, NAME);
            txIov.set(JAVA_LONG, (long) j * IOVEC + 8, txIov.get(JAVA_LONG, (long) from * IOVEC + 8));
            txHeaders.set(JAVA_INT, (long) j * MMSGHDR + MSG_NAMELEN,
                    txHeaders.get(JAVA_INT, (long) from * MMSGHDR + MSG_NAMELEN));
        }
        sent = 0;
        queued = left;
    }

    private void awaitWritable(boolean wait) {
        if (wait != waitingWritable && registration != null && registration.isValid()) {
            registration.submit(wait ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
            waitingWritable = wait;
        }
    }

    @Override
    public long sendDrops() {
        return sendDrops;
    }

    /** Stops reading, closes the duplicate descriptor and frees the rings. On the loop. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        try {
            descriptor.close();
        } catch (java.io.IOException e) {
            // the duplicate is gone either way; the channel still owns (and closes) the socket
        }
        arena.close();
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }
}
