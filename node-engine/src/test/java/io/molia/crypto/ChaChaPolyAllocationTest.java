package io.molia.crypto;



import io.molia.testing.SteadyStateAllocation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sealing and opening a 1280-byte packet allocates nothing once warm. Runs in the normal suite and again with
 * escape analysis off (the "allocation" surefire execution).
 */
@Tag("allocation")
class ChaChaPolyAllocationTest {
    private static final int SIZE = 1280;

    @Test
    void sealAndOpenAllocateNothing() {
        ChaChaPoly aead = new ChaChaPoly();
        byte[] key = new byte[32];
        byte[] ad = new byte[32];
        byte[] plain = new byte[SIZE];
        byte[] sealed = new byte[SIZE + ChaChaPoly.TAG_BYTES];
        byte[] opened = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            plain[i] = (byte) i;
        }
        run(aead, key, ad, plain, sealed, opened, 0, 200_000); // warm up: JIT
        SteadyStateAllocation.assertAllocatesNothing("seal + open of 1280 B", 100_000,
                round -> run(aead, key, ad, plain, sealed, opened, 1_000_000L * (round + 1), 100_000));
    }

    private static long run(ChaChaPoly aead, byte[] key, byte[] ad, byte[] plain, byte[] sealed, byte[] opened,
            long firstCounter, int iterations) {
        long opens = 0;
        for (int i = 0; i < iterations; i++) {
            long counter = firstCounter + i;
            key[i & 31]++; // a different key now and then, as sessions come and go
            aead.seal(key, counter, plain, 0, SIZE, ad, sealed, 0);
            if (aead.open(key, counter, sealed, 0, sealed.length, ad, opened, 0) == SIZE) {
                opens++;
            }
        }
        return opens;
    }
}
