package io.molia.node;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.core.Contact;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node joins the network: a lookup of its own ID through the bootstrap peers, retried with a growing pause
 * while it finds nobody (a peer still starting, a lost handshake), then once more a little after it joined. Runs
 * on the protocol loop.
 */
final class Joining {
    private static final Logger LOG = LoggerFactory.getLogger(Joining.class);
    /** First pause before asking the bootstrap peers again; it doubles up to {@link #MAX_RETRY_MS}. */
    static final long FIRST_RETRY_MS = 1_000;
    static final long MAX_RETRY_MS = 60_000;
    /**
     * Peers that joined through the same node at the same moment miss each other in the first lookup (each was
     * answered before the other was known, and answers on other shards come from a snapshot): a second one this
     * long after joining finds them, well before the first bucket refresh.
     */
    static final long SECOND_LOOKUP_MS = 2_000;

    private final NodeCore core;
    private final EventLoop loop;
    private final Runnable pump;
    private final List<Contact> seeds;
    private long handle = -1;
    private long retryMs = FIRST_RETRY_MS;

    /** {@code pump} sends what the core queued (the driver's own). */
    Joining(NodeCore core, EventLoop loop, Runnable pump, List<Contact> seeds) {
        this.core = core;
        this.loop = loop;
        this.pump = pump;
        this.seeds = List.copyOf(seeds);
    }

    void start() {
        handle = core.bootstrap(System.nanoTime(), seeds);
        pump.run();
    }

    /** A lookup finished: if it was the join's, log it and retry or schedule the second lookup. */
    void onLookupCompleted(CoreEvent.LookupCompleted done) {
        if (done.handle() != handle) {
            return;
        }
        handle = -1;
        String node = core.self().id().shortHex();
        if (done.closest().isEmpty() && core.routingTable().size() == 0) {
            LOG.atWarn().addKeyValue("node", node).addKeyValue("retry_in_ms", retryMs)
                    .log("bootstrap found no peer: check the bootstrap addresses");
            loop.schedule(this::start, retryMs, TimeUnit.MILLISECONDS);
            retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
            return;
        }
        LOG.atInfo().addKeyValue("node", node).addKeyValue("contacts", core.routingTable().size())
                .log("joined the network");
        loop.schedule(() -> {
            core.startLookup(System.nanoTime(), core.self().id());
            pump.run();
        }, SECOND_LOOKUP_MS, TimeUnit.MILLISECONDS);
    }
}
