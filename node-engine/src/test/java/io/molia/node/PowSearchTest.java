package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowSearchTest {
    private static final NodeId ID = NodeId.ofPublicKey(new byte[32]);

    @TempDir
    Path dir;

    @Test
    void threadsFindANonceWithTheBits() throws Exception {
        PowSearch search = new PowSearch(ID, 12, 2, 0).start();
        assertTrue(search.await(30_000));
        assertTrue(ProofOfWork.leadingZeroBits(ID, search.found()) >= 12);
    }

    @Test
    void aStoppedSearchSaysWhereToResumeAndAResumedOneStartsThere() throws Exception {
        PowSearch search = new PowSearch(ID, 64, 2, 0).start(); // never found
        Thread.sleep(50);
        search.stop();
        assertTrue(search.await(5_000));
        long resume = search.resumeFrom();
        assertTrue(resume > 0 && resume % PowSearch.CHUNK == 0, "chunks were tried: " + resume);
        assertTrue(resume <= search.triedOverall());
        IdentityProof.saveSearch(dir, ID, 20, resume);
        assertEquals(resume, IdentityProof.resumeFrom(dir, ID, 20));
        assertEquals(resume, IdentityProof.resumeFrom(dir, ID, 24), "nonces without 20 bits have no 24 either");
        assertEquals(0, IdentityProof.resumeFrom(dir, ID, 16), "but they may have 16");
        assertEquals(0, IdentityProof.resumeFrom(dir, NodeId.ofPublicKey(new byte[] {
            1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 20),
                "another key's search is not resumed");
        PowSearch resumed = new PowSearch(ID, 10, 1, resume).start();
        assertTrue(resumed.await(30_000));
        assertTrue(resumed.found() >= resume, "it starts where the other stopped");
    }

    @Test
    void aNodeSearchesACheapOrNewProofAndRefusesAnExpensiveMissingOne() throws Exception {
        long nonce = IdentityProof.ensure(dir, ID, 8, false);
        assertTrue(ProofOfWork.leadingZeroBits(ID, nonce) >= 8);
        assertEquals(nonce, IdentityProof.loadNonce(dir, ID).getAsLong(), "saved next to the key");
        assertTrue(Files.notExists(dir.resolve(IdentityProof.SEARCH_FILE_NAME)));
        IOException e = assertThrows(IOException.class, () -> IdentityProof.ensure(dir, ID, 40, false));
        assertTrue(e.getMessage().endsWith("the network asks for 40 (--pow-bits); run: molia keygen --data-dir " + dir
                + " --pow-bits 40"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("identity.key") + ": the identity's proof of work has "),
                e.getMessage());
    }
}
