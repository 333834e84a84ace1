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
     * what the core sends back to {@code from} goes through shard {@code origin}, which holds the session.
     */
    record Message(int origin, Contact from, byte[] data) implements Handover {
    }

    /** An inner message for {@code to}, to be sealed on the session this shard holds with it. */
    record Answer(Contact to, byte[] data) implements Handover {
    }

    /** A request from {@code from} was answered on another shard: the routing table learns the peer is alive. */
    record Alive(Contact from) implements Handover {
    }
}
