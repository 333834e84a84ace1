package io.molia.nat;

/**
 * Whether this node serves in others' routing tables (server) or only uses the DHT (client), shared by the cores of
 * one node: the routing table owner's {@link NatTraversal} decides, every core writes it into the feature bits of
 * the messages it sends (a single volatile read, no lock).
 */
public final class DhtRole {
    /** The envelope feature bit of a DHT client: peers neither enter it in their tables nor hand it out. */
    public static final long FEATURE_CLIENT = 1L;

    private volatile boolean client;

    public boolean client() {
        return client;
    }

    /** The feature bits this role adds to a message. */
    public long features() {
        return client ? FEATURE_CLIENT : 0;
    }

    /** Set by the routing table owner's core only. */
    public void client(boolean client) {
        this.client = client;
    }

    /** Whether a message with {@code features} came from a DHT client. */
    public static boolean isClient(long features) {
        return (features & FEATURE_CLIENT) != 0;
    }
}
