package io.molia.core;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * Peers that contacted this node and are not in its routing table. Contacting a node proves nothing a routing table
 * may rely on (identities are free, and a peer that sends requests need not answer any), so such a peer enters only
 * by answering a request of ours, as libp2p admits only peers that answered its queries: this queue holds it until
 * the core pings it at the address it came from. Bounded ({@link #CAPACITY}, the oldest waiting one gives way, and
 * counted), rate-limited (one ping per {@link #PING_INTERVAL_NS}), and a candidate pinged lately is not queued
 * again for {@link #RETRY_AFTER_NS}, so a flood of identities costs the node a bounded trickle of pings and leaves
 * its table as it was. Honest newcomers get in the same way, a little later than they used to.
 *
 * <p>Owned by the core's thread; not thread-safe.
 */
final class RoutingCandidates {
    static final int CAPACITY = 64;
    static final long PING_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long RETRY_AFTER_NS = TimeUnit.SECONDS.toNanos(60);
    /** How many lately pinged candidates are remembered (the eldest is forgotten first). */
    static final int PINGED_MEMORY = 1024;

    private final LinkedHashMap<NodeId, Contact> waiting = new LinkedHashMap<>();
    /** When, and at which address, a candidate was last pinged: at a new address it is worth a new ping. */
    private record Pinged(NodeAddress address, long atNs) {
    }

    private final LinkedHashMap<NodeId, Pinged> pinged = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<NodeId, Pinged> eldest) {
            return size() > PINGED_MEMORY;
        }
    };
    private long nextPingNs = Long.MIN_VALUE;

    /**
     * Queues {@code contact} unless it waits already or was pinged at that address within {@link #RETRY_AFTER_NS};
     * returns false when it was not queued. A full queue drops its oldest candidate (counted in {@code counters}).
     */
    boolean offer(long nowNs, Contact contact, CoreCounters counters) {
        if (waiting.containsKey(contact.id())) {
            return false;
        }
        Pinged last = pinged.get(contact.id());
        if (last != null && last.address().equals(contact.address()) && nowNs - last.atNs() < RETRY_AFTER_NS) {
            return false;
        }
        if (waiting.size() >= CAPACITY) {
            Iterator<NodeId> oldest = waiting.keySet().iterator();
            oldest.next();
            oldest.remove();
            counters.candidatesDropped++;
        }
        waiting.put(contact.id(), contact);
        counters.candidatesQueued++;
        return true;
    }

    /** When the next candidate may be pinged; {@code Long.MAX_VALUE} when none waits. */
    long nextDueNs() {
        return waiting.isEmpty() ? Long.MAX_VALUE : nextPingNs;
    }

    /** The oldest waiting candidate, taken out to be pinged now (the rate is the caller's timer), or null. */
    Contact poll(long nowNs) {
        Iterator<Contact> oldest = waiting.values().iterator();
        if (!oldest.hasNext() || nowNs < nextPingNs) {
            return null;
        }
        Contact next = oldest.next();
        oldest.remove();
        pinged.put(next.id(), new Pinged(next.address(), nowNs));
        nextPingNs = nowNs + PING_INTERVAL_NS;
        return next;
    }
}
