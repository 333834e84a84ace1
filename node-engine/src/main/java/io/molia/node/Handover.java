package io.molia.node;

import java.net.InetSocketAddress;

import io.molia.contact.Contact;

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
     * {@code from} contacted this node on a session it confirmed with shard {@code origin} (a request answered there,
     * or the keepalive that confirmed the session): a candidate for the routing table, and shard 0 learns where its
     * session is.
     */
    record Alive(int origin, Contact from) implements Handover {
    }
}
