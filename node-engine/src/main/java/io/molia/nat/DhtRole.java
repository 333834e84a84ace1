package io.molia.nat;

/**
 * Whether this node serves in others' routing tables (server) or only uses the DHT (client), shared by the cores of
 * one node: the routing table owner's {@link NatTraversal} decides, every core writes it into the feature bits of
 * the messages it sends (a single volatile read, no lock).
 */
public final class DhtRole {
    /** The envelope feature bit of a DHT client: peers neither enter it in their tables nor hand it out. */
    public static final long FEATURE_CLIENT = 1L;
    /**
     * The envelope feature bit of a client that holds a relay reservation: a server reached through its relay. Peers
     * enter it only in its relayed form (its relay gives it, or a circuit it answered through), never at the address
     * it sends from, which its NAT filters.
     */
    public static final long FEATURE_RELAYED = 2L;

    private volatile boolean client;
    private volatile boolean relayed;

    public boolean client() {
        return client;
    }

    /** The feature bits this role adds to a message. */
    public long features() {
        return !client ? 0 : relayed ? FEATURE_RELAYED : FEATURE_CLIENT;
    }

    /** Whether this node, a client, serves through the relay it holds a reservation at. */
    public boolean relayed() {
        return client && relayed;
    }

    /** Set by the routing table owner's core only: whether it holds a reservation that it announces. */
    public void relayed(boolean relayed) {
        this.relayed = relayed;
    }

    /** Set by the routing table owner's core only. */
    public void client(boolean client) {
        this.client = client;
    }

    /** Whether a message with {@code features} came from a DHT client. */
    public static boolean isClient(long features) {
        return (features & FEATURE_CLIENT) != 0;
    }

    /** Whether a message with {@code features} came from a client reached through its relay. */
    public static boolean isRelayed(long features) {
        return (features & FEATURE_RELAYED) != 0;
    }
}
