package io.molia.shard;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.core.RoutingNote;

/**
 * What one shard hands another through the receiver's inbox (DESIGN §3.2). Each is one hop: the receiver
 * handles it and never hands it on.
 */
public sealed interface ShardMessage {
    /** A datagram another shard's socket received, addressed to a receiver index this shard issued. */
    record Datagram(NodeAddress sender, byte[] data) implements ShardMessage {
    }

    /**
     * An inner message from {@code from}, authenticated on a session of shard {@code origin}, that is this shard's
     * to handle: a record request for a key it owns (answered through {@code origin}, which holds the session), or
     * a response to a request it sent.
     */
    record Delivered(int origin, Contact from, byte[] data) implements ShardMessage {
    }

    /** An inner message for {@code to}, to be sealed on this shard's session with it (opened if need be). */
    record Send(Contact to, byte[] data) implements ShardMessage {
    }

    /**
     * For the routing table's owner: {@code from} contacted this node on a session it confirmed with shard
     * {@code origin}, so it is a candidate for the table, and that shard holds a live session with it.
     */
    record Alive(int origin, Contact from) implements ShardMessage {
    }

    /** For the routing table's owner, which holds the NAT state: a dial-back probe another shard's socket received. */
    record Probe(NodeAddress sender, long nonce) implements ShardMessage {
    }

    /** For the routing table's owner: what another shard's lookups learned of a peer. */
    record Routing(RoutingNote note) implements ShardMessage {
    }
}
