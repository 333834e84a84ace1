package io.molia.relay;

import java.util.concurrent.TimeUnit;

/**
 * What a relay grants its clients. The defaults are rust-libp2p's circuit relay v2 (reservations: 128 in all, one
 * hour; circuits: 16 in all, 4 per peer, 2 minutes and 128 KiB per direction each) with go-libp2p's 8 reservations
 * per IP address, under the egress share of {@link RelayBudget}.
 *
 * @param budgetPercent the share of the node's egress relaying may take over {@code budgetWindowNs}
 * @param reservations reservations held at once
 * @param reservationsPerAddress reservations held at once by clients at one IP address (a NAT's many hosts)
 * @param reservationNs how long a reservation lasts unless renewed
 * @param circuits circuits open at once
 * @param circuitsPerPeer circuits open at once with one node at either end
 * @param circuitBytesPerDirection bytes a circuit carries each way before it is closed
 * @param circuitNs how long a circuit lasts
 */
public record RelayLimits(int budgetPercent, long budgetWindowNs, int reservations, int reservationsPerAddress,
        long reservationNs, int circuits, int circuitsPerPeer, long circuitBytesPerDirection, long circuitNs) {

    public static final RelayLimits DEFAULTS = new RelayLimits(RelayBudget.DEFAULT_PERCENT,
            RelayBudget.DEFAULT_WINDOW_NS, 128, 8, TimeUnit.HOURS.toNanos(1), 16, 4, 128 * 1024,
            TimeUnit.MINUTES.toNanos(2));

    public RelayLimits {
        if (reservations < 0 || reservationsPerAddress < 0 || circuits < 0 || circuitsPerPeer < 0
                || circuitBytesPerDirection < 0 || reservationNs <= 0 || circuitNs <= 0) {
            throw new IllegalArgumentException("relay limits must not be negative: " + reservations + ", "
                    + reservationsPerAddress + ", " + circuits + ", " + circuitsPerPeer + ", "
                    + circuitBytesPerDirection);
        }
    }

    /** These limits with another egress share (the {@code --relay-budget-percent} flag; 0 turns relaying off). */
    public RelayLimits withBudgetPercent(int percent) {
        return new RelayLimits(percent, budgetWindowNs, reservations, reservationsPerAddress, reservationNs, circuits,
                circuitsPerPeer, circuitBytesPerDirection, circuitNs);
    }
}
