package io.molia.node;

import java.net.InetSocketAddress;

import io.molia.core.Contact;

/** What one shard hands another through the receiver's {@link ShardInbox} (DESIGN §3.2). */
sealed interface Handover {
    /** A datagram another shard's socket received, addressed to a receiver index this shard issued. */
    record Datagram(InetSocketAddress sender, byte[] data) implements Handover {
    }

    /**
     * An inner message from an authenticated peer for the core on shard 0 (it is not one another shard answers);
     * shard {@code origin} holds the session it came on.
     */
    record Message(int origin, Contact from, byte[] data) implements Handover {
    }

    /** An inner message from shard 0's core for {@code to}, to be sealed on the session this shard holds with it. */
    record Send(Contact to, byte[] data) implements Handover {
    }

    /**
     * Shard {@code origin} answered a request from {@code from} on its session with it: the routing table learns the
     * peer is alive, and shard 0 where its session is.
     */
    record Alive(int origin, Contact from) implements Handover {
    }
}
