package io.molia.core.lookup;

import io.molia.contact.Contact;

/**
 * One step of a traced lookup, for the admin socket's {@code trace}: who was asked, when, what came back. Only
 * lookups started traced record these (normal lookups allocate nothing for it).
 *
 * @param hop              1 for a peer from the routing table; n for one learned from a peer at hop n-1
 * @param path             the disjoint path that asked it (0 when the lookup has one)
 * @param sentNs           when the request went out (the caller's clock)
 * @param rttNs            round trip of the answer; -1 unless answered
 * @param contactsReturned contacts the answer carried
 */
public record LookupHop(Contact peer, int hop, int path, long sentNs, long rttNs, Outcome outcome,
        int contactsReturned) {
    /** What became of one request of the lookup. */
    public enum Outcome { ANSWERED, VALUE, SLOW, ERROR, TIMEOUT }
}
