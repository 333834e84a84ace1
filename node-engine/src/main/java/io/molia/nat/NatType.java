package io.molia.nat;

/**
 * How the NAT in front of this node maps and filters (RFC 4787 terms in brackets), as {@link NatTraversal} decided it
 * from peers' observations and dial-back probes.
 */
public enum NatType {
    /** Not decided yet: too few observers, or probes still out. */
    UNKNOWN,
    /** No translation: peers see the address this node is bound to. */
    OPEN,
    /** One mapping for every peer, and anyone may send to it (endpoint-independent mapping and filtering). */
    FULL_CONE,
    /** One mapping; only hosts this node sent to may send to it, from any port (address-dependent filtering). */
    ADDRESS_RESTRICTED,
    /** One mapping; only the exact host and port this node sent to may answer (address-and-port filtering). */
    PORT_RESTRICTED,
    /** A new mapping per peer (address- or address-and-port-dependent mapping): peers see different ports. */
    SYMMETRIC;

    /** Whether a peer this node never contacted can reach it: it may then serve in others' routing tables. */
    public boolean reachable() {
        return this == OPEN || this == FULL_CONE;
    }

    /** Lower-case name with dashes, as the admin view and the metrics show it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
