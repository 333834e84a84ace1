package io.molia.node;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.core.RoutingSnapshot;
import io.molia.core.SnapshotResponder;
import io.molia.session.SessionManager;
import io.molia.transport.UdpTransport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * A shard other than shard 0 (DESIGN §3.2): it holds the sessions whose receiver index it issued and answers PING
 * and FIND_NODE on them itself, from the routing snapshot shard 0 publishes, so the hot requests of a loaded node
 * are served on every core. What needs shard 0's state (FIND_VALUE, STORE, answers to the node's own requests) is
 * handed to shard 0, and what shard 0 sends such a peer (its answers, its own requests) comes back here to be sealed
 * on the peer's session.
 *
 * <p>Everything here runs on the shard's own event loop, except {@link #inbox} offers.
 */
final class ServingShard implements AutoCloseable {
    private static final long SESSION_TICK_NS = TimeUnit.SECONDS.toNanos(1);
    /** How often a peer whose requests this shard answers is reported alive to the routing table's owner. */
    static final long ALIVE_REPORT_EVERY_NS = TimeUnit.SECONDS.toNanos(30);

    private final int shard;
    private final UdpTransport transport;
    private final SessionManager sessions;
    private final SnapshotResponder responder;
    private final Supplier<RoutingSnapshot> routing;
    private final BanList bans;
    private final ShardInbox protocolInbox;
    private final ShardInbox inbox;
    private final InetAddressCache addresses = new InetAddressCache();
    private final byte[] rx = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private final ScheduledFuture<?> ticker;

    ServingShard(int shard, UdpTransport transport, SessionManager sessions, SnapshotResponder responder,
            Supplier<RoutingSnapshot> routing, BanList bans, ShardInbox protocolInbox) {
        this.shard = shard;
        this.transport = transport;
        this.sessions = sessions;
        this.responder = responder;
        this.routing = routing;
        this.bans = bans;
        this.protocolInbox = protocolInbox;
        EventLoop loop = transport.eventLoop(shard);
        this.inbox = new ShardInbox(loop, this::onHandover, this::flush);
        this.ticker = loop.scheduleAtFixedRate(this::tick, SESSION_TICK_NS, SESSION_TICK_NS, TimeUnit.NANOSECONDS);
    }

    ShardInbox inbox() {
        return inbox;
    }

    SessionManager sessions() {
        return sessions;
    }

    SnapshotResponder responder() {
        return responder;
    }

    /** A datagram this shard's socket received and whose receiver index (if any) it issued. */
    void onDatagram(InetSocketAddress sender, ByteBuf data) {
        int len = Math.min(data.readableBytes(), rx.length);
        data.getBytes(data.readerIndex(), rx, 0, len);
        handle(sender, rx, len);
    }

    /** The socket's read batch ended: what it answered leaves in one sendmmsg. */
    void flush() {
        transport.flush(shard);
    }

    private void onHandover(Handover h) {
        switch (h) {
            case Handover.Datagram d -> handle(d.sender(), d.data(), d.data().length);
            case Handover.Send m -> {
                long now = System.nanoTime();
                sessions.send(now, MoliaNode.wallNanos(), m.to(), m.data(), 0, m.data().length);
                moveOutput(now);
            }
            default -> throw new IllegalStateException("shard " + shard + " was handed " + h);
        }
    }

    private void handle(InetSocketAddress sender, byte[] buf, int len) {
        long now = System.nanoTime();
        NodeAddress from = addresses.toNodeAddress(sender);
        BanList.View banned = bans.view();
        if (!banned.isEmpty() && banned.bansAddress(now, from)) {
            banned.onDropped();
            return;
        }
        int status = sessions.onDatagram(now, MoliaNode.wallNanos(), from, buf, 0, len);
        if (status == SessionManager.DELIVERED || status == SessionManager.CONFIRMED) {
            SessionManager.Delivery d = sessions.delivery();
            if (!banned.isEmpty() && banned.bansPeer(now, d.from.id())) {
                banned.onDropped();
            } else if (status == SessionManager.CONFIRMED) {
                protocolInbox.offer(new Handover.Alive(shard, d.from)); // it proved its keys here: a candidate
            } else {
                deliver(now, d);
            }
        }
        moveOutput(now);
    }

    private void deliver(long now, SessionManager.Delivery d) {
        Contact peer = d.from;
        int status = responder.onDatagram(peer, d.data, d.offset, d.length, routing.get());
        if (status == SnapshotResponder.ANSWERED) {
            // A request carried by a handshake is answered (read-only, within the 3x bound) but reported to nobody:
            // it may be a replay, from the replayer's address. On a confirmed session, reported at most every 30 s,
            // before the answer is sealed (a response costs ~150 µs), so shard 0 soon pings a joining peer.
            if (d.session != null && d.session.aliveReportDue(now, ALIVE_REPORT_EVERY_NS)) {
                protocolInbox.offer(new Handover.Alive(shard, peer));
            }
            sessions.send(now, MoliaNode.wallNanos(), peer, responder.answer(), 0, responder.answerLength());
        } else if (status == SnapshotResponder.FORWARD && d.session != null) {
            byte[] copy = Arrays.copyOfRange(d.data, d.offset, d.offset + d.length);
            protocolInbox.offer(new Handover.Message(shard, peer, copy));
        }
        // A request carried by a handshake that only shard 0 can answer gets an empty response: the initiator
        // re-sends it on the new session, and then it is handed over.
    }

    private void tick() {
        long now = System.nanoTime();
        sessions.onTimer(now, MoliaNode.wallNanos());
        moveOutput(now);
        flush();
    }

    private void moveOutput(long now) {
        sessions.finishResponses(now);
        SessionManager.Transmit t;
        while ((t = sessions.pollTransmit()) != null) {
            transport.write(shard, addresses.toInet(t.to()), t.data(), 0, t.length());
        }
    }

    @Override
    public void close() {
        ticker.cancel(false);
    }
}
