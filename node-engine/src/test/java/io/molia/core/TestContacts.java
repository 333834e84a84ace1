package io.molia.core;

import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/** Seeded contacts for tests: random keys (IDs derived as in production) and addresses. */
public final class TestContacts {
    private TestContacts() {
    }

    public static Contact random(SplittableRandom random) {
        return random(random, random.nextInt());
    }

    public static Contact random(SplittableRandom random, int ipv4) {
        byte[] key = new byte[Contact.PUBLIC_KEY_BYTES];
        random.nextBytes(key);
        return new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv4(ipv4, 4000));
    }

    /** {@code c} with the smallest nonce that proves {@code bits} of work on its ID. */
    public static Contact withPow(Contact c, int bits) {
        long nonce = 0;
        while (io.molia.contact.ProofOfWork.leadingZeroBits(c.id(), nonce) < bits) {
            nonce++;
        }
        return c.withPowNonce(nonce);
    }

    /** {@code c} with a nonce that does not prove {@code bits} (at least 1) of work on its ID. */
    public static Contact withoutPow(Contact c, int bits) {
        long nonce = 0;
        while (io.molia.contact.ProofOfWork.leadingZeroBits(c.id(), nonce) >= bits) {
            nonce++;
        }
        return c.withPowNonce(nonce);
    }

    public static NodeId randomId(SplittableRandom random) {
        return new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }
}
