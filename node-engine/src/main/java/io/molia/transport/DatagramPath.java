package io.molia.transport;

import io.molia.contact.NodeAddress;

/**
 * How one shard's datagrams leave its socket: through Netty's channel ({@link ChannelDatagrams}) or through Molia's
 * own sendmmsg(2) on the same socket ({@code DirectDatagrams}, JDK 22+). Used on the shard's loop only.
 */
interface DatagramPath {
    /** Queues a copy of {@code data[off, +len)} for {@code to}; the caller may reuse {@code data} at once. */
    void write(NodeAddress to, byte[] data, int off, int len);

    /** Sends what {@link #write} queued. */
    void flush();

    /** Datagrams this path could not send (another family's address, refused by the kernel) since start; -1: not counted. */
    long sendDrops();

    /** Releases what the path holds beside the channel; on the shard's loop, before the channel closes. */
    void close();
}
