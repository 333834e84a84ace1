package io.molia.transport;

/**
 * The kernel buffer sizes a shard socket asks for (SO_RCVBUF, SO_SNDBUF), in bytes; 0 keeps the kernel's default.
 * A burst larger than the receive buffer is dropped by the kernel before the node sees it (counted in
 * {@code /proc/net/udp}'s {@code drops}, which the node reports). Linux caps what it grants at
 * {@code net.core.rmem_max} / {@code wmem_max}; {@link UdpTransport} then tries SO_RCVBUFFORCE / SO_SNDBUFFORCE,
 * which only a process with CAP_NET_ADMIN may use (as quic-go does), and reports what it was granted.
 */
public record SocketBuffers(int receiveBytes, int sendBytes) {
    /** Room for a burst of about 3,000 full-size datagrams per shard before the kernel drops any. */
    public static final int DEFAULT_RECEIVE_BYTES = 4 << 20;
    public static final int DEFAULT_SEND_BYTES = 1 << 20;

    public SocketBuffers {
        if (receiveBytes < 0 || sendBytes < 0) {
            throw new IllegalArgumentException("socket buffer sizes must be >= 0");
        }
    }

    public static SocketBuffers defaults() {
        return new SocketBuffers(DEFAULT_RECEIVE_BYTES, DEFAULT_SEND_BYTES);
    }

    /** The kernel's defaults ({@code net.core.rmem_default} / {@code wmem_default}). */
    public static SocketBuffers kernelDefaults() {
        return new SocketBuffers(0, 0);
    }
}
