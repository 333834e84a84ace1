package io.molia.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.blob.ErasureEngine;
import io.molia.blob.ErasureEngines;
import io.molia.blob.ReedSolomon;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reed–Solomon 10 + 4 on one stripe (docs/blobs.md, "Reed–Solomon"): encode (the 4 parity fragments from the 10 data
 * fragments) and the worst rebuild (4 data fragments lost: every byte goes through the inverted matrix). Throughput
 * in GB/s of data is {@code 10 × fragmentBytes / time per op}. {@code engine}: the Java loops or ISA-L (JDK 22+ with
 * libisal2).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ErasureJmh {
    @Param({"1088", "65536"})
    int fragmentBytes;
    @Param({"java", "isa-l"})
    String engine;

    private ErasureEngine coder;
    private ErasureEngine.Matrix encoder;
    private byte[][] fragments;
    private final boolean[] fourDataLost = new boolean[ReedSolomon.TOTAL];

    @Setup
    public void setUp() {
        coder = "java".equals(engine) ? ErasureEngines.java() : ErasureEngines.isal().orElseThrow();
        encoder = ReedSolomon.encoder(coder);
        SplittableRandom random = new SplittableRandom(7);
        fragments = new byte[ReedSolomon.TOTAL][fragmentBytes];
        for (int d = 0; d < ReedSolomon.DATA; d++) {
            random.nextBytes(fragments[d]);
        }
        ReedSolomon.encode(encoder, fragments, 0, fragmentBytes);
        Arrays.fill(fourDataLost, true);
        for (int lost : new int[] {0, 3, 6, 9}) {
            fourDataLost[lost] = false;
        }
    }

    @Benchmark
    public byte[][] encode() {
        ReedSolomon.encode(encoder, fragments, 0, fragmentBytes);
        return fragments;
    }

    @Benchmark
    public byte[][] rebuildFourDataFragments() {
        ReedSolomon.reconstruct(coder, fragments, fourDataLost, 0, fragmentBytes);
        return fragments;
    }
}
