package io.molia.core;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * What a core on a shard that does not own the routing table learned about a peer, for the owner to apply
 * ({@link NodeCore#onRoutingNote}): the table has one writer (DESIGN §3.2), every shard's lookups feed it.
 */
public sealed interface RoutingNote {
    /** {@code peer} answered a request from the address it was asked at ({@code rttNs} -1: not measured). */
    record Answered(Contact peer, long rttNs) implements RoutingNote {
    }

    /** A request to {@code peer} reached its hard timeout. */
    record Failed(NodeId peer) implements RoutingNote {
    }

    /** {@code peer} did {@code reason} (other than answering or failing), for its behaviour score. */
    record Behaved(NodeId peer, PeerScores.Reason reason) implements RoutingNote {
    }

    /** A lookup for {@code target} started: its bucket needs no refresh for a while. */
    record LookupStarted(NodeId target) implements RoutingNote {
    }
}
