package io.molia.transport;

import io.molia.contact.NodeAddress;

/**
 * What a shard does with the datagrams its socket receives. Called on the shard's own event-loop thread only;
 * must not throw (a bad datagram is counted and dropped) and must not keep {@code buf} after returning: the
 * transport reads the next datagram into it.
 */
@FunctionalInterface
public interface ShardReceiver {
    void onDatagram(int shard, NodeAddress sender, byte[] buf, int off, int len);

    /** The socket has no more datagrams for now (one read batch ended): the time to flush what was written. */
    default void onReadBatchEnd(int shard) {
    }
}
