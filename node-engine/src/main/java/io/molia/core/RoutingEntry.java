package io.molia.core;

import io.molia.contact.Contact;

/**
 * One contact in a bucket with what the node learned about it: RTT, consecutive failures, when it was last heard
 * from, whether a ping-before-evict is out. Owned by the core's thread.
 */
public final class RoutingEntry {
    private Contact contact;
    private final RttEstimator rtt = new RttEstimator();
    private int failures;
    private long lastSeenNs;
    private long addedNs;
    private boolean pingPending;

    RoutingEntry(Contact contact, long nowNs) {
        this.contact = contact;
        this.lastSeenNs = nowNs;
        this.addedNs = nowNs;
    }

    public Contact contact() {
        return contact;
    }

    public RttEstimator rtt() {
        return rtt;
    }

    public int failures() {
        return failures;
    }

    public long lastSeenNs() {
        return lastSeenNs;
    }

    public long addedNs() {
        return addedNs;
    }

    public boolean pingPending() {
        return pingPending;
    }

    void onSeen(long nowNs, Contact current) {
        contact = current;
        lastSeenNs = nowNs;
        failures = 0;
        pingPending = false;
    }

    void onFailure() {
        failures++;
        pingPending = false;
    }

    void markPingPending() {
        pingPending = true;
    }
}
