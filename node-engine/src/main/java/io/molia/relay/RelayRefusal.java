package io.molia.relay;

import java.util.Locale;

/** Why a relay said no: each is counted, shown in the {@code relays} view and exported to Prometheus. */
public enum RelayRefusal {
    /** Relaying is off on this node (budget 0 %). */
    OFF,
    /** Every reservation slot is held. */
    RESERVATIONS_FULL,
    /** Clients at the asker's IP address hold their share of reservations. */
    ADDRESS_RESERVATIONS,
    /** The node asked to be reached holds no reservation here. */
    NO_RESERVATION,
    /** Every circuit slot is in use. */
    CIRCUITS_FULL,
    /** One of the two ends has its share of circuits open. */
    PEER_CIRCUITS,
    /** The frame would take relaying beyond its share of egress. */
    BUDGET,
    /** The circuit carried its bytes in this direction; it is closed. */
    CIRCUIT_BYTES,
    /** The circuit outlived its duration; it is closed. */
    CIRCUIT_EXPIRED,
    /** A frame for no open circuit. */
    UNKNOWN_CIRCUIT,
    /** A frame from an address that is neither end of its circuit. */
    NOT_AN_END;

    private static final RelayRefusal[] ALL = values();

    public static RelayRefusal of(int ordinal) {
        return ALL[ordinal];
    }

    public static int count() {
        return ALL.length;
    }

    /** Lower-case with dashes, as the view and the metrics label show it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
