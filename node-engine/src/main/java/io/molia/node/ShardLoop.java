package io.molia.node;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.molia.contact.NodeAddress;
import io.molia.core.CoreEvent;
import io.molia.core.NodeCore;
import io.molia.metrics.NodeMetrics;
import io.molia.nat.NatProbe;
import io.molia.relay.BirthdayPunch;
import io.molia.session.SessionManager;
import io.molia.shard.Shard;
import io.molia.shard.ShardMessage;
import io.molia.transport.UdpTransport;
import io.molia.wal.DurableShard;
import io.netty.channel.EventLoop;

/**
 * One {@link Shard} driven by its Netty event loop (DESIGN §3.2): datagrams from the shard's socket and messages
 * from its {@link ShardInbox} go in; what the shard sends goes to the socket (flushed once per read batch, one
 * {@code sendmmsg}), what it hands over goes to the other shards' inboxes, and its completed operations complete
 * the futures of the API calls that started them. The loop's timer is armed for the shard's next deadline, never
 * polled. Everything here runs on the shard's own loop, except {@link #inbox} offers and {@link #submit}.
 */
final class ShardLoop {
    /**
     * The longest the loop waits between two timer runs: the WAL's compaction check and the join's isolation check
     * (shard 0) run on it, and a timer never armed further out needs no re-arming when a nearer deadline appears.
     */
    static final long HOUSEKEEPING_NS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Shard shard;
    private final int index;
    private final UdpTransport transport;
    private final ProbeSockets probes;
    private final BirthdayPunching birthdays;
    private final EventLoop loop;
    private final ShardInbox inbox;
    private final Map<Long, CompletableFuture<CoreEvent>> waiting = new HashMap<>();
    private final Map<Long, CompletableFuture<MoliaNode.Traced>> traced = new HashMap<>();
    private final OperationTimes operationTimes;
    private final NodeMetrics metrics;
    /** Every shard of the node by index, for handovers; set once all exist. */
    private ShardLoop[] shards;
    /** This shard's durable state, or null (no WAL, or not opened yet). */
    private DurableShard wal;
    /** Shard 0's joining of the network; null on the others. */
    private Joining joining;
    /** Set once recovery finished: a datagram before it could be acknowledged without being journaled. */
    private volatile boolean serving;
    private ScheduledFuture<?> timer;
    private long timerDueNs = Long.MAX_VALUE;
    private long nextHousekeepingNs;
    private final RunQueueDelay runQueueDelay = new RunQueueDelay();
    private final Runnable onTimer = this::onTimer;

    ShardLoop(Shard shard, UdpTransport transport, ProbeSockets probes, BirthdayPunching birthdays,
            OperationTimes operationTimes, NodeMetrics metrics) {
        this.shard = shard;
        this.index = shard.index();
        this.transport = transport;
        this.probes = probes;
        this.birthdays = birthdays;
        this.loop = transport.eventLoop(index);
        this.inbox = new ShardInbox(loop, this::onHandover, this::flush);
        this.operationTimes = operationTimes;
        this.metrics = metrics;
    }

    /** Completes the wiring, on any thread, before {@link #serve}. */
    void wire(ShardLoop[] all, DurableShard durable, Joining join) {
        this.shards = all;
        this.wal = durable;
        this.joining = join;
    }

    /**
     * Starts serving: datagrams are taken from now on; on the loop, the first timer is armed (and shard 0 starts
     * joining). The future completes once that ran: a node returned by {@link MoliaNode#start} is serving.
     */
    java.util.concurrent.Future<?> serve() {
        serving = true;
        return loop.submit(() -> {
            long now = System.nanoTime();
            nextHousekeepingNs = now + HOUSEKEEPING_NS;
            if (joining != null) {
                joining.start(now);
            }
            afterInput();
            flush();
        });
    }

    Shard shard() {
        return shard;
    }

    NodeCore core() {
        return shard.core();
    }

    EventLoop loop() {
        return loop;
    }

    ShardInbox inbox() {
        return inbox;
    }

    DurableShard wal() {
        return wal;
    }

    // ---------------------------------------------------------------- inputs

    /** A datagram this shard's socket received (the transport's read loop); {@code buf} is the transport's. */
    void onDatagram(NodeAddress sender, byte[] buf, int off, int len) {
        if (!serving) {
            return; // still recovering: nothing may be acknowledged before the journal is in place
        }
        long now = System.nanoTime();
        long waitedNs = runQueueDelay.readIfDue(now);
        if (waitedNs >= 0) {
            shard.sessions().onRunQueueDelay(waitedNs);
        }
        shard.onDatagram(sender, buf, off, len, now, wallNanos());
        afterInput();
    }

    private void onHandover(ShardMessage message) {
        if (!serving) {
            return;
        }
        shard.onInbox(message, System.nanoTime(), wallNanos());
        afterInput();
    }

    /**
     * Starts an operation on this shard's core, from any thread: {@code start} runs on the loop and returns the
     * operation's handle (negative: refused); the future completes with the operation's event.
     */
    CompletableFuture<CoreEvent> submit(ToLongFunction<NodeCore> start) {
        return submit(start, waiting);
    }

    /**
     * Runs {@code command} on this shard's shard (one that starts no operation: a relay request, an endpoint moved),
     * from any thread, then sends what it queued; completes with its result.
     */
    <T> CompletableFuture<T> command(Function<Shard, T> command) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                T result = command.apply(shard);
                shard.afterCommand(System.nanoTime(), wallNanos());
                afterInput();
                flush();
                f.complete(result);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** As {@link #submit}, for a traced operation: completes with its event and its hops. */
    CompletableFuture<MoliaNode.Traced> submitTraced(ToLongFunction<NodeCore> start) {
        return submit(start, traced);
    }

    private <T> CompletableFuture<T> submit(ToLongFunction<NodeCore> start, Map<Long, CompletableFuture<T>> into) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                long handle = start.applyAsLong(shard.core());
                if (handle < 0) {
                    f.completeExceptionally(new IllegalStateException("too many operations in progress"));
                    return;
                }
                into.put(handle, f);
                shard.afterCommand(System.nanoTime(), wallNanos());
                afterInput();
                flush();
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** The socket's read batch ended, or an inbox drained: what was queued leaves in one sendmmsg. */
    void flush() {
        transport.flush(index);
    }

    private void onTimer() {
        timerDueNs = Long.MAX_VALUE;
        long now = System.nanoTime();
        if (now >= shard.nextDeadlineNs()) {
            shard.onTimeout(now, wallNanos());
        }
        if (now >= nextHousekeepingNs) {
            nextHousekeepingNs = now + HOUSEKEEPING_NS;
            if (wal != null) {
                wal.onTimer(now, shard.core());
            }
            if (joining != null) {
                joining.onTimer(now);
            }
        }
        afterInput();
        flush();
    }

    // ---------------------------------------------------------------- outputs

    /** Moves what the shard queued to the socket, the other shards and the futures; re-arms the timer if sooner. */
    private void afterInput() {
        if (wal != null) {
            // --wal-sync batch: this turn's journal entries reach the disk before any of its acks leaves, here or
            // through the shard an answer is handed to.
            wal.beforeTransmit();
        }
        SessionManager.Transmit t;
        while ((t = shard.pollTransmit()) != null) {
            if (!birthdays.sendVia(t.to(), t.data(), 0, t.length())) { // a birthday punch's socket, else ours
                transport.write(index, t.to(), t.data(), 0, t.length());
            }
        }
        NatProbe probe;
        while ((probe = shard.pollProbe()) != null) {
            probes.send(probe);
        }
        BirthdayPunch birthday;
        while ((birthday = shard.pollBirthday()) != null) {
            birthdays.run(birthday, this, transport);
        }
        Shard.Handover h;
        while ((h = shard.pollHandover()) != null) {
            shards[h.shard()].inbox().offer(h.message()); // a full inbox drops, counted
        }
        CoreEvent event;
        while ((event = shard.pollEvent()) != null) {
            completed(event);
        }
        long due = Math.min(shard.nextDeadlineNs(), nextHousekeepingNs);
        if (due < timerDueNs) {
            if (timer != null) {
                timer.cancel(false);
            }
            timerDueNs = due;
            timer = loop.schedule(onTimer, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void completed(CoreEvent event) {
        long tookNs = switch (event) {
            case CoreEvent.LookupCompleted l -> l.finishedNs() - l.startedNs();
            case CoreEvent.GetCompleted g -> g.finishedNs() - g.startedNs();
            case CoreEvent.PutCompleted p -> p.finishedNs() - p.startedNs();
            default -> -1;
        };
        if (tookNs >= 0) {
            // Every operation lookups_started counts (refreshes aside): the admin view's percentiles and the
            // Prometheus histogram are taken over the same operations.
            operationTimes.add(tookNs);
            metrics.onOperationCompleted(tookNs / 1e9, event instanceof CoreEvent.LookupCompleted l ? l.hops() : -1);
        }
        if (joining != null && event instanceof CoreEvent.LookupCompleted done) {
            joining.onLookupCompleted(done);
        }
        CompletableFuture<CoreEvent> f = waiting.remove(event.handle());
        if (f != null) {
            f.complete(event);
        }
        CompletableFuture<MoliaNode.Traced> t = traced.remove(event.handle());
        if (t != null) {
            t.complete(new MoliaNode.Traced(event, shard.core().takeTrace(event.handle())));
        }
    }

    void close() {
        runQueueDelay.close();
        if (loop.isShuttingDown()) {
            return; // the transport stopped the loops: nothing runs on them any more
        }
        loop.execute(() -> {
            serving = false;
            if (timer != null) {
                timer.cancel(false);
            }
        });
    }

    static long wallNanos() {
        return System.currentTimeMillis() * 1_000_000L; // only for TAI64N timestamps
    }
}
