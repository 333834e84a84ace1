package io.molia.loadgen;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.core.lookup.LookupHop;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import io.molia.wal.WalOptions;

/**
 * What a client sees of a network ({@code molia bench lookups}): a real node started in this process (a temporary
 * data dir, no WAL, deleted afterwards) joins through the target, runs N sequential lookups of random keys, then N
 * put/get pairs of random values, and reports every operation and a summary per kind.
 *
 * <p>Success, per kind: a <em>lookup</em> completed within {@link #OPERATION_TIMEOUT_NS} and returned at least
 * one peer that answered (requests that timed out inside it are reported, not failures: a lookup routes around
 * slow peers by design); a <em>put</em> completed in time and at least one peer acknowledged the record; a
 * <em>get</em> of that put's key completed in time and returned exactly the bytes that were put. Latency is the
 * client's wall time from the call to its result. Hops: a lookup's hops to the closest peer found; a get's hop of
 * the first peer that returned the value; a put's are not reported (its lookup is not exposed by the client API).
 * Bounded by the count and the duration: no operation starts after the duration, and each one ends by its timeout.
 * An operation that did not run (the duration ended first, or a get whose put failed) is a failure: success is
 * counted against the plan, never against what happened to run.
 */
public final class Lookups {
    /** What to run. */
    public record Plan(MoliaAddress target, int count, double durationSeconds) {
        public Plan {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be at least 1");
            }
            if (!(durationSeconds > 0)) {
                throw new IllegalArgumentException("--duration must be more than 0 seconds");
            }
        }
    }

    /** The kinds of operation, in the order they run. */
    public enum Kind { LOOKUP, PUT, GET }

    /**
     * One operation. {@code hops} is -1 when not known (puts, failures); {@code peers}: contacts a lookup returned,
     * peers that acknowledged a put, peers that answered a get; {@code timeouts}: requests of a lookup or get that
     * timed out, peers a put asked that did not acknowledge.
     */
    public record Operation(Kind kind, long latencyNs, int hops, boolean success, int peers, int timeouts) {
    }

    /**
     * One kind's summary: {@code planned} operations ({@code --count}), {@code count} of them ran, {@code succeeded}
     * of those succeeded; latencies over the operations that ran, hops over the successful ones that report them.
     */
    public record Summary(Kind kind, int planned, int count, int succeeded, double p50Millis, double p95Millis,
            double p99Millis, double maxMillis, double meanHops) {
        /** Succeeded of planned: an operation that did not run counts as failed. */
        public double successShare() {
            return planned == 0 ? 0 : (double) succeeded / planned;
        }

        public int notRun() {
            return planned - count;
        }

        /** The check the bench's exit code reports: every planned operation ran and succeeded. */
        public boolean allSucceeded() {
            return succeeded == planned;
        }
    }

    /** The whole run: the join, every operation in order, and a summary per kind. */
    public record Result(double joinMillis, int contactsAfterJoin, List<Operation> operations,
            Map<Kind, Summary> summaries, double seconds) {
    }

    static final long OPERATION_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int VALUE_BYTES = 64;
    /** Values expire ten minutes after the bench: it leaves nothing behind for long. */
    private static final long VALUE_TTL_SECONDS = 600;

    private final Plan plan;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());

    public Lookups(Plan plan) {
        this.plan = plan;
    }

    public Result run() throws IOException, InterruptedException {
        Path dataDir = Files.createTempDirectory("molia-bench-lookups-");
        try {
            return runIn(dataDir);
        } finally {
            deleteTree(dataDir);
        }
    }

    private Result runIn(Path dataDir) throws IOException, InterruptedException {
        InetAddress targetHost = InetAddress.getByName(plan.target().host());
        // A loopback target (a devnet) is reached from loopback; anything else from every interface.
        InetSocketAddress listen = new InetSocketAddress(targetHost.isLoopbackAddress() ? targetHost
                : InetAddress.getByName("0.0.0.0"), 0);
        // A client: no proof of work of its own (the target answers it and never hands it out), checking none.
        try (MoliaNode client = MoliaNode.start(new NodeConfig(dataDir, listen, List.of(), new byte[32], 1, null,
                WalOptions.disabled()).withPowBits(0))) {
            long joinStart = System.nanoTime();
            List<Contact> joined = await(client.bootstrap(plan.target().toContact()));
            double joinMillis = (System.nanoTime() - joinStart) / 1e6;
            if (joined == null || joined.isEmpty()) {
                throw new IOException("the target " + plan.target() + " did not answer the join");
            }
            int contacts = client.status().get(5, TimeUnit.SECONDS).routingTableSize();
            long start = System.nanoTime();
            long deadline = start + (long) (plan.durationSeconds() * 1e9);
            List<Operation> ops = new ArrayList<>();
            for (int i = 0; i < plan.count() && System.nanoTime() < deadline; i++) {
                ops.add(lookup(client));
            }
            for (int i = 0; i < plan.count() && System.nanoTime() < deadline; i++) {
                putThenGet(client, ops);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<Kind, Summary> summaries = new EnumMap<>(Kind.class);
            for (Kind kind : Kind.values()) {
                summaries.put(kind, summarize(kind, plan.count(), ops));
            }
            return new Result(joinMillis, contacts, List.copyOf(ops), summaries, seconds);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the client node did not answer: " + e.getMessage(), e);
        }
    }

    private Operation lookup(MoliaNode client) throws InterruptedException {
        NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        long start = System.nanoTime();
        MoliaNode.Traced traced = await(client.tracedLookup(target, false));
        long latencyNs = System.nanoTime() - start;
        if (traced == null || !(traced.event() instanceof CoreEvent.LookupCompleted done)) {
            return new Operation(Kind.LOOKUP, latencyNs, -1, false, 0, 0);
        }
        boolean found = !done.closest().isEmpty();
        return new Operation(Kind.LOOKUP, latencyNs, found ? done.hops() : -1, found, done.closest().size(),
                timeouts(traced.hops()));
    }

    private void putThenGet(MoliaNode client, List<Operation> ops) throws InterruptedException {
        byte[] value = new byte[VALUE_BYTES];
        random.nextBytes(value);
        long start = System.nanoTime();
        CoreEvent.PutCompleted put = await(client.put(value, VALUE_TTL_SECONDS));
        long putNs = System.nanoTime() - start;
        if (put == null) {
            ops.add(new Operation(Kind.PUT, putNs, -1, false, 0, 0));
            return; // without a completed put there is no key to get
        }
        ops.add(new Operation(Kind.PUT, putNs, -1, put.stored() > 0, put.stored(), put.attempted() - put.stored()));
        start = System.nanoTime();
        MoliaNode.Traced traced = await(client.tracedLookup(put.key(), true));
        long getNs = System.nanoTime() - start;
        if (traced == null || !(traced.event() instanceof CoreEvent.GetCompleted got)) {
            ops.add(new Operation(Kind.GET, getNs, -1, false, 0, 0));
            return;
        }
        boolean same = Arrays.equals(value, got.value());
        int answered = (int) traced.hops().stream().filter(h -> h.outcome() == LookupHop.Outcome.ANSWERED
                || h.outcome() == LookupHop.Outcome.VALUE).count();
        int hops = traced.hops().stream().filter(h -> h.outcome() == LookupHop.Outcome.VALUE)
                .mapToInt(LookupHop::hop).min().orElse(-1);
        ops.add(new Operation(Kind.GET, getNs, same ? hops : -1, same, answered, timeouts(traced.hops())));
    }

    /** The operation's result, or null when it failed or did not complete within its timeout. */
    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get(OPERATION_TIMEOUT_NS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            f.cancel(false);
            return null;
        }
    }

    private static int timeouts(List<LookupHop> hops) {
        return (int) hops.stream().filter(h -> h.outcome() == LookupHop.Outcome.TIMEOUT).count();
    }

    private static Summary summarize(Kind kind, int planned, List<Operation> ops) {
        Latencies latencies = new Latencies();
        int succeeded = 0;
        long hopSum = 0;
        int withHops = 0;
        for (Operation op : ops) {
            if (op.kind() != kind) {
                continue;
            }
            latencies.record(op.latencyNs());
            if (op.success()) {
                succeeded++;
            }
            if (op.success() && op.hops() >= 0) {
                hopSum += op.hops();
                withHops++;
            }
        }
        return new Summary(kind, planned, latencies.count(), succeeded, latencies.percentileNs(0.50) / 1e6,
                latencies.percentileNs(0.95) / 1e6, latencies.percentileNs(0.99) / 1e6, latencies.maxNs() / 1e6,
                withHops == 0 ? Double.NaN : (double) hopSum / withHops);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
