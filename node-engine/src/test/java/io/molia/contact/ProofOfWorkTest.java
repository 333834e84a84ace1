package io.molia.contact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import io.molia.crypto.Blake3;
import org.junit.jupiter.api.Test;

class ProofOfWorkTest {
    private static final NodeId ID = NodeId.ofPublicKey(new byte[32]);

    private static long nonceWith(int bits) {
        long nonce = 0;
        while (ProofOfWork.leadingZeroBits(ID, nonce) < bits) {
            nonce++;
        }
        return nonce;
    }

    @Test
    void theWorkIsBlake3OfTheIdAndTheBigEndianNonce() {
        long nonce = 0x0102030405060708L;
        byte[] input = new byte[40];
        ID.writeTo(input, 0);
        for (int i = 0; i < 8; i++) {
            input[32 + i] = (byte) (i + 1);
        }
        byte[] hash = new Blake3().hash(input);
        int expected = 0;
        for (int bit = 0; bit < 64 && (hash[bit / 8] & (0x80 >>> (bit % 8))) == 0; bit++) {
            expected++;
        }
        assertEquals(expected, ProofOfWork.leadingZeroBits(ID, nonce));
    }

    @Test
    void aNonceIsValidExactlyUpToTheBitsItProves() {
        long nonce = nonceWith(10);
        int bits = ProofOfWork.leadingZeroBits(ID, nonce);
        assertTrue(new ProofOfWork(bits).valid(ID, nonce));
        assertTrue(new ProofOfWork(bits).valid(ID, nonce), "again, from the cache");
        assertFalse(new ProofOfWork(bits + 1).valid(ID, nonce));
        assertTrue(new ProofOfWork(0).valid(ID, 12345), "0 bits: no proof asked");
        ProofOfWork check = new ProofOfWork(10);
        long other = nonce + 1;
        while (ProofOfWork.leadingZeroBits(ID, other) >= 10) {
            other++;
        }
        assertTrue(check.valid(ID, nonce));
        assertFalse(check.valid(ID, other), "the cache remembers the pair, not the ID");
        assertThrows(IllegalArgumentException.class, () -> new ProofOfWork(65));
    }

    @Test
    void aFailedPairCostsOneHashAndAFloodOfThemNeverEvictsTheHonest() {
        ProofOfWork check = new ProofOfWork(8);
        long good = nonceWith(8);
        long bad = good + 1;
        while (ProofOfWork.leadingZeroBits(ID, bad) >= 8) {
            bad++;
        }
        assertTrue(check.valid(ID, good));
        for (int i = 0; i < 100; i++) {
            assertFalse(check.valid(ID, bad), "remembered as failed, still failed");
        }
        assertEquals(2, check.hashes(), "a client without the work pays one hash, not one per request");
        int forged = 0;
        for (long nonce = 1L << 40; forged < 20_000; nonce++) {
            forged += check.valid(ID, nonce) ? 0 : 1;
        }
        long afterFlood = check.hashes();
        assertTrue(check.valid(ID, good));
        assertEquals(afterFlood, check.hashes(), "20,000 forged pairs did not evict the honest one");
    }

    @Test
    void checkingAllocatesNothing() {
        ProofOfWork check = new ProofOfWork(6);
        long good = nonceWith(6);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            check.valid(ID, good);
            check.valid(ID, i);
        }
        // A round of 200,000 checks that allocated per check would show megabytes; a one-off of the JIT's (208 B once
        // on CI) is not the check's, so one clean round out of five is the pass.
        List<Long> rounds = new ArrayList<>();
        int valid = 0;
        for (int round = 0; round < 5 && (rounds.isEmpty() || rounds.get(rounds.size() - 1) != 0); round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                valid += check.valid(ID, good) ? 1 : 0;
                valid += check.valid(ID, 1_000_000L * (round + 1) + i) ? 1 : 0; // fresh pairs: a BLAKE3 each
            }
            rounds.add(threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertEquals(0L, rounds.get(rounds.size() - 1), "bytes allocated per round of 200,000 checks: " + rounds);
        assertTrue(valid >= 100_000);
    }
}
