package io.molia.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;

/** Cores made by hand and wired as a network by their addresses, for tests of the core without sessions. */
final class CoreNetwork {
    private CoreNetwork() {
    }

    /**
     * Delivers every queued datagram, and fires every due timer, until the network is quiet; fails on livelock. All
     * queued datagrams are collected first, then delivered, so each takes exactly one round of {@code hopNs}.
     *
     * @param sender how a receiver knows the core that sent (what its session would tell it)
     * @param sent   sees every datagram as it leaves
     * @return the time after the last delivery
     */
    static long drive(Map<NodeAddress, NodeCore> network, long now, long hopNs, int maxRounds,
            UnaryOperator<Contact> sender, Consumer<Outbound> sent) {
        for (int round = 0; round < maxRounds; round++) {
            for (NodeCore core : network.values()) {
                if (core.nextDeadlineNs() <= now) {
                    core.onTimer(now); // e.g. the ping of a peer that contacted it
                }
            }
            List<Object[]> inFlight = new ArrayList<>();
            for (NodeCore core : network.values()) {
                Outbound out;
                while ((out = core.pollTransmit()) != null) {
                    sent.accept(out);
                    inFlight.add(new Object[] {sender.apply(core.self()), out.to(),
                        Arrays.copyOf(out.data(), out.length())});
                }
            }
            if (inFlight.isEmpty()) {
                return now;
            }
            now += hopNs;
            for (Object[] d : inFlight) {
                NodeCore to = network.get(((Contact) d[1]).address());
                byte[] data = (byte[]) d[2];
                if (to != null) {
                    to.onDatagram(now, (Contact) d[0], data, 0, data.length);
                }
            }
        }
        throw new AssertionError("network did not go quiet: livelock");
    }
}
