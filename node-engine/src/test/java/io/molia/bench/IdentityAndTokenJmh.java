package io.molia.bench;

import java.util.concurrent.TimeUnit;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.core.WriteTokens;
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
 * What admission costs per packet (issue 16): the identity proof-of-work check of a contact met before (the cache)
 * and of one never met (a BLAKE3 of 40 bytes), and a write token issued (every FIND_NODE answer) and checked (every
 * STORE). Run with {@code scripts/jmh IdentityAndTokenJmh}: the GC profiler's {@code gc.alloc.rate.norm} must be 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class IdentityAndTokenJmh {
    private static final int BITS = 8;
    private static final int CONTACTS = 4096;

    private final ProofOfWork cached = new ProofOfWork(BITS);
    private final ProofOfWork check = new ProofOfWork(BITS);
    private final NodeId[] ids = new NodeId[CONTACTS];
    private final long[] nonces = new long[CONTACTS];
    private final WriteTokens tokens = new WriteTokens(new WriteTokens.Secret(new byte[32]));
    private final NodeAddress writerAddress = NodeAddress.ipv4(0xc0a80001, 4000);
    private NodeId writer;
    private long token;
    private long nowNs;
    private int next;

    @Setup
    public void setUp() {
        for (int i = 0; i < CONTACTS; i++) {
            byte[] key = new byte[32];
            key[0] = (byte) i;
            key[1] = (byte) (i >>> 8);
            ids[i] = NodeId.ofPublicKey(key);
            long nonce = 0;
            while (ProofOfWork.leadingZeroBits(ids[i], nonce) < BITS) {
                nonce++;
            }
            nonces[i] = nonce;
        }
        writer = ids[0];
        nowNs = System.nanoTime();
        token = tokens.issue(nowNs, writerAddress, writer);
        cached.valid(ids[0], nonces[0]);
    }

    /** A contact checked before: a few compares in the cache. */
    @Benchmark
    public boolean powVerifyCached() {
        return cached.valid(ids[0], nonces[0]);
    }

    /** A contact never checked: one BLAKE3 (a nonce that fails, so the cache never holds it). */
    @Benchmark
    public boolean powVerifyUncached() {
        int i = next++ & (CONTACTS - 1);
        return check.valid(ids[i], nonces[i] + 1);
    }

    /** A writer that asked before in this epoch: the token from the table. */
    @Benchmark
    public long writeTokenIssueAgain() {
        return tokens.issue(nowNs, writerAddress, writer);
    }

    /** Writers in turn, four times more than the table holds: mostly a BLAKE3 each. */
    @Benchmark
    public long writeTokenIssueNewWriter() {
        return tokens.issue(nowNs, writerAddress, ids[next++ & (CONTACTS - 1)]);
    }

    @Benchmark
    public WriteTokens.Check writeTokenCheck() {
        return tokens.check(nowNs, writerAddress, writer, token);
    }
}
