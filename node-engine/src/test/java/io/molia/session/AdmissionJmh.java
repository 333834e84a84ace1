package io.molia.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeAddress;
import io.molia.crypto.Blake2sStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Admission's costs per initiation (issue 16: "limiter check per packet, ns at 0 B/op"): the three rate limiters
 * (address, /24, AS from the shipped sample table) for a stream of sources, a puzzle reply issued, a solved
 * puzzle checked, and, for scale, what solving the easiest puzzle costs an initiator. Run with
 * {@code scripts/jmh AdmissionJmh} (GC profiler on: {@code gc.alloc.rate.norm} is the B/op). In package
 * {@code io.molia.session} to reach the package-private classes it measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class AdmissionJmh {
    private static final int SOURCES = 8192;
    private final SessionCounters counters = new SessionCounters();
    private final SourceLimits limits = new SourceLimits(counters);
    private final NodeAddress[] sources = new NodeAddress[SOURCES];
    private AdmissionPuzzle puzzle;
    private final byte[] initiation = new byte[SessionManager.MOLIA_INITIATION_MIN_BYTES];
    private final byte[] reply = new byte[AdmissionPuzzle.REPLY_BYTES];
    private byte[] solved;
    private final NodeAddress from = NodeAddress.ipv4(0x01000001, 4000);
    private final SplittableRandom random = new SplittableRandom(5);
    private final Blake2sStream blake = new Blake2sStream();
    private final byte[] token = new byte[AdmissionPuzzle.TOKEN_BYTES];
    private final byte[] solveOut = new byte[SessionManager.MAX_DATAGRAM_BYTES];
    private long nowNs = 1_000_000_000_000L;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path sample = Path.of("docs", "asn-sample.tsv");
        limits.setAsnTable(AsnTable.parse(Files.readAllLines(sample), sample.toString()));
        for (int i = 0; i < SOURCES; i++) {
            // 1.0.0.x..1.0.7.x and 8.8.x.x: sources in the sample's ASes, a few per /24
            int ip = i % 2 == 0 ? 0x01000000 | (i & 0x7ff) : 0x08080000 | (i & 0xffff);
            sources[i] = NodeAddress.ipv4(ip, 1000 + i);
        }
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        StaticIdentity local = StaticIdentity.fromEd25519Seed(seed);
        puzzle = new AdmissionPuzzle(local, new SplittableRandom(6));
        random.nextBytes(initiation);
        initiation[0] = (byte) SessionManager.TYPE_MOLIA_INITIATION;
        puzzle.reply(nowNs, from, AdmissionPuzzle.MIN_BITS, initiation, 0, initiation.length, reply);
        byte[] lastMac1 = java.util.Arrays.copyOfRange(initiation, initiation.length - 32, initiation.length - 16);
        int bits = AdmissionPuzzle.openReply(blake, local.publicKey(), lastMac1, reply, 0, token);
        int n = AdmissionPuzzle.solve(blake, random, token, bits, initiation, initiation.length, solveOut);
        solved = java.util.Arrays.copyOf(solveOut, n);
        if (puzzle.check(nowNs, from, AdmissionPuzzle.MIN_BITS, solved, 0, solved.length) != AdmissionPuzzle.SOLVED) {
            throw new IllegalStateException("the set-up puzzle did not check");
        }
    }

    /** One initiation through the three limiters; the clock moves 50 µs, so most pass and some are limited. */
    @Benchmark
    public boolean limiterCheck() {
        nowNs += 50_000;
        next = (next + 1) & (SOURCES - 1);
        return limits.allow(nowNs, sources[next]);
    }

    /** What a responder past cookies pays to turn an initiation away: one puzzle reply. */
    @Benchmark
    public int puzzleReply() {
        return puzzle.reply(nowNs, from, AdmissionPuzzle.MIN_BITS, initiation, 0, initiation.length, reply);
    }

    /** What a responder pays to check a solved initiation before the handshake (token MAC and puzzle hash). */
    @Benchmark
    public int puzzleVerify() {
        return puzzle.check(nowNs, from, AdmissionPuzzle.MIN_BITS, solved, 0, solved.length);
    }

    /** What an initiator pays to solve the easiest puzzle (2^10 hashes expected), in ns. */
    @Benchmark
    public int puzzleSolveEasiest() {
        initiation[initiation.length - 32] ^= 1; // another mac1: a new puzzle each time
        return AdmissionPuzzle.solve(blake, random, token, AdmissionPuzzle.MIN_BITS, initiation, initiation.length,
                solveOut);
    }
}
