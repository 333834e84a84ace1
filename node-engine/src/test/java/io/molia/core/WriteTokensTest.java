package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import org.junit.jupiter.api.Test;

/** The token table starts small and grows with the writers met: a token never depends on what it remembers. */
class WriteTokensTest {
    @Test
    void tokensStayTheSameAndValidWhileTheTableGrows() {
        SplittableRandom random = new SplittableRandom(21);
        byte[] secret = new byte[WriteTokens.Secret.BYTES];
        random.nextBytes(secret);
        WriteTokens tokens = new WriteTokens(new WriteTokens.Secret(secret));
        WriteTokens reference = new WriteTokens(new WriteTokens.Secret(secret));
        List<Contact> writers = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            writers.add(TestContacts.random(random));
        }
        long now = 1_000_000_000L;
        List<Long> issued = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < writers.size(); i++) {
                Contact w = writers.get(i);
                long token = tokens.issue(now, w.address(), w.id());
                if (round == 0) {
                    issued.add(token);
                }
                assertEquals(issued.get(i), token, "the same writer gets the same token, remembered or not");
                assertEquals(WriteTokens.Check.VALID, reference.check(now, w.address(), w.id(), token));
            }
        }
    }
}
