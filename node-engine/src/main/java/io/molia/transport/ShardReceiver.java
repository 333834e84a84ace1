package io.molia.transport;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;

/**
 * What a shard does with the datagrams its socket receives. Called on the shard's own event-loop thread only;
 * must not throw (a bad datagram is counted and dropped) and must not keep {@code data} after returning.
 */
@FunctionalInterface
public interface ShardReceiver {
    void onDatagram(int shard, InetSocketAddress sender, ByteBuf data);

    /** The socket has no more datagrams for now (one read batch ended): the time to flush what was written. */
    default void onReadBatchEnd(int shard) {
    }
}
