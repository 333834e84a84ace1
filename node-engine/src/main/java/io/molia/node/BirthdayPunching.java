package io.molia.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.molia.contact.NodeAddress;
import io.molia.relay.BirthdayCounters;
import io.molia.relay.BirthdayPunch;
import io.molia.transport.UdpTransport;

/**
 * The driver's half of birthday punching ({@link BirthdayPunch}; docs/nat.md, "Multi-port punching"): the sockets
 * of the symmetric end, and the spray of the port-restricted end.
 *
 * <p>Symmetric end: one attempt at a time opens {@link BirthdayPunch#SOCKETS} sockets, each sends one probe to the
 * peer's mapped address, and they wait {@link BirthdayPunch#WINDOW_NS} for the peer's spray. The socket a spray probe
 * reaches (from that address, with the circuit's nonce) is kept, the others closed: from then on every datagram the
 * shards send to the peer's address leaves through it ({@link #sendVia}), and what it receives is handed to shard 0
 * as from that address (steered to its session's shard like any datagram). It is closed after
 * {@link #IDLE_NS} without a datagram; at most {@link #MAX_PUNCHED} are kept. One thread selects over all of them.
 *
 * <p>Port-restricted end: {@link BirthdayPunch#SPRAY} probes from the shard's own socket (its NAT's mapping is the
 * one the peer's sockets sent to), at random ports of the peer's address, in paced batches on the shard's loop.
 */
final class BirthdayPunching implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BirthdayPunching.class);

    /** Punched sockets kept at most (each a port of this host and a mapping of its NAT). */
    static final int MAX_PUNCHED = 8;
    /** A punched socket that received nothing this long is closed (the session's keepalives come every 25 s). */
    static final long IDLE_NS = TimeUnit.SECONDS.toNanos(150);
    private static final long SELECT_MS = 100;

    /** A socket an attempt opened. */
    private record Attempt(BirthdayPunch punch, List<DatagramChannel> sockets, long deadlineNs) {
    }

    /** A socket a spray probe reached: the path to {@code peerAddress}. */
    private static final class Punched {
        final DatagramChannel socket;
        final NodeAddress peerAddress;
        volatile long heardNs;

        Punched(DatagramChannel socket, NodeAddress peerAddress, long heardNs) {
            this.socket = socket;
            this.peerAddress = peerAddress;
            this.heardNs = heardNs;
        }
    }

    private final InetAddress boundAddress;
    private final BirthdayCounters counters;
    private final Selector selector;
    private final ConcurrentLinkedQueue<BirthdayPunch> toOpen = new ConcurrentLinkedQueue<>();
    private final ConcurrentHashMap<NodeAddress, Punched> punched = new ConcurrentHashMap<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(65536);
    private final Thread thread;
    private ShardLoop[] shards;
    /** The attempt running (the selecting thread's only), or null. */
    private Attempt attempt;
    private volatile boolean attemptRunning;
    private volatile boolean closed;

    BirthdayPunching(InetSocketAddress bound, BirthdayCounters counters) {
        this.boundAddress = bound.getAddress();
        this.counters = counters;
        this.selector = openSelector();
        this.thread = Thread.ofPlatform().daemon().name("molia-birthday-punch").unstarted(this::run);
    }

    /** A selector, or null when none can be opened: then every attempt as the symmetric end is refused, counted. */
    private static Selector openSelector() {
        try {
            return Selector.open();
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("event", "nat.birthday_disabled").addKeyValue("error", e.getMessage())
                    .log("no selector for birthday punch sockets: symmetric-NAT punches are refused");
            return null;
        }
    }

    /** Starts the selecting thread, once every shard exists. */
    void start(ShardLoop[] all) {
        this.shards = all;
        if (selector != null) {
            thread.start();
        }
    }

    /** Runs {@code punch}, from shard {@code from}'s loop: a spray there, or sockets opened by this thread. */
    void run(BirthdayPunch punch, ShardLoop from, UdpTransport transport) {
        if (punch.kind() == BirthdayPunch.Kind.SPRAY) {
            spray(punch, from, transport);
            return;
        }
        if (selector == null || attemptRunning || !toOpen.isEmpty() || punched.size() >= MAX_PUNCHED) {
            counters.refused.incrementAndGet();
            return;
        }
        toOpen.add(punch);
        selector.wakeup();
    }

    /**
     * Sends a shard's datagram to {@code to} through the punched socket to that address; false when there is none
     * (the shard's own socket sends it).
     */
    boolean sendVia(NodeAddress to, byte[] data, int off, int len) {
        if (punched.isEmpty()) {
            return false;
        }
        Punched p = punched.get(to);
        if (p == null) {
            return false;
        }
        try {
            p.socket.send(ByteBuffer.wrap(data, off, len), SocketAddresses.toInet(to));
        } catch (IOException e) {
            return false; // closed meanwhile: the shard's socket sends it, as before the punch
        }
        return true;
    }

    /** The paced spray: batches on the shard's loop, after the other end had time to open its ports. */
    private void spray(BirthdayPunch punch, ShardLoop from, UdpTransport transport) {
        counters.sprayed.incrementAndGet();
        byte[] probe = new byte[BirthdayPunch.BYTES];
        BirthdayPunch.write(probe, 0, punch.nonce());
        int index = from.shard().index();
        NodeAddress at = punch.target();
        for (int sent = 0, batch = 0; sent < BirthdayPunch.SPRAY; sent += BirthdayPunch.SPRAY_BATCH, batch++) {
            int count = Math.min(BirthdayPunch.SPRAY_BATCH, BirthdayPunch.SPRAY - sent);
            from.loop().schedule(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < count; i++) {
                    int port = BirthdayPunch.LOWEST_PORT + random.nextInt(65536 - BirthdayPunch.LOWEST_PORT);
                    NodeAddress to = at.isIpv4() ? NodeAddress.ipv4(at.ipv4(), port)
                            : NodeAddress.ipv6(at.hi(), at.lo(), port);
                    transport.write(index, to, probe, 0, probe.length);
                }
                transport.flush(index);
                counters.probes.addAndGet(count);
            }, BirthdayPunch.SPRAY_DELAY_NS + batch * BirthdayPunch.SPRAY_GAP_NS, TimeUnit.NANOSECONDS);
        }
    }

    private void run() {
        while (!closed) {
            try {
                // Idle (nothing open) it sleeps until an attempt is asked for (run() wakes it): no timer per node.
                selector.select(attempt == null && punched.isEmpty() ? 0 : SELECT_MS);
                long now = System.nanoTime();
                BirthdayPunch next = toOpen.poll();
                if (next != null && attempt == null) {
                    open(next, now);
                } else if (next != null) {
                    counters.refused.incrementAndGet(); // two shards asked at once: one attempt at a time
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    read(key, now);
                }
                selector.selectedKeys().clear();
                expire(now);
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.atWarn().addKeyValue("event", "nat.birthday_failed").addKeyValue("error", e.toString())
                            .log("a birthday punch failed");
                }
            }
        }
    }

    private void open(BirthdayPunch punch, long now) throws IOException {
        counters.opened.incrementAndGet();
        attemptRunning = true;
        List<DatagramChannel> sockets = new ArrayList<>(BirthdayPunch.SOCKETS);
        attempt = new Attempt(punch, sockets, now + BirthdayPunch.WINDOW_NS);
        byte[] probe = new byte[BirthdayPunch.BYTES];
        BirthdayPunch.write(probe, 0, punch.nonce());
        InetSocketAddress to = SocketAddresses.toInet(punch.target());
        for (int i = 0; i < BirthdayPunch.SOCKETS; i++) {
            DatagramChannel socket = DatagramChannel.open();
            sockets.add(socket);
            socket.configureBlocking(false);
            socket.bind(new InetSocketAddress(boundAddress, 0));
            socket.register(selector, SelectionKey.OP_READ, attempt);
            counters.sockets.incrementAndGet();
            socket.send(ByteBuffer.wrap(probe), to); // the NAT maps a new random port towards the peer
            counters.probes.incrementAndGet();
        }
    }

    private void read(SelectionKey key, long now) throws IOException {
        DatagramChannel socket = (DatagramChannel) key.channel();
        InetSocketAddress from;
        while ((from = receive(socket)) != null) {
            NodeAddress sender = SocketAddresses.toNodeAddress(from);
            int len = readBuffer.position();
            if (key.attachment() instanceof Punched p) {
                if (sender.equals(p.peerAddress) && !BirthdayPunch.isProbe(readBuffer.array(), 0, len)) {
                    p.heardNs = now;
                    deliver(sender, Arrays.copyOf(readBuffer.array(), len));
                }
            } else if (key.attachment() == attempt && attempt != null && sender.equals(attempt.punch().target())
                    && BirthdayPunch.isProbe(readBuffer.array(), 0, len)
                    && BirthdayPunch.nonceOf(readBuffer.array(), 0) == attempt.punch().nonce()) {
                hit(key, socket, now);
                return;
            }
        }
    }

    private InetSocketAddress receive(DatagramChannel socket) throws IOException {
        readBuffer.clear();
        return socket.isOpen() ? (InetSocketAddress) socket.receive(readBuffer) : null;
    }

    /** A spray probe reached {@code socket}: it becomes the path to the peer, the attempt's other sockets close. */
    private void hit(SelectionKey key, DatagramChannel socket, long now) {
        counters.hits.incrementAndGet();
        BirthdayPunch punch = attempt.punch();
        Punched p = new Punched(socket, punch.target(), now);
        key.attach(p);
        closeAll(attempt.sockets(), socket);
        attempt = null;
        attemptRunning = false;
        Punched old = punched.put(punch.target(), p);
        if (old != null) {
            close(old.socket);
        }
        for (ShardLoop shard : shards) { // the shard holding the peer's session punches through the socket now
            shard.command(s -> s.punchNow(System.nanoTime(), punch.peer(), punch.target()));
        }
    }

    private void deliver(NodeAddress from, byte[] datagram) {
        ShardLoop owner = shards[0];
        owner.loop().execute(() -> {
            owner.onDatagram(from, datagram, 0, datagram.length);
            owner.flush();
        });
    }

    private void expire(long now) {
        if (attempt != null && now >= attempt.deadlineNs()) {
            counters.misses.incrementAndGet();
            closeAll(attempt.sockets(), null);
            attempt = null;
            attemptRunning = false;
        }
        punched.values().removeIf(p -> {
            boolean idle = now - p.heardNs >= IDLE_NS;
            if (idle) {
                close(p.socket);
            }
            return idle;
        });
    }

    private static void closeAll(List<DatagramChannel> sockets, DatagramChannel keep) {
        for (DatagramChannel s : sockets) {
            if (s != keep) {
                close(s);
            }
        }
    }

    private static void close(DatagramChannel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a UDP socket fails only if it is closed already
        }
    }

    /** Punched sockets open now. */
    int punchedSockets() {
        return punched.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (selector != null) {
            selector.close();
        }
        thread.interrupt();
        for (Punched p : punched.values()) {
            close(p.socket);
        }
        Attempt a = attempt;
        if (a != null) {
            closeAll(a.sockets(), null);
        }
    }
}
