package io.molia.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node joins the network and stays in it: a lookup of its own ID through the peers it knows of (the
 * bootstrap peers, and the peers its routing table last held: at start the ones the WAL restored, so a restarted
 * node rejoins without {@code --bootstrap}), retried with a growing pause while nobody answers (a peer still
 * starting, a lost handshake), then once more a little after it joined. Whenever the routing table empties later
 * (every peer timed out), the node is isolated: it says so once and joins again the same way. Runs on the
 * loop of shard 0 (the routing table's owner); {@link #onTimer} is called every {@link ShardLoop#HOUSEKEEPING_NS}.
 */
final class Joining {
    private static final Logger LOG = LoggerFactory.getLogger(Joining.class);
    /** First pause before asking the known peers again; it doubles up to {@link #MAX_RETRY_MS}. */
    static final long FIRST_RETRY_MS = 1_000;
    static final long MAX_RETRY_MS = 60_000;
    /**
     * Peers that joined through the same node at the same moment miss each other in the first lookup (each was
     * answered before the other was known, and answers on other shards come from a snapshot): a second one this
     * long after joining finds them, well before the first bucket refresh.
     */
    static final long SECOND_LOOKUP_MS = 2_000;

    private final NodeCore core;
    private final Runnable pump;
    private final List<Contact> bootstrapPeers;
    /** The routing table's contacts as last seen non-empty: the peers to ask once it is empty. */
    private List<Contact> lastKnown = List.of();
    private long lastKnownChanges = -1;
    /** The join lookup in flight, or -1. */
    private long handle = -1;
    /** When to ask again while not joined (System.nanoTime); Long.MAX_VALUE: nobody to ask. */
    private long retryAtNs = Long.MAX_VALUE;
    private long retryMs = FIRST_RETRY_MS;
    private long secondLookupAtNs = Long.MAX_VALUE;
    /** A join succeeded since the routing table last emptied. */
    private boolean joined;
    /** The routing table held a contact at the last tick. */
    private boolean connected;

    /** {@code pump} sends what the core queued (the driver's own). */
    Joining(NodeCore core, Runnable pump, List<Contact> bootstrapPeers) {
        this.core = core;
        this.pump = pump;
        this.bootstrapPeers = List.copyOf(bootstrapPeers);
    }

    /** An empty routing table: no peer to ask, no put stores anywhere. */
    static boolean isolated(NodeCore core) {
        return core.routingTable().size() == 0;
    }

    /** The first join, once the WAL restored the routing table: through every peer known of. */
    void start(long nowNs) {
        rememberRoutingTable();
        connected = !isolated(core);
        if (seeds().isEmpty()) {
            LOG.atInfo().addKeyValue("event", "join.waiting")
                    .addKeyValue("node", core.self().id().shortHex())
                    .log("no peer known (no --bootstrap, none in the WAL): waiting for peers to join through this node");
            return;
        }
        attempt(nowNs);
    }

    /** Every tick: notes the routing table, notices isolation, asks again when it is time. */
    void onTimer(long nowNs) {
        if (nowNs >= secondLookupAtNs) {
            secondLookupAtNs = Long.MAX_VALUE;
            core.startLookup(nowNs, core.self().id());
            pump.run();
        }
        if (!isolated(core)) {
            connected = true;
            rememberRoutingTable();
        } else if (connected || joined) { // joined: the table may have filled and emptied between two ticks
            connected = false;
            joined = false; // every peer is gone: join again, at once, then with the growing pause
            retryMs = FIRST_RETRY_MS;
            retryAtNs = nowNs;
            LOG.atWarn().addKeyValue("event", "node.isolated")
                    .addKeyValue("node", core.self().id().shortHex()).addKeyValue("known_peers", seeds().size())
                    .log("isolated: the routing table is empty (every peer timed out); rejoining through the "
                            + "bootstrap and last known peers");
        }
        if (!joined && handle < 0 && nowNs >= retryAtNs) {
            attempt(nowNs);
        }
    }

    /** A lookup finished: if it was the join's, note whether anyone answered; retry or schedule the second one. */
    void onLookupCompleted(CoreEvent.LookupCompleted done) {
        if (done.handle() != handle) {
            return;
        }
        handle = -1;
        long now = System.nanoTime();
        String node = core.self().id().shortHex();
        if (done.closest().isEmpty() && !hasLiveContact()) {
            LOG.atWarn().addKeyValue("event", "join.no_peer")
                    .addKeyValue("node", node).addKeyValue("peers_asked", seeds().size())
                    .addKeyValue("retry_in_ms", retryMs)
                    .log("join found no peer: none of the bootstrap or last known peers answered");
            retryAtNs = now + TimeUnit.MILLISECONDS.toNanos(retryMs);
            retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
            return;
        }
        joined = true;
        retryAtNs = Long.MAX_VALUE;
        retryMs = FIRST_RETRY_MS;
        LOG.atInfo().addKeyValue("event", "join.joined")
                .addKeyValue("node", node).addKeyValue("contacts", core.routingTable().size())
                .log("joined the network");
        secondLookupAtNs = now + TimeUnit.MILLISECONDS.toNanos(SECOND_LOOKUP_MS);
    }

    private void attempt(long nowNs) {
        List<Contact> seeds = seeds();
        if (seeds.isEmpty()) {
            retryAtNs = Long.MAX_VALUE; // nobody to ask until a peer shows up
            return;
        }
        handle = core.bootstrap(nowNs, seeds);
        retryAtNs = handle < 0 ? nowNs + TimeUnit.MILLISECONDS.toNanos(retryMs) : Long.MAX_VALUE; // too busy: later
        pump.run();
    }

    /**
     * A contact that has not failed its last request: a peer that reached this node while its own join found
     * nobody (it joined through this node) is as good as an answer.
     */
    private boolean hasLiveContact() {
        List<Contact> live = new ArrayList<>(1);
        core.routingTable().closest(core.self().id(), 1, true, null, live);
        return !live.isEmpty();
    }

    /** The last known peers and the bootstrap peers, each once. */
    private List<Contact> seeds() {
        Map<NodeId, Contact> seeds = new LinkedHashMap<>();
        for (Contact c : lastKnown) {
            seeds.put(c.id(), c);
        }
        for (Contact c : bootstrapPeers) {
            seeds.putIfAbsent(c.id(), c);
        }
        return new ArrayList<>(seeds.values());
    }

    private void rememberRoutingTable() {
        long changes = core.routingTable().changes();
        if (changes == lastKnownChanges || isolated(core)) {
            return;
        }
        List<Contact> closest = new ArrayList<>();
        core.routingTable().closest(core.self().id(), core.config().k(), false, null, closest);
        lastKnown = closest;
        lastKnownChanges = changes;
    }
}
