package io.molia.transport;

/** Which code moves a shard socket's datagrams; each falls back to the next where it cannot run. */
public enum DatagramIo {
    /**
     * Epoll, with Molia reading and writing the socket itself (recvmmsg/sendmmsg through the FFM API, JDK 22+, on a
     * duplicate of the socket's descriptor): no object per datagram. Falls back to {@link #EPOLL}.
     */
    DIRECT,
    /** Netty's epoll datagram channel (Linux): an envelope and address objects per datagram. Falls back to NIO. */
    EPOLL,
    /** Netty's NIO datagram channel (any platform). */
    NIO
}
